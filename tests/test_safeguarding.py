"""Safeguarding papers (issue 15): the signed tavshedserklæring and frivilligaftale, the
børneattest that runs out, and "Jeg er bekymret"."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlmodel import select

from matching.run import execute_run, start_run
from models.errors import AlreadyDone, DomainError
from models.matches import Match
from models.matchruns import MatchRun, Proposal, WaitingReason
from models.outbox import OutboxMessage
from models.proposals import manual_match
from models.risk_state import at_risk_from_state
from models.safeguard.operations import (
    handle_concerns,
    publish_text,
    raise_concern,
    record_certificate,
    send_certificate_reminders,
    sign_text,
)
from models.safeguard.queries import (
    CERTIFICATE_STEP,
    REMIND_DAYS_BEFORE,
    add_months,
    certificate_state,
    current_text,
    signature_states,
    text_versions,
)
from models.safeguard.tables import TEXT_KINDS, CertificateReminder, Concern, Signature
from models.screening import approve_volunteer, screening_checklist
from models.volunteer_profile import erase_volunteer, export_volunteer
from models.volunteers import ScreeningStep, Volunteer
from seed import builders as b
from tests.conftest import fresh, login

TODAY = date(2026, 11, 22)
BASE = "http://makker.test"


def _screened(session, program, **fields):  # noqa: ANN001, ANN202
    """A volunteer in screening with every step of the program done (nothing signed yet)."""
    volunteer = b.make_volunteer(session, program, status="screening", today=TODAY, **fields)
    for step in session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id)):
        step.status, step.step_date = "approved", TODAY - timedelta(days=10)
        session.add(step)
    session.commit()
    return volunteer


def _sign_all(session, volunteer, by, today=TODAY):  # noqa: ANN001, ANN202
    for kind in TEXT_KINDS:
        text = current_text(session, volunteer.organisation_id, kind)
        sign_text(session, volunteer.id, kind, text.version, volunteer.name, by, today)


# --- signatures before approval ------------------------------------------------------------------

def test_a_volunteer_is_approved_only_after_signing_both_texts(session, world):
    volunteer = _screened(session, world.program)
    with pytest.raises(DomainError) as error:
        approve_volunteer(session, volunteer, world.coordinator, TODAY)
    assert error.value.params["n"] == 2  # the two signatures are what is missing
    session.rollback()
    sign_text(session, volunteer.id, "confidentiality", 1, volunteer.name, world.volunteer_user, TODAY)
    with pytest.raises(DomainError) as error:
        approve_volunteer(session, session.get(Volunteer, volunteer.id), world.coordinator, TODAY)
    assert error.value.params["n"] == 1
    session.rollback()
    sign_text(session, volunteer.id, "agreement", 1, f"  {volunteer.name.upper()} ", world.volunteer_user, TODAY)
    approved = approve_volunteer(session, session.get(Volunteer, volunteer.id), world.coordinator, TODAY)
    assert approved.status == "approved"
    signatures = session.exec(select(Signature).where(Signature.volunteer_id == volunteer.id)).all()
    assert sorted((s.kind, s.version, s.signed_on) for s in signatures) == [
        ("agreement", 1, TODAY), ("confidentiality", 1, TODAY)]
    checklist = {i.step: i for i in screening_checklist(session, approved)}
    assert checklist["sign_confidentiality"].done and checklist["sign_confidentiality"].step_date == TODAY


def test_a_new_version_asks_every_volunteer_to_sign_again_and_keeps_the_old_signatures(session, world):
    signed = _screened(session, world.program)
    _sign_all(session, signed, world.volunteer_user)
    text = publish_text(session, world.organisation.id, "agreement", "Frivilligaftale 2027",
                        "Ny aftale: vi mødes altid et offentligt sted de første gange.", world.admin)
    assert text.version == 2
    states = {s.kind: s for s in signature_states(session, session.get(Volunteer, signed.id))}
    assert states["agreement"].status == "new_version" and states["confidentiality"].status == "signed"
    with pytest.raises(DomainError):  # the old version's signature no longer counts for approval
        approve_volunteer(session, session.get(Volunteer, signed.id), world.coordinator, TODAY)
    session.rollback()
    # A page opened before the new version was published signs what the volunteer read: refused.
    with pytest.raises(DomainError) as error:
        sign_text(session, signed.id, "agreement", 1, signed.name, world.volunteer_user, TODAY)
    assert error.value.field == "version"
    session.rollback()
    sign_text(session, signed.id, "agreement", 2, signed.name, world.volunteer_user, TODAY + timedelta(days=1))
    assert approve_volunteer(session, session.get(Volunteer, signed.id), world.coordinator, TODAY).status == "approved"
    versions = {t.version: n for t, n in text_versions(session, world.organisation.id, "agreement")}
    assert versions == {2: 1, 1: 1}  # the signature of version 1 is kept as the record of what was signed
    # Each organisation has its own texts: the other organisation still signs version 1.
    assert current_text(session, world.organisation.id + 999, "agreement").version == 1


def test_the_first_text_an_admin_writes_is_version_2_so_a_page_showing_the_default_cannot_sign_it(session, world):
    volunteer = _screened(session, world.program)
    default = current_text(session, world.organisation.id, "agreement")
    assert (default.id, default.version) == (None, 1)
    publish_text(session, world.organisation.id, "agreement", "Vores aftale", "Vores egen aftale med de frivillige.",
                 world.admin)
    assert [t.version for t, _n in text_versions(session, world.organisation.id, "agreement")] == [2, 1]
    with pytest.raises(DomainError) as error:  # signed on a page that showed the default
        sign_text(session, volunteer.id, "agreement", default.version, volunteer.name, world.volunteer_user, TODAY)
    assert error.value.field == "version"


def test_signing_twice_or_with_another_name_is_refused_and_stores_nothing(session, world):
    volunteer = _screened(session, world.program, first_name="Karen", last_name="Blixen")
    with pytest.raises(DomainError) as error:
        sign_text(session, volunteer.id, "confidentiality", 1, "Karen", world.volunteer_user, TODAY)
    assert error.value.field == "signed_name" and error.value.params["name"] == "Karen Blixen"
    session.rollback()
    sign_text(session, volunteer.id, "confidentiality", 1, "karen  blixen", world.volunteer_user, TODAY)
    with pytest.raises(AlreadyDone):
        sign_text(session, volunteer.id, "confidentiality", 1, "Karen Blixen", world.volunteer_user, TODAY)
    session.rollback()
    assert len(session.exec(select(Signature).where(Signature.volunteer_id == volunteer.id)).all()) == 1


def test_an_unchanged_or_empty_text_is_not_a_new_version(session, world):
    current = current_text(session, world.organisation.id, "confidentiality")
    with pytest.raises(DomainError) as error:
        publish_text(session, world.organisation.id, "confidentiality", current.title, current.body, world.admin)
    assert error.value.field == "body"
    session.rollback()
    with pytest.raises(DomainError) as error:
        publish_text(session, world.organisation.id, "confidentiality", "Titel", "kort", world.admin)
    assert error.value.field == "body"


def test_the_volunteer_signs_in_the_portal_and_a_wrong_name_keeps_what_was_typed(as_role, session, world):
    volunteer = world.volunteer
    client = as_role("volunteer")
    home = client.get("/frivillig/").get_data(as_text=True)
    assert "Papirer, du skal underskrive" in home and "Hvis du er bekymret for et barn" in home
    page = client.get("/frivillig/papirer").get_data(as_text=True)
    assert "Tavshedserklæring" in page and "Frivilligaftale" in page and "Ikke underskrevet endnu" in page
    response = client.post("/frivillig/papirer", data={"kind": "confidentiality", "confidentiality-kind": "confidentiality",
                                                       "confidentiality-version": "1", "confidentiality-agree": "y",
                                                       "confidentiality-signed_name": "Anne <b>X</b>"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Skriv dit fulde navn, som vi har det" in text
    assert 'value="Anne &lt;b&gt;X&lt;/b&gt;"' in text  # kept, escaped
    response = client.post("/frivillig/papirer", data={"kind": "confidentiality", "confidentiality-kind": "confidentiality",
                                                       "confidentiality-version": "1",
                                                       "confidentiality-signed_name": volunteer.name})
    assert response.status_code == 400 and "Sæt flueben" in response.get_data(as_text=True)
    for kind in TEXT_KINDS:
        response = client.post("/frivillig/papirer", data={"kind": kind, f"{kind}-kind": kind, f"{kind}-version": "1",
                                                           f"{kind}-agree": "y", f"{kind}-signed_name": volunteer.name})
        assert response.status_code == 302
    fresh(session)
    assert {s.status for s in signature_states(session, session.get(Volunteer, volunteer.id))} == {"signed"}
    assert "Papirer, du skal underskrive" not in client.get("/frivillig/").get_data(as_text=True)


def test_an_admin_publishes_a_new_version_only_after_confirming(as_role, session, world):
    client = as_role("admin")
    assert "Makkers standardtekst" in client.get("/admin/tekster").get_data(as_text=True)
    form = {"title": "Tavshedserklæring", "body": "Jeg fortæller ikke andre om det, jeg hører hos familien."}
    response = client.post("/admin/tekster/confidentiality", data=form)
    assert response.status_code == 400 and "Sæt flueben" in response.get_data(as_text=True)
    assert current_text(fresh(session), world.organisation.id, "confidentiality").id is None  # nothing stored
    assert client.post("/admin/tekster/confidentiality", data={**form, "confirm": "y"}).status_code == 302
    fresh(session)
    assert current_text(session, world.organisation.id, "confidentiality").body == form["body"]
    assert client.get("/admin/tekster/unknown").status_code == 404


# --- børneattest: renewal and the matching's hard rule -----------------------------------------------

def _certificate(session, volunteer, received):  # noqa: ANN001, ANN202
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id,
                                                    ScreeningStep.step == CERTIFICATE_STEP)).first()
    step = step or ScreeningStep(volunteer_id=volunteer.id, step=CERTIFICATE_STEP)
    step.status, step.step_date = "approved", received
    session.add(step)


def test_a_boerneattest_runs_out_at_the_programs_interval(session, world):
    rng = random.Random(15)
    for _ in range(25):
        months = rng.choice((12, 24, 36))
        received = TODAY - timedelta(days=rng.randint(0, 1200))
        world.program.certificate_renewal_months = months
        session.add(world.program)
        _certificate(session, world.other_volunteer, received)
        session.commit()
        state = certificate_state(session, world.other_volunteer, TODAY)
        assert state.renew_by == add_months(received, months)
        assert state.expired == (add_months(received, months) <= TODAY)
        assert state.due_soon == (not state.expired and (state.renew_by - TODAY).days <= REMIND_DAYS_BEFORE)


def test_a_run_out_boerneattest_takes_the_volunteer_out_of_the_run_and_the_run_says_why(engine, session, world):
    program = world.program
    expired = b.make_volunteer(session, program, first_name="Udløbet", today=TODAY)
    valid = b.make_volunteer(session, program, first_name="Gyldig", today=TODAY)
    _certificate(session, expired, add_months(TODAY, -24))  # ran out today
    _certificate(session, valid, add_months(TODAY, -24) + timedelta(days=1))  # runs out tomorrow
    for _ in range(3):
        b.make_request(session, program, youth=b.make_youth(session, world.organisation, today=TODAY))
    session.commit()
    run = start_run(session, program, by_user_id=world.coordinator.id)
    result = execute_run(engine, run.id, TODAY)
    session = fresh(session)
    proposed = {p.volunteer_id for p in session.exec(select(Proposal).where(Proposal.run_id == run.id))}
    assert expired.id not in proposed and valid.id in proposed
    assert result.certificate_expired == [expired.id] and result.removed_by_rule["certificate_valid"] > 0
    assert session.get(MatchRun, run.id).stats["certificate_expired"] == [expired.id]
    reason = session.exec(select(WaitingReason).where(WaitingReason.volunteer_id == expired.id)).one()
    assert reason.reason == "certificate_expired"
    # A manual match is refused with the reason in words.
    waiting = session.exec(select(Proposal).where(Proposal.run_id == run.id)).first()
    with pytest.raises(DomainError) as error:
        manual_match(session, waiting.request_id, expired.id, world.coordinator, TODAY, confirm_soft=True)
    assert "børneattest" in error.value.params["rule"]
    session.rollback()
    # A new børneattest brings the volunteer back.
    record_certificate(session, expired.id, TODAY, "done", world.coordinator, TODAY)
    rerun = start_run(session, program, by_user_id=world.coordinator.id)
    assert execute_run(engine, rerun.id, TODAY).certificate_expired == []


def test_the_run_page_and_the_waiting_list_name_the_volunteer_whose_boerneattest_ran_out(as_role, engine, session,
                                                                                          world):
    expired = b.make_volunteer(session, world.program, first_name="Udløbet", today=TODAY)
    _certificate(session, expired, TODAY - timedelta(days=800))
    b.make_request(session, world.program, youth=b.make_youth(session, world.organisation, today=TODAY))
    session.commit()
    run = start_run(session, world.program, by_user_id=world.coordinator.id)
    execute_run(engine, run.id, TODAY)
    client = as_role("coordinator")
    page = client.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert "fik intet forslag, fordi børneattesten er udløbet" in page and expired.name in page
    waiting = client.get("/koordinator/venteliste/frivillige").get_data(as_text=True)
    assert "Børneattesten er udløbet" in waiting
    certificate = client.get(f"/koordinator/frivillige/{expired.id}/boerneattest").get_data(as_text=True)
    assert "den frivillige kommer ikke med i nye forslag" in certificate


def test_a_coordinator_records_a_renewed_boerneattest_and_bad_dates_are_refused(as_role, session, world):
    volunteer = world.other_volunteer
    client = as_role("coordinator")
    url = f"/koordinator/frivillige/{volunteer.id}/boerneattest"
    future = client.post(url, data={"received_on": (TODAY + timedelta(days=400)).isoformat(), "result": "done"})
    assert future.status_code == 400 and "fremtiden" in future.get_data(as_text=True)
    old = client.post(url, data={"received_on": "01-01-2020", "result": "done"})
    assert old.status_code == 400 and "allerede udløbet" in old.get_data(as_text=True)
    assert 'value="01-01-2020"' in old.get_data(as_text=True)  # what was typed stays
    from models.clock import today

    assert client.post(url, data={"received_on": today().strftime("%d-%m-%Y"), "result": "remarks"}).status_code == 302
    step = fresh(session).exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id,
                                                           ScreeningStep.step == CERTIFICATE_STEP)).one()
    assert (step.status, step.step_date) == ("remarks", today())
    assert not certificate_state(session, volunteer, today()).expired  # with remarks it never counts as valid...
    from models.child_protection import certificate_holders

    assert volunteer.id not in certificate_holders(session, [volunteer.id])  # ...for a child under 15


# --- the renewal reminder (the daily job) --------------------------------------------------------------

def test_the_renewal_reminder_goes_once_a_month_before_and_names_nobody(session, world):
    volunteer = world.other_volunteer
    received = date(2024, 12, 20)
    _certificate(session, volunteer, received)
    # The world's other approved volunteers have no børneattest on record (approved before the rule).
    for step in session.exec(select(ScreeningStep).where(ScreeningStep.step == CERTIFICATE_STEP,
                                                         ScreeningStep.volunteer_id != volunteer.id)):
        session.delete(step)
    session.commit()
    renew_by = add_months(received, 24)
    first_day = renew_by - timedelta(days=REMIND_DAYS_BEFORE)
    assert send_certificate_reminders(session, first_day - timedelta(days=1), BASE).reminded == 0
    report = send_certificate_reminders(session, first_day, BASE)
    assert (report.due, report.reminded, report.emails) == (1, 1, 1)
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "certificate_renewal")).one()
    assert mail.to_email == world.coordinator.email
    assert volunteer.first_name not in mail.body and volunteer.last_name not in mail.body
    assert f"{BASE}/koordinator/frivillige/{volunteer.id}" in mail.body and renew_by.strftime("%d-%m-%Y") in mail.body
    # Again the same day, the next days and after it ran out: nothing new for this børneattest.
    for day in (first_day, first_day + timedelta(days=1), renew_by + timedelta(days=3)):
        assert send_certificate_reminders(session, day, BASE).reminded == 0
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "certificate_renewal")).all()) == 1
    # Renewed: the next reminder comes before the new date.
    record_certificate(session, volunteer.id, renew_by, "done", world.coordinator, renew_by)
    next_day = add_months(renew_by, 24) - timedelta(days=REMIND_DAYS_BEFORE)
    assert send_certificate_reminders(session, next_day - timedelta(days=1), BASE).reminded == 0
    assert send_certificate_reminders(session, next_day, BASE).reminded == 1
    assert len(session.exec(select(CertificateReminder)).all()) == 2


def test_the_renewal_reminder_skips_programs_without_the_step_and_volunteers_who_left(session, world):
    for step in session.exec(select(ScreeningStep).where(ScreeningStep.step == CERTIFICATE_STEP)):
        session.delete(step)
    session.flush()
    b.make_volunteer(session, world.program, status="approved", today=TODAY)  # a recent one: not due
    _certificate(session, world.other_volunteer, date(2020, 1, 1))
    left = b.make_volunteer(session, world.program, status="approved", today=TODAY)
    _certificate(session, left, date(2020, 1, 1))
    left.status = "withdrawn"
    session.add(left)
    world.program.required_steps = [s for s in world.program.required_steps if s != CERTIFICATE_STEP]
    session.add(world.program)
    session.commit()
    assert send_certificate_reminders(session, TODAY, BASE).due == 0
    world.program.required_steps = [*world.program.required_steps, CERTIFICATE_STEP]
    session.add(world.program)
    session.commit()
    assert send_certificate_reminders(session, TODAY, BASE).due == 1  # the one still approved


def test_makker_certificate_reminders_runs_the_daily_job_by_hand(app, session, world):
    _certificate(session, world.other_volunteer, date(2020, 1, 1))
    session.commit()
    result = app.test_cli_runner().invoke(args=["certificate-reminders", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 newly reminded" in result.output


# --- "Jeg er bekymret" ------------------------------------------------------------------------------------

def test_i_am_worried_puts_the_match_first_on_the_at_risk_list_and_alerts_the_coordinator(app, as_role, session,
                                                                                          world):
    other = b.make_match(session, b.make_request(session, world.program,
                                                 youth=b.make_youth(session, world.organisation)),
                         b.make_volunteer(session, world.program))
    from models.risk_state import refresh_match_risk
    from models.writes import begin_write

    session.commit()
    begin_write(session)
    refresh_match_risk(session, TODAY, [other.id, world.match.id])
    session.commit()
    client = as_role("volunteer")
    page = client.get("/frivillig/bekymret").get_data(as_text=True)
    assert "Ring 112" in page and "underretningspligt" in page
    response = client.post("/frivillig/bekymret", data={"match_id": str(world.match.id),
                                                        "message": "Han har blå mærker på armene."})
    assert response.status_code == 302
    session = fresh(session)
    from models.clock import today

    risks = at_risk_from_state(session, world.organisation.id, today())
    assert risks[0].match.id == world.match.id and "worried" in {f.kind for f in risks[0].flags}
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "concern_raised")).one()
    for personal in (world.volunteer.first_name, world.youth.first_name, "blå mærker"):
        assert personal not in mail.body and personal not in mail.subject
    assert f"/koordinator/makkerpar/{world.match.id}" in mail.body
    # Not someone else's match: not found for the volunteer.
    assert client.post("/frivillig/bekymret", data={"match_id": str(other.id)}).status_code in (400, 404)
    coordinator = app.test_client()
    login(coordinator, world.coordinator.email)
    match_page = coordinator.get(f"/koordinator/makkerpar/{world.match.id}").get_data(as_text=True)
    assert "Han har blå mærker på armene." in match_page and "ikke håndteret" in match_page
    assert coordinator.post(f"/koordinator/makkerpar/{world.match.id}/bekymring").status_code == 302
    session = fresh(session)
    assert all(f.kind != "worried" for r in at_risk_from_state(session, world.organisation.id, today())
               for f in r.flags)
    assert session.exec(select(Concern)).one().handled_by_id == world.coordinator.id


def test_a_concern_about_a_closed_match_is_refused(session, world):
    match = session.get(Match, world.match.id)
    match.status = "closed"
    session.add(match)
    session.commit()
    with pytest.raises(DomainError) as error:
        raise_concern(session, world.volunteer.id, world.match.id, "", world.volunteer_user, TODAY, BASE)
    assert error.value.field == "match_id"
    session.rollback()
    with pytest.raises(AlreadyDone):  # nothing to handle
        handle_concerns(session, world.match.id, world.coordinator, TODAY)


# --- export and erasure ---------------------------------------------------------------------------------

def test_the_volunteers_export_has_their_signatures_and_erasure_blanks_the_name_they_signed_with(session, world):
    volunteer = world.volunteer
    _sign_all(session, volunteer, world.volunteer_user)
    raise_concern(session, volunteer.id, world.match.id, "Hun virker bange.", world.volunteer_user, TODAY, BASE)
    data = export_volunteer(session, session.get(Volunteer, volunteer.id), world.volunteer_user)
    assert {(s["kind"], s["version"], s["signed_name"]) for s in data["signatures"]} == {
        ("confidentiality", 1, volunteer.name), ("agreement", 1, volunteer.name)}
    assert data["concerns"][0]["message"] == "Hun virker bange."
    erase_volunteer(session, session.get(Volunteer, volunteer.id), world.volunteer_user, TODAY)
    session = fresh(session)
    signatures = session.exec(select(Signature).where(Signature.volunteer_id == volunteer.id)).all()
    assert len(signatures) == 2 and {s.signed_name for s in signatures} == {"Slettet"}  # dates and versions stay
    assert session.exec(select(Concern)).one().message == ""


def test_the_admin_sets_the_programs_renewal_interval_and_the_rule_follows(session, world):
    import dataclasses

    from models.program_settings import ProgramChanges, update_program

    program = world.program
    _certificate(session, world.other_volunteer, add_months(TODAY, -13))
    session.commit()
    assert not certificate_state(session, world.other_volunteer, TODAY).expired  # 24 months by default

    def changes(months: int) -> ProgramChanges:
        fields = {f.name: getattr(program, f.name) for f in dataclasses.fields(ProgramChanges)}
        return ProgramChanges(**{**fields, "certificate_renewal_months": months})

    with pytest.raises(DomainError) as error:
        update_program(session, program, changes(0), world.admin, today=TODAY)
    assert error.value.field == "certificate_renewal_months"
    session.rollback()
    update_program(session, session.get(type(program), program.id), changes(12), world.admin, today=TODAY)
    session = fresh(session)
    state = certificate_state(session, world.other_volunteer, TODAY)
    assert state.expired and state.renew_by == add_months(TODAY, -1)
