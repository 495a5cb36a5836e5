"""Referrals through the test client: the caseworker's guided form and its refusals, what a
referrer may see, the coordinator's intake queue, statuses back, the thread and the admin pages."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from models import clock
from models.audit import AuditEvent
from models.consent import ConsentRecord
from models.mentees import Household, HouseholdMember, Request, Youth
from models.outbox import OutboxMessage
from models.referrals.tables import Referral, ReferralMessage, ReferralSettings, ReferralStatus
from models.users import User
from seed import builders as b
from tests.conftest import PASSWORD, fresh, login

TODAY = clock.today()
THIS_YEAR = TODAY.year
GIVEN_ON = TODAY.strftime("%d-%m-%Y")


def youth_referral(**overrides: object) -> dict:
    data = {
        "first_name": "Yasmin", "last_name": "Nielsen", "birth_year": str(THIS_YEAR - 14), "gender": "female",
        "postcode": "4000", "guardian_name": "Mona Nielsen", "reason": "Hun er meget alene og savner en voksen.",
        "wishes": "At komme mere ud.", "complexity": "1", "custody": "sole",
        "consent_given_by": "Mona Nielsen", "consent_relation": "guardian", "consent_given_on": GIVEN_ON,
        "consent_to_referral": "y", "consent_to_status": "y", "consent_form_signed": "y",
        "lang-0": "da", "level-0": "3", "interests": ["fodbold"], "slot-mon-evening": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def family_referral(**overrides: object) -> dict:
    data = {
        "family_name": "Familien Haddad", "contact_name": "Rana Haddad", "postcode": "4000",
        "reason": "Nyankomne; de vil gerne lære nogen at kende.", "complexity": "0", "custody": "joint",
        "members-0-first_name": "Rana", "members-0-role": "parent", "members-0-birth_year": str(THIS_YEAR - 38),
        "members-1-first_name": "Omar", "members-1-role": "child", "members-1-birth_year": str(THIS_YEAR - 9),
        "members-2-first_name": "Lina", "members-2-role": "child", "members-2-birth_year": str(THIS_YEAR - 12),
        "consent_given_by": "Rana Haddad", "consent_relation": "self", "consent_given_on": GIVEN_ON,
        "consent2_given_by": "Karim Haddad", "consent2_relation": "guardian", "consent2_given_on": GIVEN_ON,
        "consent_to_referral": "y", "consent_to_status": "y", "consent_form_signed": "y",
        "lang-0": "ar", "level-0": "3",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _count(session, model) -> int:  # noqa: ANN001
    return fresh(session).exec(select(func.count()).select_from(model)).one()


def test_a_caseworker_refers_a_youth_with_consent_and_the_coordinators_are_told(as_role, session, world):
    client = as_role("referrer")
    before = _count(session, OutboxMessage)
    response = client.post(f"/henviser/ny/{world.program.id}/ung", data=youth_referral())
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    referral = fresh(session).exec(select(Referral).where(Referral.first_name == "Yasmin")).one()
    assert (referral.status, referral.unit_id, referral.referrer_id) == ("received", world.unit.id, world.referrer.id)
    assert referral.submitted_on == TODAY and referral.status_consent
    consent = fresh(session).exec(select(ConsentRecord).where(ConsentRecord.subject_type == "referral",
                                                       ConsentRecord.subject_id == referral.id)).one()
    assert consent.given_by == "Mona Nielsen" and consent.relation == "guardian"
    mails = fresh(session).exec(select(OutboxMessage).where(OutboxMessage.kind == "referral_received")).all()
    assert len(mails) == _count(session, OutboxMessage) - before >= 1
    assert all("Yasmin" not in m.body and "Nielsen" not in m.body for m in mails)  # no personal data by e-mail
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Yasmin" in page and "venter på koordinatoren" in page


def test_a_household_with_two_children_is_referred_with_both_custody_holders(as_role, session, world):
    client = as_role("referrer")
    response = client.post(f"/henviser/ny/{world.family_program.id}/familie", data=family_referral())
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    referral = fresh(session).exec(select(Referral).where(Referral.family_name == "Familien Haddad")).one()
    assert [m["first_name"] for m in referral.members] == ["Rana", "Omar", "Lina"]
    consents = fresh(session).exec(select(ConsentRecord).where(ConsentRecord.subject_type == "referral",
                                                        ConsentRecord.subject_id == referral.id)).all()
    assert {c.given_by for c in consents} == {"Rana Haddad", "Karim Haddad"}


BAD_YOUTH = [
    ({"reason": ""}, "reason", "Dette felt skal udfyldes"),
    ({"postcode": "12"}, "postcode", "fire cifre"),
    ({"complexity": "2", "complexity_reason": ""}, "complexity_reason", "hvad der gør sagen tung"),
    ({"custody": "joint"}, "consent2_given_by", "begge indehavere"),
    ({"birth_year": str(THIS_YEAR - 16)}, "consent2_given_by", "den unges eget samtykke"),
    ({"consent_given_by": ""}, "consent_given_by", "kræver familiens samtykke"),
    ({"consent_to_referral": None}, "consent_to_referral", "selve henvisningen"),
    ({"consent_form_signed": None}, "consent_form_signed", "underskrevet samtykkeerklæringen"),
    ({"birth_year": str(THIS_YEAR - 30)}, "birth_year", ""),
    ({"guardian_email": "ikke-en-adresse"}, "guardian_email", "gyldig e-mail"),
]


@pytest.mark.parametrize(("changes", "field", "expected"), BAD_YOUTH,
                         ids=[f for _c, f, _e in BAD_YOUTH])
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_stored(as_role, session, world, changes, field,
                                                                       expected):
    client = as_role("referrer")
    referrals, consents, mails = _count(session, Referral), _count(session, ConsentRecord), _count(session, OutboxMessage)
    response = client.post(f"/henviser/ny/{world.program.id}/ung", data=youth_referral(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:2000]
    assert expected in page, page[:4000]
    # The message sits with its field (aria-describedby names the error), and what was typed stays.
    assert re.search(rf'id="{field}-error"', page) or field in ("consent_to_referral", "consent_form_signed"), page
    assert "Yasmin" in page and "Hun er meget alene" in page or changes.get("reason") == ""
    assert (_count(session, Referral), _count(session, ConsentRecord), _count(session, OutboxMessage)) == (
        referrals, consents, mails)


def test_a_family_without_an_adult_or_with_a_member_without_birth_year_is_refused(as_role, session, world):
    client = as_role("referrer")
    before = _count(session, Referral)
    no_adult = family_referral(**{"members-0-role": "child"})
    page = client.post(f"/henviser/ny/{world.family_program.id}/familie", data=no_adult).get_data(as_text=True)
    assert "mindst én voksen" in page
    no_year = family_referral(**{"members-2-birth_year": ""})
    response = client.post(f"/henviser/ny/{world.family_program.id}/familie", data=no_year)
    assert response.status_code == 400 and "fødselsår (Lina)" in response.get_data(as_text=True)
    assert _count(session, Referral) == before


def test_a_unit_refers_only_to_its_programmes(app, session, world):
    lonely = b.make_unit(session, world.organisation, [world.family_program], name="Jobcenter Roskilde")
    b.make_referrer(session, lonely, email="job@example.org", password=PASSWORD)
    session.commit()
    client = app.test_client()
    login(client, "job@example.org")
    assert client.get(f"/henviser/ny/{world.program.id}/ung").status_code == 404
    assert client.post(f"/henviser/ny/{world.program.id}/ung", data=youth_referral()).status_code == 404
    assert client.get(f"/henviser/ny/{world.family_program.id}/familie").status_code == 200
    assert _count(session, Referral) == 2  # the world's own two


def _colleague_and_stranger(session, world):  # noqa: ANN001, ANN202
    colleague = b.make_referrer(session, world.unit, email="kollega@example.org", password=PASSWORD, name="Kim Kollega")
    other_unit = b.make_unit(session, world.organisation, [world.program], name="SSP Roskilde")
    stranger = b.make_referrer(session, other_unit, email="ssp@example.org", password=PASSWORD, name="Sune SSP")
    theirs = [b.make_referral(session, colleague, world.program, first_name="Kollegasag"),
              b.make_referral(session, stranger, world.program, first_name="Sspsag")]
    session.commit()
    return theirs


def test_a_referrer_follows_only_their_own_referrals_by_list_and_by_id(app, session, world):
    theirs = _colleague_and_stranger(session, world)
    client = app.test_client()
    login(client, world.referrer.email)
    home = client.get("/henviser/").get_data(as_text=True)
    assert world.referral.first_name in home
    assert "Kollegasag" not in home and "Sspsag" not in home
    for referral in theirs:  # a colleague's in the same unit and another unit's: not found, whatever the route
        for path in (f"/henviser/{referral.id}", f"/henviser/{referral.id}/ret",
                     f"/henviser/{referral.id}/traek-tilbage", f"/henviser/{referral.id}/stop-status"):
            assert client.get(path).status_code == 404, path
        assert client.post(f"/henviser/{referral.id}/besked", data={"body": "hej"}).status_code == 404
    assert client.get("/koordinator/henvisninger").status_code == 403
    assert _count(session, ReferralMessage) == 0


def _matched_referral(session, world, started_days_ago: int = 60):  # noqa: ANN001, ANN202
    """A referral accepted the house's way, whose request has a started match with the other volunteer."""
    from datetime import timedelta

    from models.referrals.operations import Acceptance, accept_referral

    referral = b.make_referral(session, world.referrer, world.program, first_name="Matchet")
    session.commit()
    accepted = accept_referral(session, world.coordinator, referral.id, Acceptance("En voksen", 1), TODAY,
                               lambda r: "http://test/")
    request = fresh(session).get(Request, accepted.request.id)
    match = b.make_match(session, request, world.other_volunteer, started_on=TODAY - timedelta(days=started_days_ago))
    session.commit()
    return fresh(session).get(Referral, referral.id), match


