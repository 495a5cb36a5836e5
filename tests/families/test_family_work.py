"""Whole-family work in the domain: progress figures worked out by hand, the team's rules, erasure and export."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from models import clock
from models.errors import DomainError
from models.families import operations as ops
from models.families.figures import MIN_PERSONS, refresh_family_figures, stored_figures
from models.families.queries import plan_view
from models.families.tables import (
    Competence,
    FamilyPlan,
    Measure,
    Professional,
    ProgressRecord,
    TeamMember,
)
from models.families.teams import propose_teams, set_team
from models.mentees import Household, HouseholdMember
from models.retention import erase_mentee, export_mentee
from seed import builders as b

TODAY = clock.today()


def _family(session, org, n_members: int):  # noqa: ANN001, ANN202
    h = b.make_household(session, org, members=[(f"P{i}", "parent", 1980) for i in range(n_members)])
    members = list(session.exec(select(HouseholdMember).where(HouseholdMember.household_id == h.id)
                                .order_by(HouseholdMember.id)))
    session.commit()  # the operations start their own write transaction
    return h, members


def progress_figures(session, organisation_id: int):  # noqa: ANN001, ANN201
    """What the dashboard reads: the figures as the queue's job stores them."""
    refresh_family_figures(session, organisation_id)
    return stored_figures(session, organisation_id).figures


def _answer(session, world, h, members, measure, moment, values, day):  # noqa: ANN001, ANN202
    ops.record_progress(session, world.coordinator, h.id, moment, day,
                        {(m.id, measure.id): v for m, v in zip(members, values, strict=True)}, TODAY)


def test_the_family_section_compares_the_same_persons_as_worked_out_by_hand(session, world):
    h1, m1 = _family(session, world.organisation, 4)
    h2, m2 = _family(session, world.organisation, 3)
    ops.save_dreams(session, world.coordinator, h1.id, "", False)  # makes the catalogue
    friend = session.exec(select(Measure).where(Measure.organisation_id == world.organisation.id,
                                                Measure.code == "danish_network")).one()
    start, later, end = TODAY - timedelta(days=200), TODAY - timedelta(days=100), TODAY - timedelta(days=5)
    # Family 1: entry no, no, yes, no; at a meeting yes, no, yes, yes; at the end yes, yes, yes, -
    _answer(session, world, h1, m1, friend, "entry", [False, False, True, False], start)
    _answer(session, world, h1, m1, friend, "meeting", [True, False, True, True], later)
    _answer(session, world, h1, m1, friend, "at_end", [True, True, True, None], end)
    # Family 2: entry no, yes, no; at the end yes, yes, - (the third only has an entry).
    _answer(session, world, h2, m2, friend, "entry", [False, True, False], start)
    _answer(session, world, h2, m2, friend, "at_end", [True, True, None], end)
    figures = {f.measure.code: f for f in progress_figures(session, world.organisation.id)}
    f = figures["danish_network"]
    # Latest after entry: family 1 all four (end for three, the meeting for the fourth), family 2 two.
    # Entry yes among those six: m1[2], m2[1] = 2. Latest yes: m1 0,1,2 (end), m1[3] (meeting) + m2 0,1 = 6.
    assert (f.latest.persons, f.latest.at_entry, f.latest.later) == (6, 2, 6)
    # At the end: five persons (m1 0-2, m2 0-1), yes at entry 2, yes at the end 5.
    assert (f.end.persons, f.end.at_entry, f.end.later) == (5, 2, 5)


def test_no_figure_is_shown_for_fewer_than_five_persons(session, world):
    h, members = _family(session, world.organisation, 4)
    ops.save_dreams(session, world.coordinator, h.id, "", False)
    measure = session.exec(select(Measure).where(Measure.organisation_id == world.organisation.id)).first()
    _answer(session, world, h, members, measure, "entry", [True] * 4, TODAY - timedelta(days=9))
    _answer(session, world, h, members, measure, "at_end", [True] * 4, TODAY)
    (f,) = progress_figures(session, world.organisation.id)
    assert f.end.persons == 4 and f.end.at_entry is None and f.end.later is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([None, True, False]), st.sampled_from([None, True, False]),
                          st.sampled_from([None, True, False])), min_size=1, max_size=9))
def test_every_figure_counts_exactly_the_persons_answered_at_both_moments(session, world, people):
    session.rollback()
    for row in session.exec(select(ProgressRecord)):
        session.delete(row)
    session.commit()
    h, members = _family(session, world.organisation, len(people))
    ops.save_dreams(session, world.coordinator, h.id, "", False)
    measure = session.exec(select(Measure).where(Measure.organisation_id == world.organisation.id)).first()
    for moment, index, day in (("entry", 0, 30), ("meeting", 1, 20), ("at_end", 2, 10)):
        values = [p[index] for p in people]
        if any(v is not None for v in values):
            _answer(session, world, h, members, measure, moment, values, TODAY - timedelta(days=day))
    figures = {f.measure.id: f for f in progress_figures(session, world.organisation.id)}
    entry = [p for p in people if p[0] is not None]
    if not entry:
        assert measure.id not in figures
        return
    f = figures[measure.id]
    latest = [(p[0], p[2] if p[2] is not None else p[1]) for p in entry if p[1] is not None or p[2] is not None]
    ended = [(p[0], p[2]) for p in entry if p[2] is not None]
    for comparison, pairs in ((f.latest, latest), (f.end, ended)):
        assert comparison.persons == len(pairs)
        if len(pairs) < MIN_PERSONS:
            assert comparison.at_entry is None and comparison.later is None
        else:
            assert comparison.at_entry == sum(a for a, _ in pairs) and comparison.later == sum(b_ for _, b_ in pairs)


