"""The coordinator's follow-up pages through the test client: at risk, check-ins, pause, closure."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from models import clock
from models.audit import AuditEvent
from models.matches import CheckIn, Exclusion, Match, MatchEvent, MeetingLog
from models.mentees import Request
from models.risk_state import refresh_match_risk
from models.volunteers import Volunteer
from seed import builders as b
from tests.conftest import fresh

TODAY = clock.today()
OUTCOME = {"outcome-education_or_work": "yes", "outcome-leisure_activity": "no", "outcome-social_case": "unknown"}


def _text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def test_the_at_risk_list_shows_each_match_with_its_reason_and_the_home_page_counts_them(as_role, session, world):
    session.add(MeetingLog(match_id=world.match.id, volunteer_id=world.volunteer.id, met_on=TODAY - timedelta(days=2),
                           minutes=60, rating=2, needs_contact=True))
    refresh_match_risk(session, TODAY, [world.match.id])  # added by hand, past log_meeting
    session.commit()
    client = as_role("coordinator")
    page = _text(client.get("/koordinator/forloeb"))
    assert "Anna" in page and "Den frivillige vil gerne tale med en koordinator" in page
    assert "Møderne får lavere karakterer" in page
    home = _text(client.get("/koordinator/"))
    assert "makkerpar i risiko" in home


def test_the_match_page_shows_the_plan_and_logs_that_it_was_viewed(as_role, session, world):
    client = as_role("coordinator")
    response = client.get(f"/koordinator/makkerpar/{world.match.id}")
    assert response.status_code == 200 and "Opfølgninger" in _text(response)
    fresh(session)
    assert session.exec(select(AuditEvent).where(AuditEvent.record_type == "Match", AuditEvent.action == "view",
                                                 AuditEvent.record_id == world.match.id)).first()


def test_a_check_in_is_recorded_from_the_form(as_role, session, world):
    client = as_role("coordinator")
    form = client.get(f"/koordinator/makkerpar/{world.match.id}/opfoelgning")
    assert form.status_code == 200
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/opfoelgning", data={
        "version": str(world.match.version), "done_on": TODAY.isoformat(), "contacted": ["volunteer", "youth"],
        "rating": "4", "concerns": "Lidt træt af skolen", "agreements": "Mødes om torsdagen", "next_step": "Ring i maj"})
    assert response.status_code == 302
    fresh(session)
    checkin = session.exec(select(CheckIn).where(CheckIn.match_id == world.match.id)).one()
    assert checkin.contacted == ["volunteer", "youth"] and checkin.rating == 4 and checkin.done_on == TODAY


def test_a_check_in_without_who_was_contacted_is_refused_and_what_was_typed_is_kept(as_role, session, world):
    client = as_role("coordinator")
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/opfoelgning", data={
        "version": str(world.match.version), "done_on": TODAY.isoformat(), "rating": "3",
        "agreements": "Mødes om torsdagen"})
    assert response.status_code == 400
    assert "Vælg hvem du har talt med" in _text(response) and "Mødes om torsdagen" in _text(response)
    fresh(session)
    assert session.exec(select(CheckIn).where(CheckIn.match_id == world.match.id)).all() == []


def test_pause_then_resume_from_the_match_page(as_role, session, world):
    client = as_role("coordinator")
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/pause", data={
        "version": str(world.match.version), "on": TODAY.isoformat(),
        "until": (TODAY + timedelta(days=30)).isoformat(), "reason": "Eksamensperiode"})
    assert response.status_code == 302
    fresh(session)
    match = session.get(Match, world.match.id)
    assert match.status == "paused" and match.paused_until == TODAY + timedelta(days=30)
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/genoptag",
                           data={"version": str(match.version), "on": TODAY.isoformat()})
    assert response.status_code == 302
    fresh(session)
    assert session.get(Match, world.match.id).status == "active"
    events = session.exec(select(MatchEvent).where(MatchEvent.match_id == world.match.id)).all()
    assert [e.to_status for e in events][-2:] == ["paused", "active"]


def test_a_pause_on_a_stale_page_is_refused_with_a_clear_message(as_role, session, world):
    client = as_role("coordinator")
    stale = world.match.version
    client.post(f"/koordinator/makkerpar/{world.match.id}/opfoelgning", data={
        "version": str(stale), "done_on": TODAY.isoformat(), "contacted": ["volunteer"], "rating": "4"})
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/pause", data={
        "version": str(stale), "on": TODAY.isoformat(), "reason": "Ferie"})
    assert response.status_code == 400 and "En anden har ændret makkerparret" in _text(response)
    fresh(session)
    assert session.get(Match, world.match.id).status == "active"


def _close_form(world, **overrides):  # noqa: ANN001, ANN003, ANN201
    data = {"version": str(world.match.version), "closed_on": TODAY.isoformat(), "reason": "moved",
            "exit_conversation": "Familien flytter til Aarhus", **OUTCOME, "pair_may_rematch": "no",
            "request_back": "yes", "volunteer_back": "yes", "confirm": "y"}
    data.update(overrides)
    return data


def test_closing_before_the_match_began_is_refused(as_role, session, world):
    client = as_role("coordinator")
    before = (world.match.started_on - timedelta(days=1)).isoformat()
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/afslut", data=_close_form(world, closed_on=before))
    assert response.status_code == 400
    assert "Datoen kan ikke være før makkerparret begyndte" in _text(response)
    fresh(session)
    assert session.get(Match, world.match.id).status == "active"


def test_closing_without_the_outcome_the_program_requires_is_refused(as_role, session, world):
    client = as_role("coordinator")
    data = _close_form(world)
    for key in OUTCOME:
        data[key] = ""
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/afslut", data=data)
    assert response.status_code == 400 and "Programmet registrerer resultatet" in _text(response)
    assert "Familien flytter til Aarhus" in _text(response)
    fresh(session)
    assert session.get(Match, world.match.id).status == "active"


def test_closing_needs_the_confirmation_box(as_role, session, world):
    client = as_role("coordinator")
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/afslut", data=_close_form(world, confirm=""))
    assert response.status_code == 400 and "Sæt kryds for at bekræfte" in _text(response)


def test_closing_returns_the_request_to_the_waiting_list_and_keeps_the_volunteer_out_as_chosen(as_role, session, world):
    client = as_role("coordinator")
    response = client.post(f"/koordinator/makkerpar/{world.match.id}/afslut",
                           data=_close_form(world, volunteer_back="no"))
    assert response.status_code == 302
    fresh(session)
    match = session.get(Match, world.match.id)
    assert match.status == "closed" and match.closure_reason == "moved"
    assert session.get(Request, world.request.id).status == "waiting"
    assert session.get(Volunteer, world.volunteer.id).status == "inactive"
    assert session.exec(select(Exclusion).where(Exclusion.request_id == world.request.id)).one()
    followups = session.exec(select(CheckIn).where(CheckIn.match_id == match.id, CheckIn.kind == "followup")).all()
    assert [c.due_on for c in followups] == [TODAY + timedelta(days=365)]
    # The volunteer page offers to bring them back.
    response = client.post(f"/koordinator/frivillige/{world.volunteer.id}/tilbage")
    assert response.status_code == 302
    fresh(session)
    assert session.get(Volunteer, world.volunteer.id).status == "approved"


def test_answering_the_talk_to_me_flag_clears_it(as_role, session, world):
    session.add(MeetingLog(match_id=world.match.id, volunteer_id=world.volunteer.id, met_on=TODAY, minutes=60,
                           rating=4, needs_contact=True))
    session.commit()
    client = as_role("coordinator")
    assert client.post(f"/koordinator/makkerpar/{world.match.id}/kontakt").status_code == 302
    fresh(session)
    assert session.exec(select(MeetingLog).where(MeetingLog.match_id == world.match.id)).one().contact_handled_at


def test_the_at_risk_list_is_paged(as_role, session, world, app):
    app.config["PAGE_SIZE"] = 2
    for _ in range(5):
        volunteer = b.make_volunteer(session, world.program)
        request = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation))
        b.make_match(session, request, volunteer, started_on=TODAY - timedelta(days=200))
    session.commit()
    client = as_role("coordinator")
    first = _text(client.get("/koordinator/forloeb"))
    assert "Side 1 af 3" in first
    assert "Side 3 af 3" in _text(client.get("/koordinator/forloeb?side=3"))


def test_the_daily_reminders_command_queues_once_and_says_what_it_did(app, session, world):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders"])
    assert first.exit_code == 0, first.output
    assert "queued 1 meeting reminders" in first.output  # Anna has logged nothing for 60 days
    second = runner.invoke(args=["reminders"])
    assert "queued 0 meeting reminders" in second.output
