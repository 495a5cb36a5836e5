"""The coordinator's pages through the test client: intake, waiting lists, matching, decisions."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from models import clock
from models.audit import AuditEvent
from models.consent import ConsentRecord
from models.matches import Exclusion, Match
from models.matchruns import MatchRun, Proposal
from models.mentees import Household, Request, Youth
from models.notes import Note
from seed import builders as b

THIS_YEAR = clock.today().year


def youth_form(world, **overrides):  # noqa: ANN001, ANN003, ANN201
    data = {
        "first_name": "Yusuf", "last_name": "Hansen", "birth_year": str(THIS_YEAR - 15), "gender": "male",
        "postcode": "4000", "guardian_name": "Amal Hansen", "consent_given_by": "Amal Hansen",
        "consent_relation": "guardian", "consent_given_on": "30-07-2026", "consent_confirmed": "y",
        "lang-0": "da", "level-0": "3",
        "interests": ["fodbold", "gaming"], "slot-mon-evening": "1", "slot-wed-evening": "1",
        "request-program": str(world.program.id), "request-need": "En voksen at tale med",
        "request-complexity": "1", "request-mentor_gender_required": "", "request-mentor_gender_preferred": "",
        "referred_by": "Skole",
    }
    data.update(overrides)
    return data


def test_a_coordinator_registers_a_youth_with_consent_and_a_request(as_role, session, world):
    client = as_role("coordinator")
    response = client.post("/koordinator/unge/ny", data=youth_form(world))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    youth = session.exec(select(Youth).where(Youth.first_name == "Yusuf")).one()
    request = session.exec(select(Request).where(Request.youth_id == youth.id)).one()
    assert request.status == "waiting" and request.program_id == world.program.id
    assert youth.interests == ["fodbold", "gaming"] and youth.availability and youth.languages == {"da": 3}
    consent = session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "youth",
                                                       ConsentRecord.subject_id == youth.id)).one()
    assert consent.relation == "guardian" and consent.given_by == "Amal Hansen"
    assert consent.given_on == date(2026, 7, 30)  # the day it was given, typed dd-mm-yyyy


def _refused(client, data, expected):  # noqa: ANN001, ANN202
    response = client.post("/koordinator/unge/ny", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and expected in page, page[:3000]
    return page


def test_a_youth_of_25_in_a_13_to_18_program_is_refused_and_nothing_is_stored(as_role, session, world):
    client = as_role("coordinator")
    page = _refused(client, youth_form(world, birth_year=str(THIS_YEAR - 25)), "13 til 18")
    assert 'value="Yusuf"' in page  # what was typed is kept
    assert session.exec(select(Youth).where(Youth.first_name == "Yusuf")).first() is None


def test_a_minor_without_a_guardians_consent_is_refused(as_role, session, world):
    client = as_role("coordinator")
    _refused(client, youth_form(world, consent_given_by=""), "forælder eller værge")
    assert session.exec(select(Youth).where(Youth.first_name == "Yusuf")).first() is None


def test_an_unknown_postcode_is_refused_next_to_the_field(as_role, session, world):
    client = as_role("coordinator")
    page = _refused(client, youth_form(world, postcode="0999"), "0999 er ikke et dansk postnummer")
    assert 'id="postcode-error"' in page


def test_html_typed_into_a_field_is_shown_as_text(as_role, session, world):
    client = as_role("coordinator")
    client.post("/koordinator/unge/ny", data=youth_form(world, **{"request-need": "<script>alert(1)</script>"}))
    youth = session.exec(select(Youth).where(Youth.first_name == "Yusuf")).one()
    page = client.get(f"/koordinator/unge/{youth.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_a_household_with_two_requests_is_registered_as_two_requests(as_role, session, world):
    client = as_role("coordinator")
    data = {
        "family_name": "Familien Haddad", "contact_name": "Rasha Haddad", "postcode": "4000",
        "consent_given_by": "Rasha Haddad", "consent_relation": "self", "consent_given_on": "2026-08-01",
        "consent_confirmed": "y",
        "lang-0": "ar", "level-0": "3", "lang-1": "da", "level-1": "1",
        "members-0-first_name": "Rasha", "members-0-role": "parent", "members-0-birth_year": "1985",
        "members-1-first_name": "Lina", "members-1-role": "child", "members-1-birth_year": str(THIS_YEAR - 9),
        "requests-0-program": str(world.family_program.id), "requests-0-need": "Lektiehjælp til børnene",
        "requests-0-complexity": "0",
        "requests-1-program": str(world.family_program.id), "requests-1-need": "En venskabsfamilie",
        "requests-1-complexity": "1",
        "requests-2-program": str(world.family_program.id), "requests-2-need": "", "requests-2-complexity": "0",
    }
    response = client.post("/koordinator/familier/ny", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    household = session.exec(select(Household).where(Household.family_name == "Familien Haddad")).one()
    needs = sorted(r.need for r in session.exec(select(Request).where(Request.household_id == household.id)))
    assert needs == ["En venskabsfamilie", "Lektiehjælp til børnene"]
    assert household.languages == {"ar": 3, "da": 1}


def test_waiting_lists_put_the_longest_waiting_first_and_filter(as_role, session, world):
    from datetime import timedelta

    org, program = world.organisation, world.program
    old = b.make_request(session, program, youth=b.make_youth(session, org, first_name="Gammel"),
                         referred_on=clock.today() - timedelta(days=400))
    b.make_request(session, program, youth=b.make_youth(session, org, first_name="Ny", postcode="2200"),
                   referred_on=clock.today() - timedelta(days=3))
    session.commit()
    client = as_role("coordinator")
    page = client.get("/koordinator/venteliste/anmodninger").get_data(as_text=True)
    assert page.index("Gammel") < page.index("Ny") and "over mål" in page
    filtered = client.get("/koordinator/venteliste/anmodninger?postcode=22").get_data(as_text=True)
    assert "Ny Hansen" in filtered and "Gammel" not in filtered
    assert "Gammel" in client.get("/koordinator/venteliste/anmodninger?q=gammel").get_data(as_text=True)
    _ = old


def test_a_list_of_more_than_fifty_is_paginated(as_role, session, world):
    for i in range(55):
        b.make_volunteer(session, world.program, first_name=f"Side{i:02d}")
    session.commit()
    client = as_role("coordinator")
    first = client.get("/koordinator/venteliste/frivillige").get_data(as_text=True)
    assert "Side 1 af 2" in first and 'rel="next"' in first
    second = client.get("/koordinator/venteliste/frivillige?side=2").get_data(as_text=True)
    assert "Side 2 af 2" in second


def _run_matching(app, client, world):  # noqa: ANN001, ANN202
    app.config["QUEUE_IMMEDIATE"] = True
    response = client.post(f"/koordinator/program/{world.program.id}/matchning")
    assert response.status_code == 302
    return response.headers["Location"]


def test_running_the_matching_shows_each_proposal_with_its_explanation(app, as_role, session, world):
    req = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation, first_name="Omar"))
    b.make_volunteer(session, world.program, first_name="Karen")
    session.commit()
    client = as_role("coordinator")
    location = _run_matching(app, client, world)
    page = client.get(location).get_data(as_text=True)
    assert "Omar" in page and "Karen" in page
    assert "Hvorfor denne score?" in page and "Fælles interesser" in page and "overholder de hårde regler" in page
    run = session.exec(select(MatchRun).where(MatchRun.program_id == world.program.id)).one()
    assert run.status == "done"
    _ = req


def test_approving_a_proposal_from_the_page_makes_the_match(app, as_role, session, world):
    client = as_role("coordinator")
    response = client.post(f"/koordinator/forslag/{world.proposal.id}/godkend", data={"intro_note": "Hej"})
    assert response.status_code == 302 and "introduktion" in response.headers["Location"]
    match = session.exec(select(Match).where(Match.request_id == world.family_request.id)).one()
    assert match.intro_note == "Hej" and match.status == "introduced"
    # A second click gets a clear message, not an error.
    again = client.post(f"/koordinator/forslag/{world.proposal.id}/godkend", follow_redirects=True)
    assert "allerede" in again.get_data(as_text=True)


def test_rejecting_needs_a_reason_and_then_excludes_the_pair(as_role, session, world):
    client = as_role("coordinator")
    page = client.post(f"/koordinator/forslag/{world.proposal.id}/afvis", data={"reason": ""})
    assert page.status_code == 400 and "Dette felt skal udfyldes." in page.get_data(as_text=True)
    assert client.post(f"/koordinator/forslag/{world.proposal.id}/afvis",
                       data={"reason": "Kender hinanden i forvejen"}).status_code == 302
    session.rollback()  # end the read transaction: see what the pages wrote
    assert session.exec(select(Exclusion).where(Exclusion.request_id == world.family_request.id)).one()
    assert session.exec(select(Proposal.status).where(Proposal.id == world.proposal.id)).one() == "rejected"


def test_a_manual_match_breaking_a_hard_rule_names_the_rule(as_role, session, world):
    world.family_request.mentor_gender_required = "male"
    session.add(world.family_request)
    session.commit()
    client = as_role("coordinator")
    volunteer_id = world.proposal.volunteer_id
    page = client.post(f"/koordinator/anmodninger/{world.family_request.id}/match",
                       data={"volunteer_id": str(volunteer_id)}).get_data(as_text=True)
    assert "anden køn" in page or "andet køn" in page
    assert session.exec(select(Match).where(Match.request_id == world.family_request.id)).first() is None


def test_a_manual_match_against_a_soft_wish_asks_for_confirmation(as_role, session, world):
    world.family_request.mentor_gender_preferred = "male"
    session.add(world.family_request)
    session.commit()
    client = as_role("coordinator")
    url = f"/koordinator/anmodninger/{world.family_request.id}/match"
    volunteer_id = str(world.proposal.volunteer_id)
    page = client.post(url, data={"volunteer_id": volunteer_id}).get_data(as_text=True)
    assert "ønske om køn" in page
    assert session.exec(select(Match).where(Match.request_id == world.family_request.id)).first() is None
    response = client.post(url, data={"volunteer_id": volunteer_id, "confirm_soft": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    session.rollback()  # end the read transaction: see what the pages wrote
    assert session.exec(select(Match).where(Match.request_id == world.family_request.id)).one()


def test_recording_a_yes_yes_introduction_starts_the_match(as_role, session, world):
    client = as_role("coordinator")
    client.post(f"/koordinator/forslag/{world.proposal.id}/godkend")
    match = session.exec(select(Match).where(Match.request_id == world.family_request.id)).one()
    response = client.post(f"/koordinator/makkerpar/{match.id}/introduktion",
                           data={"intro_on": clock.today().isoformat(), "volunteer_yes": "yes", "mentee_yes": "yes",
                                 "attendees": "Begge + mor"})
    assert response.status_code == 302
    session.rollback()  # end the read transaction: see what the pages wrote
    assert session.get(Match, match.id).status == "active"


def test_a_no_at_the_introduction_returns_both_to_the_pool(as_role, session, world):
    client = as_role("coordinator")
    client.post(f"/koordinator/forslag/{world.proposal.id}/godkend")
    match = session.exec(select(Match).where(Match.request_id == world.family_request.id)).one()
    client.post(f"/koordinator/makkerpar/{match.id}/introduktion",
                data={"intro_on": clock.today().isoformat(), "volunteer_yes": "yes", "mentee_yes": "no"})
    session.rollback()  # end the read transaction: see what the pages wrote
    assert session.get(Match, match.id).status == "closed"
    assert session.get(Request, world.family_request.id).status == "waiting"
    assert session.exec(select(Exclusion).where(Exclusion.request_id == world.family_request.id)).one()


def test_an_introduction_in_the_future_is_refused(as_role, session, world):
    client = as_role("coordinator")
    client.post(f"/koordinator/forslag/{world.proposal.id}/godkend")
    match = session.exec(select(Match).where(Match.request_id == world.family_request.id)).one()
    page = client.post(f"/koordinator/makkerpar/{match.id}/introduktion",
                       data={"intro_on": "2999-01-01", "volunteer_yes": "yes", "mentee_yes": "yes"}).get_data(as_text=True)
    assert "fremtiden" in page


def test_person_pages_record_views_show_notes_and_the_audit_trail(as_role, session, world):
    client = as_role("coordinator")
    client.post(f"/koordinator/youth/{world.youth.id}/noter", data={"body": "Ringede til mor"})
    page = client.get(f"/koordinator/unge/{world.youth.id}").get_data(as_text=True)
    assert "Ringede til mor" in page and "Hvem har set eller ændret" in page
    assert session.exec(select(Note).where(Note.subject_id == world.youth.id)).one()
    views = session.exec(select(AuditEvent).where(AuditEvent.record_type == "Youth", AuditEvent.action == "view")).all()
    assert views and views[0].user_id == world.coordinator.id


def test_a_volunteer_sees_none_of_the_coordinator_pages(as_role, world):
    client = as_role("volunteer")
    assert client.get(f"/koordinator/unge/{world.youth.id}").status_code in (403, 404)
    assert client.get("/koordinator/venteliste/anmodninger").status_code == 403


_ = re


def test_the_situation_at_entry_is_recorded_with_the_request(as_role, session, world):
    client = as_role("coordinator")
    response = client.post("/koordinator/unge/ny", data=youth_form(
        world, **{"request-baseline_education_or_work": "no", "request-baseline_leisure_activity": "unknown",
                  "request-baseline_social_case": "yes"}))
    assert response.status_code == 302
    youth = session.exec(select(Youth).where(Youth.first_name == "Yusuf")).one()
    request = session.exec(select(Request).where(Request.youth_id == youth.id)).one()
    assert request.baseline == {"education_or_work": "no", "leisure_activity": "unknown", "social_case": "yes"}
    page = client.get(f"/koordinator/unge/{youth.id}").get_data(as_text=True)
    assert "Situation ved start" in page
