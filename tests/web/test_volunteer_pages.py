"""The volunteer's journey through the test client: sign up, confirm, screening, meetings, own data."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlmodel import select

from models import clock
from models.consent import ConsentRecord
from models.matches import Exclusion, Match, MeetingLog
from models.mentees import Request
from models.outbox import OutboxMessage
from models.users import User
from models.volunteers import ScreeningStep, Volunteer
from seed import builders as b
from tests.conftest import PASSWORD, fresh, login

THIS_YEAR = clock.today().year


def signup_data(**overrides):  # noqa: ANN003, ANN201
    data = {
        "first_name": "Signe", "last_name": "Holm", "phone": "+45 20 30 40 50", "birth_year": str(THIS_YEAR - 30),
        "gender": "female", "postcode": "4000", "lang-0": "da", "level-0": "3", "interests": ["fodbold", "musik"],
        "interests_text": "Jeg spiller guitar", "slot-tue-evening": "1", "slot-sat-afternoon": "1",
        "supports": "youth", "age_min": "13", "age_max": "18", "capacity": "1", "mentee_gender_wish": "",
        "experience": "1", "experience_text": "Spejderleder", "motivation": "Jeg vil gerne gøre en forskel",
        "email": "signe@example.org", "password": "et-godt-kodeord", "confirm": "et-godt-kodeord", "consent": "y",
    }
    data.update(overrides)
    return data


def _signup(client, world, **overrides):  # noqa: ANN001, ANN003, ANN202
    return client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}", data=signup_data(**overrides))


def test_sign_up_confirm_and_land_in_screening(client, session, world):
    response = _signup(client, world)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    volunteer = session.exec(select(Volunteer).where(Volunteer.email == "signe@example.org")).one()
    assert volunteer.status == "applicant" and volunteer.availability and volunteer.interests == ["fodbold", "musik"]
    consent = session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "volunteer",
                                                       ConsentRecord.subject_id == volunteer.id)).one()
    assert consent.text_version and "samtykke" in consent.text
    # Not confirmed yet: signing in says what to do.
    assert "Bekræft din e-mail" in login(client, "signe@example.org", "et-godt-kodeord").get_data(as_text=True)
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "confirm_email")).one()
    link = re.search(r"https?://\S+", mail.body).group(0).split("makker.test", 1)[1]
    assert client.get(link).status_code == 302
    fresh(session)
    assert session.get(Volunteer, volunteer.id).status == "screening"
    steps = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id)).all()
    assert sorted(s.step for s in steps) == sorted(world.program.required_steps)
    assert login(client, "signe@example.org", "et-godt-kodeord").status_code == 302
    page = client.get("/frivillig/").get_data(as_text=True)
    assert "Din godkendelse" in page and "Børneattest" in page


def _refused(client, world, expected, **overrides):  # noqa: ANN001, ANN003, ANN202
    response = _signup(client, world, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and expected in page, page[:4000]
    return page


def test_bad_sign_up_input_is_explained_next_to_the_field_and_nothing_is_stored(client, session, world):
    _refused(client, world, "0999 er ikke et dansk postnummer", postcode="0999")
    _refused(client, world, "mindst 18 år", birth_year=str(THIS_YEAR - 16))
    page = _refused(client, world, "Sæt kryds ved mindst ét tidspunkt", **{"slot-tue-evening": "", "slot-sat-afternoon": ""})
    assert 'value="Signe"' in page
    _refused(client, world, "Skriv højst 2000 tegn", motivation="x" * 2001)
    _refused(client, world, "samtykke", consent="")
    assert session.exec(select(Volunteer).where(Volunteer.email == "signe@example.org")).first() is None


def test_a_duplicate_email_gets_the_ordinary_answer_and_its_owner_an_email(client, session, world):
    # The page must not tell whether an address is signed up (tests/security/test_enumeration.py).
    response = _signup(client, world, email=world.volunteer_user.email)
    assert response.status_code == 302 and "/bliv-frivillig/tak" in response.headers["Location"]
    kinds = [m.kind for m in session.exec(select(OutboxMessage).where(OutboxMessage.to_email == world.volunteer_user.email))]
    assert kinds == ["signup_exists"]


def test_html_in_free_text_is_stored_as_text_and_shown_escaped(as_role, client, session, world):
    _signup(client, world, motivation="<b>fed</b><script>x()</script>")
    volunteer = session.exec(select(Volunteer).where(Volunteer.email == "signe@example.org")).one()
    assert volunteer.motivation == "<b>fed</b><script>x()</script>"
    page = as_role("coordinator").get(f"/koordinator/frivillige/{volunteer.id}").get_data(as_text=True)
    assert "<script>x()</script>" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page


def test_a_coordinator_records_every_step_then_approves_and_the_volunteer_enters_the_pool(as_role, session, world):
    vol = b.make_volunteer(session, world.program, status="screening", first_name="Kim")
    session.commit()
    client = as_role("coordinator")
    url = f"/koordinator/frivillige/{vol.id}/godkendelse"
    page = client.post(url, data={"action": "approve"}).get_data(as_text=True)
    assert "mangler" in page  # not before every step is done
    b.sign_papers(session, vol)
    session.commit()
    for step in world.program.required_steps:
        response = client.post(url, data={"action": "step", "step-step": step, "step-status": "approved",
                                          "step-step_date": clock.today().isoformat()})
        assert response.status_code == 302
    assert client.post(url, data={"action": "approve"}).status_code == 302
    fresh(session)
    approved = session.get(Volunteer, vol.id)
    assert approved.status == "approved" and approved.pool_since == clock.today()
    kinds = [m.kind for m in session.exec(select(OutboxMessage).where(OutboxMessage.to_email == vol.email))]
    assert kinds.count("screening_update") == len(world.program.required_steps) and "volunteer_approved" in kinds


def test_a_declined_volunteer_gets_a_kind_email_and_a_deletion_date(as_role, session, world):
    vol = b.make_volunteer(session, world.program, status="screening")
    session.commit()
    client = as_role("coordinator")
    client.post(f"/koordinator/frivillige/{vol.id}/godkendelse", data={"action": "decline", "decline-reason": "Ingen børneattest"})
    fresh(session)
    declined = session.get(Volunteer, vol.id)
    assert declined.status == "declined" and declined.deletion_due_at == clock.today() + timedelta(days=30)
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "volunteer_declined")).one()
    assert "Ingen børneattest" not in mail.body  # the reason is for coordinators only


def test_a_matched_volunteer_logs_a_meeting_from_home_and_the_coordinator_sees_it(as_role, client, session, world):
    volunteer_client = as_role("volunteer")
    home = volunteer_client.get("/frivillig/").get_data(as_text=True)
    assert "Registrér et møde" in home and world.youth.first_name in home
    assert world.youth.last_name not in home  # only the first name
    response = volunteer_client.post(f"/frivillig/moede/{world.match.id}", data={
        "met_on": clock.today().isoformat(), "minutes": "90", "activities": ["sport", "food"], "rating": "4",
        "note": "Spillede fodbold", "needs_contact": "y"})
    assert response.status_code == 302
    log = session.exec(select(MeetingLog).where(MeetingLog.match_id == world.match.id)).one()
    assert log.minutes == 90 and log.activities == ["sport", "food"] and log.needs_contact
    volunteer_client.post("/log-ud")
    coordinator_page = as_role("coordinator").get(f"/koordinator/frivillige/{world.volunteer.id}").get_data(as_text=True)
    assert "Spillede fodbold" in coordinator_page and "vil gerne tale med en koordinator" in coordinator_page


def test_a_meeting_in_the_future_or_without_a_rating_is_refused(as_role, session, world):
    client = as_role("volunteer")
    page = client.post(f"/frivillig/moede/{world.match.id}", data={
        "met_on": (clock.today() + timedelta(days=3)).isoformat(), "minutes": "60", "rating": "3"}).get_data(as_text=True)
    assert "fremtiden" in page
    page = client.post(f"/frivillig/moede/{world.match.id}", data={
        "met_on": clock.today().isoformat(), "minutes": "60"}).get_data(as_text=True)
    assert "Vælg hvordan det gik" in page
    assert session.exec(select(MeetingLog)).all() == []


def test_a_volunteer_never_sees_another_volunteers_match_or_any_mentee_page(client, session, world, other_world):
    login(client, world.volunteer_user.email)
    other_match = b.make_match(session, world.family_request, world.other_volunteer, status="active")
    session.commit()
    for url in (f"/frivillig/moede/{other_match.id}", f"/frivillig/moede/{other_world.match.id}",
                f"/frivillig/makkerpar/{other_match.id}/stop", f"/koordinator/unge/{world.youth.id}",
                f"/koordinator/frivillige/{world.other_volunteer.id}"):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(f"/frivillig/makkerpar/{other_match.id}/svar", data={"answer": "no"}).status_code in (403, 404)


def test_declining_a_proposed_match_returns_both_to_the_pool(as_role, session, world):
    vol_user = world.volunteer_user
    match = b.make_match(session, world.family_request, world.volunteer, status="introduced")
    session.commit()
    client = as_role("volunteer")
    client.post(f"/frivillig/makkerpar/{match.id}/svar", data={"answer": "no", "reason": "Har ikke tid alligevel"})
    fresh(session)
    assert session.get(Match, match.id).status == "closed"
    assert session.get(Request, world.family_request.id).status == "waiting"
    assert session.exec(select(Exclusion).where(Exclusion.volunteer_id == world.volunteer.id)).one()
    _ = vol_user


def test_profile_edit_pause_and_ask_to_end(as_role, session, world):
    client = as_role("volunteer")
    data = signup_data(first_name="Anna", last_name="Nyt-navn", postcode="4000")
    for key in ("email", "password", "confirm", "consent"):
        data.pop(key)
    assert client.post("/frivillig/profil", data=data).status_code == 302
    fresh(session)
    assert session.get(Volunteer, world.volunteer.id).last_name == "Nyt-navn"
    until = clock.today() + timedelta(days=20)
    client.post("/frivillig/pause", data={"paused_until": until.isoformat(), "action": "pause"})
    fresh(session)
    assert session.get(Volunteer, world.volunteer.id).paused_until == until
    client.post(f"/frivillig/makkerpar/{world.match.id}/stop", data={"reason": "Flytter"})
    fresh(session)
    assert session.get(Match, world.match.id).end_requested_at is not None


def test_download_my_data_holds_my_data_and_not_the_mentees_case(as_role, session, world):
    response = as_role("volunteer").get("/frivillig/mine-data")
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == world.volunteer_user.email and data["consents"] is not None
    text = json.dumps(data)
    assert world.youth.last_name not in text and "complexity" not in text


def test_deleting_my_account_closes_the_match_tells_the_coordinator_and_erases_me(as_role, client, session, world):
    world.match.coordinator_id = world.coordinator.id
    session.add(world.match)
    session.commit()
    volunteer_client = as_role("volunteer")
    assert volunteer_client.post("/frivillig/slet", data={}).status_code == 400  # must tick the box
    assert volunteer_client.post("/frivillig/slet", data={"confirm": "y"}).status_code == 302
    fresh(session)
    erased = session.get(Volunteer, world.volunteer.id)
    assert erased.anonymised_at and erased.first_name == "Anonymiseret" and "@invalid" in erased.email
    assert session.get(Match, world.match.id).status == "closed"
    assert session.get(Request, world.request.id).status == "waiting"
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "volunteer_left",
                                                    OutboxMessage.to_email == world.coordinator.email)).one()
    assert session.get(User, world.volunteer_user.id).active is False
    assert login(client, world.volunteer_user.email, PASSWORD).status_code == 200
