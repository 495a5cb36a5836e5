"""The dashboard reads the family figures the queue stored; graded levels; team proposals as runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from models import clock
from models.errors import DomainError
from models.families import operations as ops
from models.families.figures import refresh_family_figures, stored_figures
from models.families.tables import (
    FamilyFiguresState,
    FamilyTeam,
    FamilyTeamRun,
    Measure,
    Professional,
    ProgressRecord,
)
from models.families.team_runs import TeamRunActive, queue_team_run
from models.mentees import HouseholdMember
from models.retention import erase_mentee
from seed import builders as b

TODAY = clock.today()


def _family(session, org, n: int, role: str = "parent"):  # noqa: ANN001, ANN202
    h = b.make_household(session, org, members=[(f"P{i}", role, 1980 if role == "parent" else 2014) for i in range(n)])
    members = list(session.exec(select(HouseholdMember).where(HouseholdMember.household_id == h.id)
                                .order_by(HouseholdMember.id)))
    session.commit()
    return h, members


def _measure(session, world, code: str) -> Measure:  # noqa: ANN001
    ops.ensure_catalogue(session, world.organisation.id)
    session.commit()
    return session.exec(select(Measure).where(Measure.organisation_id == world.organisation.id,
                                              Measure.code == code)).one()


def _answer(session, world, h, members, measure, moment, values, day):  # noqa: ANN001, ANN202
    ops.record_progress(session, world.coordinator, h.id, moment, day,
                        {(m.id, measure.id): v for m, v in zip(members, values, strict=True)}, TODAY)


def _statements(engine):  # noqa: ANN001, ANN202
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):  # noqa: ANN001, ANN202
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(engine, "before_cursor_execute", note)


def test_the_dashboard_reads_stored_figures_and_a_recorded_progress_shows_after_the_job(app, engine, session, world,
                                                                                        as_role):
    app.config["QUEUE_IMMEDIATE"] = True  # the debounced refresh runs at the commit, as a worker would
    h, members = _family(session, world.organisation, 5)
    friend = _measure(session, world, "danish_network")
    client = as_role("admin")
    _answer(session, world, h, members, friend, "entry", [False] * 5, TODAY - timedelta(days=90))
    before = client.get("/admin/oversigt").get_data(as_text=True)
    assert "4 af 5 ved afslutning" not in before
    # The coordinator records the end through the page; the job counts it again.
    c = as_role("coordinator")
    form = {"moment": "at_end", "recorded_on": TODAY.strftime("%d-%m-%Y"),
            **{f"m-{m.id}-{friend.id}": "yes" if i < 4 else "no" for i, m in enumerate(members)}}
    assert c.post(f"/familiearbejde/{h.id}/fremskridt", data=form).status_code == 302
    client = as_role("admin")
    seen, stop = _statements(engine)
    try:
        page = client.get("/admin/oversigt").get_data(as_text=True)
    finally:
        stop()
    assert "4 af 5 ved afslutning mod 0 ved start" in page and "Optalt" in page
    assert not [s for s in seen if "progressrecord" in s], "the dashboard counted progress answers itself"


def test_without_the_job_the_page_shows_the_figures_it_has_and_says_new_answers_wait(session, world, as_role):
    h, members = _family(session, world.organisation, 5)
    friend = _measure(session, world, "danish_network")
    _answer(session, world, h, members, friend, "entry", [False] * 5, TODAY - timedelta(days=90))
    _answer(session, world, h, members, friend, "at_end", [True] * 5, TODAY)
    page = as_role("admin").get("/admin/oversigt").get_data(as_text=True)
    assert "5 af 5 ved afslutning" not in page and "Ikke optalt endnu" in page
    assert session.get(FamilyFiguresState, world.organisation.id).stale_since is not None
    refresh_family_figures(session, world.organisation.id)
    page = as_role("admin").get("/admin/oversigt").get_data(as_text=True)
    assert "5 af 5 ved afslutning mod 0 ved start" in page


def test_graded_levels_are_compared_by_hand_and_old_yes_no_answers_count_only_as_yes_no(session, world):
    cp = _measure(session, world, "child_protection")
    assert cp.graded and len(cp.levels) == 5 and cp.yes_from == 4
    h, kids = _family(session, world.organisation, 6, role="child")
    # An answer from before the scale: a plain yes (has a measure), no level.
    session.add(ProgressRecord(organisation_id=world.organisation.id, household_id=h.id, member_id=kids[5].id,
                               measure_id=cp.id, moment="entry", recorded_on=TODAY - timedelta(days=300), value=True))
    session.commit()
    _answer(session, world, h, kids[:5], cp, "entry", [1, 3, 4, 5, 5], TODAY - timedelta(days=200))
    _answer(session, world, h, kids, cp, "at_end", [1, 2, 3, 4, 5, 2], TODAY - timedelta(days=3))
    refresh_family_figures(session, world.organisation.id)
    (f,) = stored_figures(session, world.organisation.id).figures
    # Yes/no reading (level 4 or higher = "has a measure"): 6 persons; at entry 4, 5, 5 and the old yes = 4;
    # at the end 4, 5 = 2.
    assert (f.end.persons, f.end.at_entry, f.end.later) == (6, 4, 2)
    # The distribution: only the five answered on the scale both times.
    assert f.end.graded_persons == 5
    assert f.end.entry_levels == (1, 0, 1, 1, 2) and f.end.later_levels == (1, 1, 1, 1, 1)
    assert f.end.at_least(3) == (4, 3) and f.end.at_least(5) == (2, 1)


def test_a_level_outside_the_scale_is_refused_and_nothing_is_stored(session, world):
    cp = _measure(session, world, "child_protection")
    h, kids = _family(session, world.organisation, 1, role="child")
    for wrong in (0, 6, True):
        with pytest.raises(DomainError):
            _answer(session, world, h, kids, cp, "entry", [wrong], TODAY)
    assert session.exec(select(ProgressRecord).where(ProgressRecord.household_id == h.id)).first() is None


def test_fewer_than_five_on_the_scale_shows_no_distribution(session, world):
    cp = _measure(session, world, "child_protection")
    h, kids = _family(session, world.organisation, 4, role="child")
    _answer(session, world, h, kids, cp, "entry", [2, 2, 3, 5], TODAY - timedelta(days=20))
    _answer(session, world, h, kids, cp, "at_end", [1, 1, 2, 4], TODAY)
    refresh_family_figures(session, world.organisation.id)
    (f,) = stored_figures(session, world.organisation.id).figures
    assert f.end.at_least(2) is None and f.end.at_entry is None and f.end.graded_persons == 4


def test_erasing_a_family_marks_the_figures_for_counting_again(session, world):
    h, members = _family(session, world.organisation, 5)
    friend = _measure(session, world, "danish_network")
    _answer(session, world, h, members, friend, "entry", [False] * 5, TODAY - timedelta(days=20))
    refresh_family_figures(session, world.organisation.id)
    assert session.get(FamilyFiguresState, world.organisation.id, populate_existing=True).stale_since is None
    erase_mentee(session, "Household", h.id, world.admin, TODAY)
    assert session.get(FamilyFiguresState, world.organisation.id, populate_existing=True).stale_since is not None


def _team_ready(session, world):  # noqa: ANN001, ANN202
    from tests.families_world import family_work

    family_work(session, world)
    session.add(Professional(organisation_id=world.organisation.id, name="Karim Jobkonsulent", capacity=3))
    session.commit()
    return world.household


def test_asking_for_a_proposal_only_queues_it_and_the_team_page_shows_progress_then_the_proposal(app, session, world,
                                                                                                 as_role):
    household = _team_ready(session, world)
    client = as_role("coordinator")
    response = client.post(f"/familiearbejde/{household.id}/team/forslag")
    assert response.status_code == 302
    run = session.exec(select(FamilyTeamRun).where(FamilyTeamRun.household_id == household.id)).one()
    assert run.status == "queued" and run.families_total == 1  # the request did not solve anything
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'role="status" aria-live="polite"' in page and "Venter på, at forslaget går i gang" in page
    assert 'http-equiv="refresh"' not in page and "Opdater" in page
    status = client.get(f"/familiearbejde/teamforslag/{run.id}/status").get_json()
    assert status["status"] == "queued" and status["total"] == 1
    # A second click while it waits starts nothing new: the page shows the one going.
    client.post(f"/familiearbejde/{household.id}/team/forslag")
    assert len(list(session.exec(select(FamilyTeamRun).where(FamilyTeamRun.household_id == household.id)))) == 1
    # The worker takes it.
    from models.families.team_runs import execute_team_run

    report = execute_team_run(app.extensions["makker_engine"], run.id, TODAY, worker="test")
    assert report is not None and report["families"] == 1
    session.rollback()
    done = session.get(FamilyTeamRun, run.id, populate_existing=True)
    assert done.status == "done" and done.families_done == 1 and done.gap is not None and done.finished_at
    assert client.get(f"/familiearbejde/teamforslag/{run.id}/status").get_json()["status"] == "done"
    page = client.get(f"/familiearbejde/{household.id}/team?forslag=1").get_data(as_text=True)
    assert "Foreslået " in page and "Teamforslaget bliver lavet" not in page
    team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == household.id)
                        .execution_options(populate_existing=True)).one()
    assert team.proposal.get("members") and team.proposal.get("made_on") == TODAY.isoformat()
    # A second delivery of the same message does nothing.
    assert execute_team_run(app.extensions["makker_engine"], run.id, TODAY, worker="test") is None


def test_the_whole_list_is_one_run_with_families_done_of_total(app, session, world, as_role):
    _team_ready(session, world)
    waiting = [b.make_household(session, world.organisation) for _ in range(2)]
    session.commit()
    for h in waiting:  # a plan, no team yet: the waiting list for teams
        ops.save_dreams(session, world.coordinator, h.id, "", False)
    app.config["QUEUE_IMMEDIATE"] = True
    client = as_role("coordinator")
    assert client.post("/familiearbejde/teamforslag").status_code == 302
    run = session.exec(select(FamilyTeamRun).where(FamilyTeamRun.household_id.is_(None))).one()
    assert run.status == "done" and run.families_done == run.families_total == 2
    page = client.get("/familiearbejde/").get_data(as_text=True)
    assert "af 2 familier har et foreslået team" in page
    for h in waiting:
        team = session.exec(select(FamilyTeam).where(FamilyTeam.household_id == h.id)).one()
        assert team.proposal.get("members") is not None


def test_a_second_coordinator_is_shown_the_running_proposal(session, world):
    household = _team_ready(session, world)
    first = queue_team_run(session, world.coordinator, household.id)
    other = b.make_user(session, world.organisation, "coordinator")
    session.commit()
    with pytest.raises(TeamRunActive) as busy:
        queue_team_run(session, other, household.id)
    assert busy.value.run_id == first.id


def test_another_organisations_run_is_not_found(session, world, other_world, as_role):
    household = _team_ready(session, world)
    run = queue_team_run(session, world.coordinator, household.id)
    other = b.make_user(session, other_world.organisation, "coordinator")
    session.commit()
    from tests.conftest import login

    client = as_role("coordinator")
    assert client.get(f"/familiearbejde/teamforslag/{run.id}/status").status_code == 200
    client.post("/log-ud")
    login(client, other.email)
    assert client.get(f"/familiearbejde/teamforslag/{run.id}/status").status_code == 404
