"""The programmes' rules (issue 12): heavy cases and experience, børneattest, consent, the
one-year measure, meeting reminders by the pair's rhythm, and the handover at closure.

Every rule that depends on time gets its day passed in.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from matching.run import execute_run, start_run
from models import clock
from models.audit import AuditEvent
from models.child_protection import CERTIFICATE_STEP
from models.consent import ConsentDraft, ConsentRecord, add_consent, consent_text, withdraw_consent
from models.errors import DomainError
from models.followup import Closure, close_match, record_checkin
from models.intake import MenteeDraft, RequestDraft, register_household, register_youth
from models.introductions import record_introduction
from models.matches import CheckIn, Match
from models.matchruns import MatchRun, Proposal
from models.mentees import Request
from models.outbox import OutboxMessage
from models.program_settings import ProgramChanges, update_program
from models.proposals import SoftConcerns, approve_proposal, manual_match
from models.reminders import send_reminders
from models.screening import approve_volunteer
from models.volunteers import ScreeningStep
from seed import builders as b
from tests.conftest import fresh, login

TODAY = date(2026, 11, 22)
OUTCOME = {"education_or_work": "yes", "leisure_activity": "no", "social_case": "no"}


def _youth_request(session, program, complexity: int = 0, age: int = 15, **fields):  # noqa: ANN001, ANN003, ANN202
    youth = b.make_youth(session, program_org(session, program), birth_year=TODAY.year - age, today=TODAY)
    return b.make_request(session, program, youth=youth, today=TODAY, complexity=complexity, **fields)


def program_org(session, program):  # noqa: ANN001, ANN201
    from models.organisations import Organisation

    return session.get(Organisation, program.organisation_id)


def _run(engine, session, program):  # noqa: ANN001, ANN202
    run = start_run(session, program, by_user_id=None)
    execute_run(engine, run.id, TODAY)
    session.expire_all()
    return session.exec(select(Proposal).where(Proposal.run_id == run.id)).all()


# --- heavy cases need experience ----------------------------------------------------------

def test_a_new_program_needs_an_experienced_volunteer_for_high_and_the_most_experienced_for_very_high(session, world):
    program = b.make_program(session, world.organisation)
    assert program.rules().min_experience_by_complexity == (0, 0, 2, 3)
    assert program.max_high_complexity_per_volunteer == 1


@pytest.mark.parametrize("complexity", [2, 3])
def test_a_heavy_case_is_only_proposed_to_volunteers_with_the_programs_least_experience(engine, session, world,
                                                                                          complexity):
    program = b.make_program(session, world.organisation)
    volunteers = {level: b.make_volunteer(session, program, experience=level, today=TODAY) for level in range(4)}
    _youth_request(session, program, complexity=complexity)
    session.commit()
    proposals = _run(engine, session, program)
    needed = program.rules().min_experience_by_complexity[complexity]
    proposed = {p.volunteer_id for p in proposals}
    assert proposed == {v.id for level, v in volunteers.items() if level >= needed}


def test_heavy_cases_a_volunteer_already_has_count_against_the_cap(engine, session, world):
    program = b.make_program(session, world.organisation, max_high_complexity_per_volunteer=1)
    pro = b.make_volunteer(session, program, experience=3, capacity=3, today=TODAY)
    b.make_match(session, _youth_request(session, program, complexity=3), pro, started_on=TODAY - timedelta(days=90))
    heavy = _youth_request(session, program, complexity=2)
    light = _youth_request(session, program, complexity=0)
    session.commit()
    proposed = {p.request_id for p in _run(engine, session, program) if p.volunteer_id == pro.id}
    assert heavy.id not in proposed and light.id in proposed
    program.max_high_complexity_per_volunteer = 2
    session.add(program)
    session.commit()
    proposed = {p.request_id for p in _run(engine, session, program) if p.volunteer_id == pro.id and p.rank == 1}
    assert heavy.id in proposed


def test_one_run_never_gives_a_volunteer_more_heavy_cases_than_the_cap(engine, session, world):
    program = b.make_program(session, world.organisation, max_high_complexity_per_volunteer=2)
    pro = b.make_volunteer(session, program, experience=3, capacity=5, today=TODAY)
    b.make_match(session, _youth_request(session, program, complexity=3), pro, started_on=TODAY - timedelta(days=30))
    for _ in range(4):
        _youth_request(session, program, complexity=3)
    session.commit()
    firsts = [p for p in _run(engine, session, program) if p.rank == 1 and p.volunteer_id == pro.id]
    assert len(firsts) == 1  # one held + one new = the cap of 2


def test_a_manual_match_below_the_minimum_is_refused_and_one_at_the_limit_needs_confirmation(session, world):
    program = world.program
    novice = b.make_volunteer(session, program, experience=1, today=TODAY)
    experienced = b.make_volunteer(session, program, experience=2, today=TODAY)
    request = _youth_request(session, program, complexity=2)
    session.commit()
    with pytest.raises(DomainError) as error:
        manual_match(session, request.id, novice.id, world.coordinator, TODAY, confirm_soft=True)
    assert error.value.params["rule"] == "the request is too complex for the volunteer's experience"
    with pytest.raises(SoftConcerns) as soft:
        manual_match(session, request.id, experienced.id, world.coordinator, TODAY)
    assert "the volunteer has just the least experience the program allows for this complexity" in soft.value.concerns
    match = manual_match(session, request.id, experienced.id, world.coordinator, TODAY, confirm_soft=True)
    assert match.volunteer_id == experienced.id


def test_approving_an_alternative_that_would_exceed_the_heavy_cap_is_refused(session, world):
    program = world.program
    pro = b.make_volunteer(session, program, experience=3, capacity=2, today=TODAY)
    b.make_match(session, _youth_request(session, program, complexity=3), pro, started_on=TODAY - timedelta(days=30))
    heavy = _youth_request(session, program, complexity=2)
    run = MatchRun(organisation_id=world.organisation.id, program_id=program.id, status="done")
    session.add(run)
    session.flush()
    proposal = Proposal(organisation_id=world.organisation.id, run_id=run.id, request_id=heavy.id,
                        volunteer_id=pro.id, score=0.5, rank=2, breakdown={})
    session.add(proposal)
    session.commit()
    with pytest.raises(DomainError) as error:
        approve_proposal(session, proposal.id, world.coordinator, TODAY)
    assert "heavy cases" in error.value.params["rule"]
    fresh(session)
    assert session.get(Request, heavy.id).status == "waiting"


def _changes(program, **overrides) -> ProgramChanges:  # noqa: ANN001
    values = {name: getattr(program, name) for name in (
        "name", "description", "serves", "min_age", "max_age", "max_distance_km", "waiting_target_days",
        "inactivity_days", "required_steps", "checkin_plan_days", "interests", "weights", "measures_followup",
        "outcome_required", "retention_months", "goal_matches", "goal_period_months", "active",
        "min_experience_by_complexity", "max_high_complexity_per_volunteer", "measures_one_year")}
    values.update(overrides)
    return ProgramChanges(**values)


@pytest.mark.parametrize(("minimums", "cap", "field"), [
    ([0, 2, 1, 3], 1, "min_experience"),  # a heavier case may not need less
    ([0, 0, 2, 4], 1, "min_experience"),  # no such experience level
    ([0, 0, 2, 3], 0, "max_high_complexity_per_volunteer"),
])
def test_bad_experience_rules_are_refused_and_nothing_is_saved(session, world, minimums, cap, field):
    program = world.program
    with pytest.raises(DomainError) as error:
        update_program(session, program, _changes(program, min_experience_by_complexity=minimums,
                                                  max_high_complexity_per_volunteer=cap), world.admin, today=TODAY)
    assert error.value.field == field
    session.rollback()
    fresh(session)
    assert session.get(type(program), program.id).min_experience_by_complexity == [0, 0, 2, 3]


def _settings_form(client, program_id: int) -> dict:  # noqa: ANN001
    from tests.web.test_admin_pages import _program_form

    return _program_form(client, program_id)


def test_an_admin_sets_the_least_experience_and_the_cap_on_the_settings_page(as_role, session, world):
    client = as_role("admin")
    data = _settings_form(client, world.program.id)
    assert data["min_experience_2"] == "2" and data["min_experience_3"] == "3"
    data.update({"min_experience_1": "1", "min_experience_2": "3", "max_high_complexity_per_volunteer": "2",
                 "required_steps": list(world.program.required_steps), "action": "save"})
    response = client.post(f"/admin/programmer/{world.program.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    fresh(session)
    program = session.get(type(world.program), world.program.id)
    assert program.min_experience_by_complexity == [0, 1, 3, 3] and program.max_high_complexity_per_volunteer == 2
    data = _settings_form(client, world.program.id)  # the saved settings' new version
    data.update({"min_experience_1": "3", "min_experience_2": "2", "max_high_complexity_per_volunteer": "",
                 "required_steps": list(world.program.required_steps), "action": "save"})
    response = client.post(f"/admin/programmer/{world.program.id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "En tungere sag kan ikke kræve mindre erfaring end en lettere" in page
    assert 'value="3" selected' in page or 'selected value="3"' in page  # what was chosen is kept


def test_the_live_preview_uses_the_experience_rules_of_the_form(as_role, session, world):
    for level in range(4):
        b.make_volunteer(session, world.program, experience=level, today=TODAY)
    for _ in range(3):
        _youth_request(session, world.program, complexity=1)
    session.commit()
    client = as_role("admin")
    data = _settings_form(client, world.program.id)
    data.update({"min_experience_0": "3", "min_experience_1": "3", "min_experience_2": "3", "action": "preview",
                 "required_steps": list(world.program.required_steps)})
    response = client.post(f"/admin/programmer/{world.program.id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[:2000]
    import re

    now, after = (int(n) for n in re.search(r"Matchet: (\d+) nu, (\d+) med", page).groups())
    assert after < now  # only the professionals may take a case with these minimums
    fresh(session)
    assert session.get(type(world.program), world.program.id).min_experience_by_complexity == [0, 0, 2, 3]


def test_the_proposal_card_shows_the_volunteers_experience_and_warns_at_the_limit(engine, as_role, session, world):
    program = world.program
    b.make_volunteer(session, program, first_name="Erfarne", experience=2, today=TODAY)
    _youth_request(session, program, complexity=2)
    session.commit()
    run = start_run(session, program, by_user_id=None)
    execute_run(engine, run.id, TODAY)
    page = as_role("coordinator").get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert "Erfaring: Erfaren med udsatte unge eller familier" in page
    assert "Tæt på grænsen" in page and "tunge sager nu: 0 af højst 1" in page


# --- børneattest --------------------------------------------------------------------------

def test_a_program_taking_youths_under_15_cannot_leave_out_the_boerneattest(session, world):
    program = world.program  # 13-18
    with pytest.raises(DomainError) as error:
        update_program(session, program, _changes(program, required_steps=["interview", "references"]),
                       world.admin, today=TODAY)
    assert error.value.field == "required_steps" and "by law" in error.value.msgid
    session.rollback()
    older = b.make_program(session, world.organisation, min_age=16, max_age=25)
    session.commit()
    update_program(session, older, _changes(older, required_steps=["interview"]), world.admin, today=TODAY)
    assert older.required_steps == ["interview"]


def test_a_family_program_with_a_child_under_15_cannot_leave_out_the_boerneattest(session, world):
    program = world.family_program  # the world's family has a child born in 2015
    with pytest.raises(DomainError) as error:
        update_program(session, program, _changes(program, required_steps=["interview"]), world.admin, today=TODAY)
    assert error.value.params == {"n": 1}


def test_the_settings_page_explains_why_the_boerneattest_stays(as_role, session, world):
    client = as_role("admin")
    data = _settings_form(client, world.program.id)
    data.update({"required_steps": ["interview"], "action": "save"})
    response = client.post(f"/admin/programmer/{world.program.id}", data=data)
    assert response.status_code == 400
    assert "børneattest er lovpligtig" in response.get_data(as_text=True)
    fresh(session)
    assert CERTIFICATE_STEP in session.get(type(world.program), world.program.id).required_steps


def test_taking_in_a_youth_under_15_adds_the_boerneattest_to_a_program_without_it(session, world):
    program = b.make_program(session, world.organisation, min_age=16, max_age=25, required_steps=["interview"])
    session.commit()
    draft = RequestDraft(program=program, need="En voksenven")
    with pytest.raises(DomainError):  # 14 is outside 16-25: refused, and nothing changes
        register_youth(session, world.coordinator, TODAY, first_name="Sara", last_name="Ali",
                       birth_year=TODAY.year - 14, gender="female", profile=MenteeDraft(postcode="4000"),
                       consent=ConsentDraft("Mor Ali", "guardian", TODAY), request=draft)
    session.rollback()
    family = b.make_program(session, world.organisation, serves="family", min_age=0, max_age=99,
                            required_steps=["interview"])
    session.commit()
    register_household(session, world.coordinator, TODAY, family_name="Familien Ali", contact_name="Mor Ali",
                       contact_phone="", contact_email="", wishes="", profile=MenteeDraft(postcode="4000"),
                       members=[("Mor", "parent", 1985, "female"), ("Sara", "child", TODAY.year - 7, "female")],
                       consent=ConsentDraft("Mor Ali", "self", TODAY),
                       requests=[RequestDraft(program=family, need="Venskabsfamilie")])
    fresh(session)
    assert CERTIFICATE_STEP in session.get(type(family), family.id).required_steps
    event = session.exec(select(AuditEvent).where(AuditEvent.record_type == "Program",
                                                  AuditEvent.record_id == family.id)).one()
    assert event.detail["added"] == CERTIFICATE_STEP


def test_a_boerneattest_with_remarks_does_not_count(engine, session, world):
    program = world.program
    volunteer = b.make_volunteer(session, program, status="screening", today=TODAY)
    for step in session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id)):
        step.status = "remarks" if step.step == CERTIFICATE_STEP else "approved"
        session.add(step)
    session.commit()
    with pytest.raises(DomainError):
        approve_volunteer(session, volunteer, world.coordinator, TODAY)
    # Approved before the program served young children: kept from children under 15 only.
    session.rollback()
    older = b.make_volunteer(session, program, experience=3, today=TODAY)
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == older.id,
                                                    ScreeningStep.step == CERTIFICATE_STEP)).one()
    step.status = "remarks"
    session.add(step)
    young, teen = _youth_request(session, program, age=13), _youth_request(session, program, age=16)
    session.commit()
    proposed = {p.request_id for p in _run(engine, session, program) if p.volunteer_id == older.id}
    assert young.id not in proposed and teen.id in proposed
    with pytest.raises(DomainError) as error:
        manual_match(session, young.id, older.id, world.coordinator, TODAY, confirm_soft=True)
    assert "børneattest" in error.value.params["rule"]


# --- consent ------------------------------------------------------------------------------

def _register(session, world, age: int, consent, second=None):  # noqa: ANN001, ANN202
    return register_youth(session, world.coordinator, TODAY, first_name="Noor", last_name="Haddad",
                          birth_year=TODAY.year - age, gender="female", profile=MenteeDraft(postcode="4000"),
                          consent=consent, second_consent=second,
                          request=RequestDraft(program=world.program, need="En voksenven"))


def test_both_custody_holders_consent_with_the_day_they_gave_it(session, world):
    given = date(2026, 7, 30)
    youth, _ = _register(session, world, 13, ConsentDraft("Mor Haddad", "guardian", given),
                         ConsentDraft("Far Haddad", "guardian", given + timedelta(days=2)))
    records = session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "youth",
                                                       ConsentRecord.subject_id == youth.id)
                           .order_by(ConsentRecord.given_on)).all()
    assert [(r.given_by, r.given_on) for r in records] == [("Mor Haddad", given), ("Far Haddad", date(2026, 8, 1))]
    assert all("foreningen" in r.text and "forældremyndighedsindehaver" in r.text for r in records)


def test_from_15_a_youth_may_consent_alone_but_not_before(session, world):
    with pytest.raises(DomainError) as error:
        _register(session, world, 14, ConsentDraft("Noor Haddad", "self", TODAY))
    assert error.value.field == "consent_relation"
    session.rollback()
    youth, request = _register(session, world, 15, ConsentDraft("Noor Haddad", "self", TODAY - timedelta(days=3)))
    consent = session.exec(select(ConsentRecord).where(ConsentRecord.subject_id == youth.id,
                                                       ConsentRecord.subject_type == "youth")).one()
    assert consent.relation == "self" and "om mig" in consent.text and request.status == "waiting"


@pytest.mark.parametrize(("draft", "field"), [
    (ConsentDraft("Mor Haddad", "guardian", None), "consent_given_on"),
    (ConsentDraft("Mor Haddad", "guardian", TODAY + timedelta(days=1)), "consent_given_on"),
    (ConsentDraft("Mor Haddad", "aunt", TODAY), "consent_relation"),
])
def test_a_consent_needs_a_real_date_and_a_role_that_may_consent(session, world, draft, field):
    with pytest.raises(DomainError) as error:
        _register(session, world, 13, draft)
    assert error.value.field == field


def test_the_second_consents_errors_point_at_the_second_consents_fields(session, world):
    with pytest.raises(DomainError) as error:
        _register(session, world, 13, ConsentDraft("Mor", "guardian", TODAY), ConsentDraft("Far", "guardian", None))
    assert error.value.field == "consent2_given_on"


def test_a_municipality_says_kommunen_in_every_consent_text(session):
    for kind in ("volunteer", "guardian", "youth", "household"):
        assert "kommunen" in consent_text(kind, "municipality") and "foreningen" not in consent_text(kind,
                                                                                                      "municipality")
        assert "foreningen" in consent_text(kind, "association")


def test_the_volunteer_consent_says_what_is_shared_with_whom():
    text = consent_text("volunteer", "association")
    assert "fornavn og mine kontaktoplysninger" in text and "koordinatorer ser min profil" in text
    assert "Ingen andre" in text and "deles ikke med andre" not in text


def test_a_municipalitys_sign_up_form_shows_and_stores_the_municipal_text(client, session, world):
    world.organisation.kind = "municipality"
    session.add(world.organisation)
    session.commit()
    page = client.get(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}").get_data(as_text=True)
    assert "kommunen" in page and "Oplysningerne deles ikke med andre" not in page


def test_withdrawing_consent_takes_the_requests_out_of_matching_until_consent_is_given_again(session, world):
    household = b.make_household(session, world.organisation)
    session.add(ConsentRecord(organisation_id=world.organisation.id, subject_type="household",
                              subject_id=household.id, given_by="Rasha", relation="self", purpose="mentoring",
                              text_version="2026-2", text="…", given_on=TODAY - timedelta(days=60)))
    waiting = b.make_request(session, world.family_program, household=household, today=TODAY)
    matched = b.make_request(session, world.family_program, household=household, today=TODAY, need="Ven")
    volunteer = b.make_volunteer(session, world.family_program, supports="family", today=TODAY)
    match = b.make_match(session, matched, volunteer, started_on=TODAY - timedelta(days=40))
    session.commit()
    consent = session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "household",
                                                       ConsentRecord.subject_id == household.id)).one()
    effects = withdraw_consent(session, consent.id, world.coordinator, TODAY, withdrawn_on=TODAY - timedelta(days=1),
                               withdrawn_by="Rasha", note="Familien flytter")
    assert effects.paused_requests == [waiting.id] and effects.open_matches == [match.id]
    fresh(session)
    assert session.get(Request, waiting.id).status == "consent_withdrawn"
    withdrawn = session.get(ConsentRecord, consent.id)
    assert (withdrawn.withdrawn_on, withdrawn.withdrawn_by) == (TODAY - timedelta(days=1), "Rasha")
    audit = session.exec(select(AuditEvent).where(AuditEvent.record_type == "Household",
                                                  AuditEvent.record_id == household.id)).all()
    assert any(a.detail.get("consent_withdrawn") == consent.id for a in audit)
    # Closing the match cannot put the request back on the waiting list while consent is withdrawn.
    close_match(session, match.id, world.coordinator, TODAY,
                Closure(closed_on=TODAY, reason="moved", outcome=OUTCOME, request_back_to_pool=True))
    fresh(session)
    assert session.get(Request, matched.id).status == "consent_withdrawn"
    with pytest.raises(DomainError):
        withdraw_consent(session, consent.id, world.coordinator, TODAY, withdrawn_on=TODAY, withdrawn_by="Rasha")
    session.rollback()
    _record, back = add_consent(session, world.coordinator, "household", household.id,
                                ConsentDraft("Rasha", "self", TODAY), TODAY)
    assert sorted(back) == sorted([waiting.id, matched.id])
    fresh(session)
    assert {session.get(Request, r).status for r in back} == {"waiting"}


def test_one_custody_holders_withdrawal_ends_the_consent_of_both(session, world):
    youth, request = _register(session, world, 13, ConsentDraft("Mor", "guardian", TODAY - timedelta(days=9)),
                               ConsentDraft("Far", "guardian", TODAY - timedelta(days=9)))
    mother = session.exec(select(ConsentRecord).where(ConsentRecord.subject_id == youth.id,
                                                      ConsentRecord.given_by == "Mor")).one()
    withdraw_consent(session, mother.id, world.coordinator, TODAY, withdrawn_on=TODAY, withdrawn_by="Mor")
    fresh(session)
    assert session.get(Request, request.id).status == "consent_withdrawn"


def test_the_withdrawal_page_says_what_happens_and_asks_for_confirmation(as_role, session, world):
    client = as_role("coordinator")
    url = f"/koordinator/samtykke/{world.youth_consent.id}/tilbagetraek"
    page = client.get(url).get_data(as_text=True)
    assert "Hvad der sker nu" in page and "Afslut forløb" in page  # the youth has an open match
    response = client.post(url, data={"withdrawn_on": TODAY.isoformat(), "withdrawn_by": "Forælder Hansen"})
    assert response.status_code == 400 and "Sæt kryds" in response.get_data(as_text=True)
    fresh(session)
    assert session.get(ConsentRecord, world.youth_consent.id).withdrawn_on is None
    response = client.post(url, data={"withdrawn_on": "21-11-2026", "withdrawn_by": "Forælder Hansen",
                                      "note": "Vil ikke mere", "confirm": "y"})
    assert response.status_code == 302
    fresh(session)
    assert session.get(ConsentRecord, world.youth_consent.id).withdrawn_on == date(2026, 11, 21)
    page = client.get(f"/koordinator/unge/{world.youth.id}").get_data(as_text=True)
    assert "Trukket tilbage den 21-11-2026 af Forælder Hansen" in page


def test_a_coordinator_records_the_second_custody_holders_consent(as_role, session, world):
    client = as_role("coordinator")
    url = f"/koordinator/youth/{world.youth.id}/samtykke"
    response = client.post(url, data={"given_by": "Far Hansen", "relation": "guardian", "given_on": "2099-01-01",
                                      "confirmed": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "kan ikke ligge i fremtiden" in page and 'value="Far Hansen"' in page
    response = client.post(url, data={"given_by": "Far Hansen", "relation": "guardian", "given_on": "01-10-2026",
                                      "confirmed": "y"})
    assert response.status_code == 302
    fresh(session)
    record = session.exec(select(ConsentRecord).where(ConsentRecord.given_by == "Far Hansen")).one()
    assert record.given_on == date(2026, 10, 1) and record.subject_id == world.youth.id



def test_a_consent_form_sent_twice_records_one_consent_and_says_so(as_role, session, world):
    client = as_role("coordinator")
    url = f"/koordinator/youth/{world.youth.id}/samtykke"
    data = {"given_by": "Far Dobbelt", "relation": "guardian", "given_on": "01-10-2026", "confirmed": "y",
            "submit_key": uuid.uuid4().hex}
    assert client.post(url, data=data).status_code == 302
    again = client.post(url, data=data, follow_redirects=True)
    assert again.status_code == 200 and "Dette samtykke er allerede registreret." in again.get_data(as_text=True)
    fresh(session)
    assert len(session.exec(select(ConsentRecord).where(ConsentRecord.given_by == "Far Dobbelt")).all()) == 1

# --- the one-year measure -----------------------------------------------------------------

def _introduced(session, world, **program_fields):  # noqa: ANN001, ANN003, ANN202
    program = b.make_program(session, world.organisation, **program_fields)
    volunteer = b.make_volunteer(session, program, today=TODAY)
    match = b.make_match(session, _youth_request(session, program), volunteer, status="introduced",
                         created_at=datetime(2026, 1, 5, tzinfo=UTC))
    session.commit()
    return match


def test_a_match_that_starts_gets_its_one_year_measure_which_outlasts_an_early_closure(session, world):
    match = _introduced(session, world)
    start = TODAY - timedelta(days=100)
    record_introduction(session, match.id, world.coordinator, start, TODAY, volunteer_yes=True, mentee_yes=True)
    measure = session.exec(select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.kind == "one_year")).one()
    assert measure.due_on == start + timedelta(days=365)
    close_match(session, match.id, world.coordinator, TODAY, Closure(closed_on=TODAY, reason="moved", outcome=OUTCOME))
    fresh(session)
    due = {c.kind: c.due_on for c in session.exec(select(CheckIn).where(CheckIn.match_id == match.id,
                                                                        CheckIn.done_on.is_(None)))}
    assert due == {"one_year": start + timedelta(days=365), "followup": TODAY + timedelta(days=365)}
    later = start + timedelta(days=366)
    from models.followup import CheckInAnswers

    with pytest.raises(DomainError) as error:  # the measure asks the outcome questions
        record_checkin(session, match.id, world.coordinator, later,
                       CheckInAnswers(done_on=later, contacted=["youth"], rating=None))
    assert error.value.field == "outcome"
    checkin = record_checkin(session, match.id, world.coordinator, later,
                             CheckInAnswers(done_on=later, contacted=["youth"], rating=None, outcome=OUTCOME))
    assert checkin.kind == "one_year" and checkin.outcome["social_case"] == "no"


def test_a_program_that_does_not_measure_after_a_year_plans_no_measure(session, world):
    match = _introduced(session, world, measures_one_year=False)
    record_introduction(session, match.id, world.coordinator, TODAY, TODAY, volunteer_yes=True, mentee_yes=True)
    assert not session.exec(select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.kind == "one_year")).all()


def test_the_dashboard_counts_the_one_year_measure_and_break_offs_by_complexity(session, world):
    from models.dashboard import build_dashboard

    program = world.program
    start = TODAY - timedelta(days=400)
    for complexity, reason in ((3, "too_heavy"), (3, "goal_reached"), (3, None), (0, "bad_chemistry")):
        volunteer = b.make_volunteer(session, program, experience=3, today=TODAY)
        match = b.make_match(session, _youth_request(session, program, complexity=complexity), volunteer,
                             started_on=start, status="closed" if reason else "active",
                             closed_on=TODAY - timedelta(days=10) if reason else None, closure_reason=reason)
        session.add(CheckIn(match_id=match.id, kind="one_year", due_on=start + timedelta(days=365),
                            done_on=start + timedelta(days=366), outcome={**OUTCOME, "social_case": "no"}))
    session.commit()
    d = build_dashboard(session, world.organisation.id, TODAY - timedelta(days=60), TODAY, TODAY,
                        program_id=program.id)
    assert d.breakoffs_by_complexity[3] == (3, 1)  # 3 started, 1 broke off early ("too heavy")
    assert d.breakoffs_by_complexity[0][1] == 1
    assert d.one_year_outcomes["social_case"]["no"] == 4


# --- meeting reminders by the pair's rhythm -------------------------------------------------

def _quiet_pair(session, world, rhythm: str | None, email: str):  # noqa: ANN001, ANN202
    volunteer = b.make_volunteer(session, world.program, email=email, today=TODAY)
    match = b.make_match(session, _youth_request(session, world.program), volunteer, started_on=TODAY,
                         meeting_rhythm=rhythm)
    session.commit()
    return match


def _reminders_to(session, email: str) -> int:  # noqa: ANN001
    session.expire_all()
    return len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "meeting_reminder",
                                                        OutboxMessage.to_email == email)).all())


@pytest.mark.parametrize(("rhythm", "first_day"), [("weekly", 11), ("biweekly", 21), ("monthly", 38), (None, 14)])
def test_a_quiet_pair_is_reminded_by_its_rhythm_plus_grace_and_at_most_once_per_interval(session, world, rhythm,
                                                                                          first_day):
    email = f"takt-{rhythm}@example.org"
    _quiet_pair(session, world, rhythm, email)
    base = "https://makker.test"
    send_reminders(session, TODAY + timedelta(days=first_day - 1), base, world.organisation.id)
    assert _reminders_to(session, email) == 0
    day = TODAY + timedelta(days=first_day)
    send_reminders(session, day, base, world.organisation.id)
    send_reminders(session, day, base, world.organisation.id)  # twice the same day: once
    assert _reminders_to(session, email) == 1
    send_reminders(session, day + timedelta(days=first_day - 1), base, world.organisation.id)
    assert _reminders_to(session, email) == 1  # not again within the interval
    send_reminders(session, day + timedelta(days=first_day), base, world.organisation.id)
    assert _reminders_to(session, email) == 2


def test_a_pair_that_meets_as_they_agree_is_never_nagged(session, world):
    _quiet_pair(session, world, "as_agreed", "frit@example.org")
    for days in (14, 60, 200):
        send_reminders(session, TODAY + timedelta(days=days), "https://makker.test", world.organisation.id)
    assert _reminders_to(session, "frit@example.org") == 0


def test_the_rhythm_is_recorded_at_the_introduction_and_changed_on_the_match_page(as_role, session, world):
    match = _introduced(session, world)
    record_introduction(session, match.id, world.coordinator, TODAY, TODAY, volunteer_yes=True, mentee_yes=True,
                        rhythm="monthly")
    assert session.get(Match, match.id).meeting_rhythm == "monthly"
    client = as_role("coordinator")
    assert "Hver måned" in client.get(f"/koordinator/makkerpar/{match.id}").get_data(as_text=True)
    response = client.post(f"/koordinator/makkerpar/{match.id}/rytme", data={"rhythm": "as_agreed"})
    assert response.status_code == 302
    fresh(session)
    assert session.get(Match, match.id).meeting_rhythm == "as_agreed"


def test_a_volunteer_sets_the_rhythm_of_their_own_match(as_role, session, world):
    client = as_role("volunteer")
    page = client.get("/frivillig/").get_data(as_text=True)
    assert "Hvor ofte mødes I?" in page
    response = client.post(f"/frivillig/makkerpar/{world.match.id}/rytme", data={f"m{world.match.id}-rhythm": "weekly"})
    assert response.status_code == 302
    fresh(session)
    assert session.get(Match, world.match.id).meeting_rhythm == "weekly"


# --- the handover at closure --------------------------------------------------------------

def test_the_closing_form_records_what_comes_next_and_it_is_shown_and_exported(app, as_role, session, world):
    client = as_role("coordinator")
    match = world.match
    response = client.post(f"/koordinator/makkerpar/{match.id}/afslut", data={
        "version": str(match.version), "closed_on": clock.today().isoformat(), "reason": "goal_reached",
        "next_step": "Fortsætter i fodboldklubben", "outcome-education_or_work": "yes",
        "outcome-leisure_activity": "yes", "outcome-social_case": "no", "pair_may_rematch": "no",
        "request_back": "no", "volunteer_back": "yes", "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    fresh(session)
    assert session.get(Match, match.id).next_step == "Fortsætter i fodboldklubben"
    assert "Fortsætter i fodboldklubben" in client.get(f"/koordinator/makkerpar/{match.id}").get_data(as_text=True)
    assert "Fortsætter i fodboldklubben" in client.get(f"/koordinator/unge/{world.youth.id}").get_data(as_text=True)
    for email, url in ((world.volunteer_user.email, "/frivillig/"), (world.admin.email, "/admin/makkerpar.csv")):
        other = app.test_client()
        login(other, email)
        assert "Fortsætter i fodboldklubben" in other.get(url).get_data(as_text=True), url