def _sensitive(session, world):  # noqa: ANN001, ANN202
    """The referral's match, with the volunteer's private details and a coordinator's note on it."""
    from models.notes import Note

    referral, match = _matched_referral(session, world)
    session.add(Note(organisation_id=world.organisation.id, subject_type="match", subject_id=match.id,
                     author_id=world.coordinator.id, body="Hemmelig koordinatornote"))
    session.commit()
    return referral, fresh(session).get(type(world.other_volunteer), world.other_volunteer.id)


def test_the_referrer_sees_the_volunteers_first_name_only_and_never_private_details(app, session, world):
    referral, volunteer = _sensitive(session, world)
    client = app.test_client()
    login(client, world.referrer.email)
    page = client.get(f"/henviser/{referral.id}").get_data(as_text=True)
    assert volunteer.first_name in page
    for secret in (volunteer.last_name, volunteer.email, volunteer.phone, "Hemmelig koordinatornote"):
        assert not secret or secret not in page, secret
    # The programme shares nothing about the volunteer: not even the first name.
    fresh(session).add(ReferralSettings(program_id=referral.program_id, organisation_id=world.organisation.id,
                                 volunteer_info="none"))
    session.commit()
    page = client.get(f"/henviser/{referral.id}").get_data(as_text=True)
    assert f"Frivillig: {volunteer.first_name}" not in page