def test_a_professional_at_capacity_is_refused_and_a_proposal_never_breaks_capacity(session, world):
    h1, _ = _family(session, world.organisation, 2)
    h2, _ = _family(session, world.organisation, 2)
    h3, _ = _family(session, world.organisation, 2)
    ops.save_dreams(session, world.coordinator, h1.id, "", False)
    pro = Professional(organisation_id=world.organisation.id, name="Eneste", capacity=1)
    session.add(pro)
    session.commit()
    key = f"professional:{pro.id}"
    set_team(session, world.coordinator, h1.id, [key], key, TODAY)
    with pytest.raises(DomainError) as refused:
        set_team(session, world.coordinator, h2.id, [key], key, TODAY)
    assert "kan bære" in refused.value.msgid or "carry" in refused.value.msgid
    run = propose_teams(session, world.coordinator, [h2.id, h3.id], TODAY, time_limit_s=2)
    assert run.families == 2
    session.rollback()
    teams = list(session.exec(select(TeamMember).where(TeamMember.professional_id == pro.id)))
    assert len(teams) == 1  # the proposal did not hand the full professional to h2 or h3
    # Keeping the same team is not "one more family".
    set_team(session, world.coordinator, h1.id, [key], key, TODAY)


def test_a_proposal_covers_the_goals_needs_and_explains_the_primary_contact(session, world):
    h, members = _family(session, world.organisation, 2)
    ops.add_goal(session, world.coordinator, h.id, members[0].id, "school_daycare", "Lektier")
    ops.add_goal(session, world.coordinator, h.id, members[1].id, "job_education", "Praktik")
    competences = {c.code: c.id for c in session.exec(select(Competence))}
    school = ops.save_professional(session, world.coordinator, None, name="Skole", unit="", phone="", email="",
                                   competence_ids=[competences["school"]], languages=["ar"], capacity=3)
    job = ops.save_professional(session, world.coordinator, None, name="Job", unit="", phone="", email="",
                                competence_ids=[competences["job_education"]], languages=[], capacity=3)
    ops.save_professional(session, world.coordinator, None, name="Ingenting", unit="", phone="", email="",
                          competence_ids=[], languages=[], capacity=3)
    propose_teams(session, world.coordinator, [h.id], TODAY, time_limit_s=2)
    session.rollback()
    view = plan_view(session, session.get(Household, h.id))
    proposal = view.team.proposal
    assert sorted(m["key"] for m in proposal["members"]) == sorted([f"professional:{school.id}",
                                                                    f"professional:{job.id}"])
    assert proposal["uncovered"] == [] and proposal["optimal"]
    # The family speaks Arabic: the school professional who does is the primary contact, and says why.
    assert proposal["primary"] == f"professional:{school.id}" and "language" in proposal["primary_reasons"]


def test_erasing_a_family_blanks_its_plan_ends_its_team_and_keeps_the_yes_no_figures(session, world):
    h = world.household
    members = list(session.exec(select(HouseholdMember).where(HouseholdMember.household_id == h.id)))
    ops.save_dreams(session, world.coordinator, h.id, "Vi drømmer om et hus", True)
    ops.add_goal(session, world.coordinator, h.id, members[0].id, "health", "Komme til lægen", worries="Ondt")
    ops.hold_meeting(session, world.coordinator, h.id, TODAY, "family", "Mor og far", "Vi ringer til lægen",
                     {"text": "Mor ringer", "owner_kind": "member", "owner_id": members[0].id}, today=TODAY)
    measure = session.exec(select(Measure).where(Measure.organisation_id == world.organisation.id)).first()
    ops.record_progress(session, world.coordinator, h.id, "entry", TODAY, {(members[0].id, measure.id): True}, TODAY)
    pro = ops.save_professional(session, world.coordinator, None, name="Lone", unit="", phone="", email="",
                                competence_ids=[], languages=[], capacity=2)
    set_team(session, world.coordinator, h.id, [f"professional:{pro.id}"], f"professional:{pro.id}", TODAY)
    exported = export_mentee(session, "Household", h.id, world.admin)
    work = exported["family_work"]
    assert work["plan"]["dreams"] == "Vi drømmer om et hus" and work["goals"][0]["title"] == "Komme til lægen"
    assert work["agreements"][0]["text"] == "Mor ringer" and work["progress"][0]["value"] is True
    assert work["team"][0]["professional_id"] == pro.id and work["meetings"][0]["agreed"] == "Vi ringer til lægen"
    erase_mentee(session, "Household", h.id, world.admin, TODAY)
    session.rollback()
    view = plan_view(session, session.get(Household, h.id))
    texts = [view.plan.dreams, *(g.title + g.worries for g in view.goals), *(a.text for a in view.agreements),
             *(m.participants + m.agreed for m in view.meetings)]
    assert not any(word in " ".join(texts) for word in ("hus", "lægen", "Ondt", "Mor", "far"))
    assert view.team_members == []
    assert len(list(session.exec(select(ProgressRecord).where(ProgressRecord.household_id == h.id)))) == 1
    assert session.exec(select(FamilyPlan).where(FamilyPlan.household_id == h.id)).one().dreams == ""
