"""The load test's organisation: every role can sign in, and its at-risk lists are ready."""

from __future__ import annotations

from sqlmodel import select

from models import clock
from models.matches import Match
from models.risk import at_risk
from models.risk_state import count_at_risk
from models.volunteers import Volunteer
from seed.loadtest import PASSWORD, build_load_data, find_load_plan
from tests.conftest import login
from web.loadtest import Level, PageFigures, format_level

TODAY = clock.today()


def test_the_load_test_organisation_has_logins_for_every_role_and_its_assessment_built(app, engine, session):
    plan = build_load_data(engine, TODAY, matches=60, volunteers=80, requests=70, logins=3)
    assert plan.counts["matches"] == 60 and len(plan.admins) == 4 and len(plan.coordinators) == 4
    assert len(plan.volunteers) >= 1 and plan.match_ids
    for email in (plan.admins[0], plan.coordinators[0], plan.volunteers[0]["email"]):
        assert login(app.test_client(), email, PASSWORD).status_code == 302
    volunteer = session.exec(select(Volunteer).join(Match, Match.volunteer_id == Volunteer.id)
                             .where(Match.id == plan.volunteers[0]["match_id"])).one()
    assert volunteer.email == plan.volunteers[0]["email"]
    # Built in bulk, then assessed as the daily job would: the lists are right from the start.
    assert count_at_risk(session, plan.organisation_id) == len(at_risk(session, plan.organisation_id, TODAY)) > 0
    again = find_load_plan(engine, 60, 80, 70)
    assert again is not None and again.organisation_id == plan.organisation_id
    assert find_load_plan(engine, 61, 80, 70) is None


def test_the_figures_are_printed_per_page():
    level = Level(users=50, seconds=120, pages=[PageFigures("/koordinator/", 900, 0, 41.0, 120.0, 180.0, 7.5)],
                  cpu_percent=88.0)
    text = format_level(level)
    assert "/koordinator/" in text and "120" in text and "50 users, 120 s" in text and "88 %" in text