def test_every_view_of_a_referral_is_audited(app, session, world):
    for role, path in (("referrer", f"/henviser/{world.referral.id}"),
                       ("coordinator", f"/koordinator/henvisninger/{world.referral.id}")):
        client = app.test_client()
        login(client, getattr(world, role).email)
        assert client.get(path).status_code == 200
        user = getattr(world, role)
        views = fresh(session).exec(select(AuditEvent).where(AuditEvent.record_type == "Referral",
                                                      AuditEvent.record_id == world.referral.id,
                                                      AuditEvent.user_id == user.id,
                                                      AuditEvent.action == "view")).all()
        assert views, role


def _accept(client, referral_id, need="En voksen at tale med"):  # noqa: ANN001, ANN202
    page = client.get(f"/koordinator/henvisninger/{referral_id}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(r'value="(\d+)"[^>]*name="version"', page)
    return client.post(f"/koordinator/henvisninger/{referral_id}/visiter",
                       data={"need": need, "complexity": "1", "version": version.group(1) if version else ""})


def test_accepting_makes_the_youth_and_request_from_the_referral_and_the_referral_date_starts_the_wait(
        app, as_role, session, world):
    client = as_role("coordinator")
    assert world.referral.first_name in client.get("/koordinator/henvisninger").get_data(as_text=True)
    response = _accept(client, world.referral.id)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    referral = fresh(session).get(Referral, world.referral.id)
    youth = fresh(session).get(Youth, referral.youth_id)
    request = fresh(session).get(Request, referral.request_id)
    assert (youth.first_name, youth.last_name, youth.birth_year) == (
        world.referral.first_name, world.referral.last_name, world.referral.birth_year)
    assert request.status == "waiting" and request.pool_since == referral.submitted_on == request.referred_on
    consent = fresh(session).exec(select(ConsentRecord).where(ConsentRecord.subject_type == "youth",
                                                       ConsentRecord.subject_id == youth.id)).one()
    assert consent.given_by == "Forælder Larsen"  # the referral's consent became the youth's
    # A second accept (another tab, another coordinator) changes nothing and says who won.
    again = client.post(f"/koordinator/henvisninger/{world.referral.id}/visiter",
                        data={"need": "Igen", "complexity": "1"}, follow_redirects=True)
    assert "har allerede optaget" in again.get_data(as_text=True)
    assert len(fresh(session).exec(select(Request).where(Request.youth_id == youth.id)).all()) == 1
    caseworker = app.test_client()
    login(caseworker, world.referrer.email)
    referrer_page = caseworker.get(f"/henviser/{referral.id}").get_data(as_text=True)
    assert "venter på en frivillig siden" in referrer_page


def test_an_accepted_household_keeps_its_members(as_role, session, world):
    referral = b.make_referral(session, world.referrer, world.family_program, kind="family")
    session.commit()
    client = as_role("coordinator")
    assert _accept(client, referral.id, need="Netværk").status_code == 302
    household = fresh(session).get(Household, fresh(session).get(Referral, referral.id).household_id)
    members = fresh(session).exec(select(HouseholdMember).where(HouseholdMember.household_id == household.id)).all()
    assert sorted(m.role for m in members) == ["child", "parent"]


def test_asking_for_more_and_declining_reach_the_referrer_who_sees_the_reason(as_role, app, session, world):
    client = as_role("coordinator")
    response = client.post(f"/koordinator/henvisninger/{world.referral.id}/spoerg",
                           data={"question": "Går hun i skole lige nu?"})
    assert response.status_code == 302
    assert fresh(session).get(Referral, world.referral.id).status == "needs_info"
    refused = client.post(f"/koordinator/henvisninger/{world.referral.id}/afvis",
                          data={"reason": "other_offer", "note": "Et andet tilbud passer bedre."})
    assert refused.status_code == 400  # not confirmed: nothing changes
    assert fresh(session).get(Referral, world.referral.id).status == "needs_info"
    response = client.post(f"/koordinator/henvisninger/{world.referral.id}/afvis",
                           data={"reason": "other_offer", "note": "Klubben i Himmelev passer bedre.", "confirm": "y"})
    assert response.status_code == 302
    referrer = app.test_client()
    login(referrer, world.referrer.email)
    page = referrer.get(f"/henviser/{world.referral.id}").get_data(as_text=True)
    assert "Går hun i skole lige nu?" in page and "Klubben i Himmelev passer bedre." in page
    assert referrer.get(f"/henviser/{world.referral.id}/ret").status_code in (403, 404, 409, 400, 200)
    assert _accept(client, world.referral.id).status_code in (302, 400)
    assert fresh(session).get(Referral, world.referral.id).status == "declined"  # a declined referral stays declined


def test_the_thread_is_kept_and_each_side_is_told_without_personal_data(as_role, app, session, world):
    referrer = as_role("referrer")
    assert referrer.post(f"/henviser/{world.referral.id}/besked", data={"body": "Mor ringer i morgen."}).status_code == 302
    assert referrer.post(f"/henviser/{world.referral.id}/besked", data={"body": "  "}).status_code == 400
    staff = app.test_client()
    login(staff, world.coordinator.email)
    page = staff.get(f"/koordinator/henvisninger/{world.referral.id}").get_data(as_text=True)
    assert "Mor ringer i morgen." in page
    assert staff.post(f"/koordinator/henvisninger/{world.referral.id}/besked",
                      data={"body": "Tak, vi venter."}).status_code == 302
    messages = fresh(session).exec(select(ReferralMessage).where(ReferralMessage.referral_id == world.referral.id)).all()
    assert [m.body for m in messages] == ["Mor ringer i morgen.", "Tak, vi venter."]
    mails = fresh(session).exec(select(OutboxMessage).where(OutboxMessage.kind == "referral_message")).all()
    assert mails and all("Mor ringer" not in m.body and "Tak, vi venter" not in m.body for m in mails)


def test_a_sent_status_is_read_by_the_referrer_after_signing_in(as_role, app, session, world):
    referral, _match = _matched_referral(session, world)
    staff = as_role("coordinator")
    path = f"/koordinator/henvisninger/{referral.id}/status"
    assert staff.get(path).status_code == 200
    refused = staff.post(path, data={"how_it_goes": "", "checked": "y", "action": "send"})
    assert refused.status_code == 400
    response = staff.post(path, data={"how_it_goes": "De ses hver uge og spiller fodbold.", "checked": "y",
                                      "action": "send"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    sent = fresh(session).exec(select(ReferralStatus).where(ReferralStatus.referral_id == referral.id,
                                                     ReferralStatus.how_it_goes.like("De ses%"))).one()
    mail = fresh(session).exec(select(OutboxMessage).where(OutboxMessage.kind == "referral_status_ready")).one()
    assert mail.to_email == world.referrer.email and "fodbold" not in mail.body
    referrer = app.test_client()
    login(referrer, world.referrer.email)
    page = referrer.get(f"/henviser/{referral.id}/status/{sent.id}").get_data(as_text=True)
    assert "De ses hver uge og spiller fodbold." in page
    assert fresh(session).get(ReferralStatus, sent.id).read_at is not None


def test_admins_manage_units_invite_referrers_and_download_the_figures(as_role, session, world):
    client = as_role("admin")
    response = client.post("/admin/henvisende-enheder/ny", data={"name": "Roskilde Kommune, SSP", "kind": "ssp",
                                                                  "program_ids": [str(world.program.id)], "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get("/admin/henvisende-enheder").get_data(as_text=True)
    assert "Roskilde Kommune, SSP" in page
    duplicate = client.post("/admin/henvisende-enheder/ny", data={"name": "Roskilde Kommune, SSP", "kind": "ssp"})
    assert duplicate.status_code == 400 and "allerede dette navn" in duplicate.get_data(as_text=True)
    csv = client.get("/admin/henvisninger-oversigt.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert world.unit.name in csv.get_data(as_text=True)


def test_admin_invites_a_referrer_who_signs_in_to_their_own_pages(as_role, app, session, world):
    client = as_role("admin")
    response = client.post("/admin/henvisere/ny", data={"name": "Rikke Rådgiver", "email": "rikke@kommune.dk",
                                                             "unit_id": str(world.unit.id)})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    user = fresh(session).exec(select(User).where(User.email == "rikke@kommune.dk")).one()
    assert (user.role, user.referring_unit_id) == ("referrer", world.unit.id)
    invite = fresh(session).exec(select(OutboxMessage).where(OutboxMessage.to_email == "rikke@kommune.dk")).one()
    assert "http" in invite.body


def test_the_referrer_corrects_an_open_referral_but_not_a_decided_one(as_role, app, session, world):
    client = as_role("referrer")
    form = client.get(f"/henviser/{world.referral.id}/ret")
    assert form.status_code == 200 and world.referral.first_name in form.get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', form.get_data(as_text=True))
    data = youth_referral(first_name="Rettet", version=next(g for g in version.groups() if g))
    response = client.post(f"/henviser/{world.referral.id}/ret", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert fresh(session).get(Referral, world.referral.id).first_name == "Rettet"
    staff = app.test_client()
    login(staff, world.coordinator.email)
    assert _accept(staff, world.referral.id).status_code == 302
    refused = client.post(f"/henviser/{world.referral.id}/ret", data=youth_referral(first_name="Igen"))
    assert refused.status_code in (400, 403, 404, 409)
    assert fresh(session).get(Referral, world.referral.id).first_name == "Rettet"


def _form_token(page: str) -> str:
    found = re.search(r'name="submit_key"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="submit_key"', page)
    assert found, "the form carries no one-time token"
    return found.group(1)


def test_a_referral_sent_twice_from_one_form_is_stored_once_and_the_second_click_is_told(as_role, session, world):
    client = as_role("referrer")
    token = _form_token(client.get(f"/henviser/ny/{world.program.id}/ung").get_data(as_text=True))
    first = client.post(f"/henviser/ny/{world.program.id}/ung", data=youth_referral(submit_key=token))
    assert first.status_code == 302
    second = client.post(f"/henviser/ny/{world.program.id}/ung", data=youth_referral(submit_key=token),
                         follow_redirects=True)
    assert second.status_code == 200 and "allerede sendt" in second.get_data(as_text=True)
    made = fresh(session).exec(select(Referral).where(Referral.first_name == "Yasmin")).all()
    assert len(made) == 1
    assert second.request.path == f"/henviser/{made[0].id}"  # shown the referral the first click made


def test_a_correction_double_clicked_is_saved_once_and_the_second_click_is_told_not_refused(as_role, session, world):
    client = as_role("referrer")
    page = client.get(f"/henviser/{world.referral.id}/ret").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    data = youth_referral(first_name="Rettet", version=next(g for g in version.groups() if g),
                          submit_key=_form_token(page))
    assert client.post(f"/henviser/{world.referral.id}/ret", data=data).status_code == 302
    saved = fresh(session).get(Referral, world.referral.id)
    again = client.post(f"/henviser/{world.referral.id}/ret", data=data, follow_redirects=True)
    text = again.get_data(as_text=True)
    # The second click carries the old version too: it is told its correction was saved, not that
    # somebody else changed the referral.
    assert again.status_code == 200 and "allerede gemt" in text and "ændret" not in text.split("allerede gemt")[0][-200:]
    assert fresh(session).get(Referral, world.referral.id).version == saved.version


def test_an_acceptance_double_clicked_makes_one_youth_and_says_it_was_already_saved(as_role, session, world):
    client = as_role("coordinator")
    page = client.get(f"/koordinator/henvisninger/{world.referral.id}").get_data(as_text=True)
    data = {"need": "En voksen", "complexity": "1", "submit_key": _form_token(page)}
    assert client.post(f"/koordinator/henvisninger/{world.referral.id}/visiter", data=data).status_code == 302
    again = client.post(f"/koordinator/henvisninger/{world.referral.id}/visiter", data=data, follow_redirects=True)
    assert "allerede gemt" in again.get_data(as_text=True)
    youths = fresh(session).exec(select(Youth).where(Youth.first_name == world.referral.first_name)).all()
    assert len(youths) == 1


def test_a_leaving_caseworkers_referrals_go_to_a_colleague_of_the_same_unit_after_confirming(
        as_role, app, session, world):
    colleague = b.make_referrer(session, world.unit, email="kollega@kommune.dk", password=PASSWORD, name="Kim Kollega")
    other_unit = b.make_unit(session, world.organisation, [world.program], name="Integrationsteamet")
    stranger = b.make_referrer(session, other_unit, email="fremmed@kommune.dk", password=PASSWORD)
    session.commit()
    mine = fresh(session).exec(select(func.count()).select_from(Referral)
                               .where(Referral.referrer_id == world.referrer.id)).one()
    assert mine >= 1
    client = as_role("admin")
    assert f"/admin/henvisere/{world.referrer.id}/overdrag" in client.get("/admin/henvisere").get_data(as_text=True)
    page = client.get(f"/admin/henvisere/{world.referrer.id}/overdrag")
    assert page.status_code == 200 and "Kim Kollega" in page.get_data(as_text=True)
    token = _form_token(page.get_data(as_text=True))
    # Without the confirmation nothing moves.
    refused = client.post(f"/admin/henvisere/{world.referrer.id}/overdrag",
                          data={"to_user_id": str(colleague.id), "submit_key": token})
    assert refused.status_code == 400
    assert fresh(session).exec(select(func.count()).select_from(Referral)
                               .where(Referral.referrer_id == colleague.id)).one() == 0
    # A colleague of another unit is not offered and not accepted.
    assert "fremmed@kommune.dk" not in page.get_data(as_text=True)
    wrong = client.post(f"/admin/henvisere/{world.referrer.id}/overdrag",
                        data={"to_user_id": str(stranger.id), "confirm": "y", "submit_key": token})
    assert wrong.status_code == 400
    done = client.post(f"/admin/henvisere/{world.referrer.id}/overdrag",
                       data={"to_user_id": str(colleague.id), "confirm": "y", "submit_key": token})
    assert done.status_code == 302
    assert fresh(session).exec(select(func.count()).select_from(Referral)
                               .where(Referral.referrer_id == colleague.id)).one() == mine
    assert fresh(session).exec(select(func.count()).select_from(Referral)
                               .where(Referral.referrer_id == world.referrer.id)).one() == 0
    # The same form sent again does nothing twice.
    again = client.post(f"/admin/henvisere/{world.referrer.id}/overdrag",
                        data={"to_user_id": str(colleague.id), "confirm": "y", "submit_key": token})
    assert again.status_code == 302
    assert fresh(session).exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.record_type == "Referral", AuditEvent.action == "update")).one() >= mine
    # The colleague now follows them.
    staff = app.test_client()
    login(staff, colleague.email)
    assert staff.get(f"/henviser/{world.referral.id}").status_code == 200
