"""The pages of one person in several programmes, through the test client: the volunteer applies
from their home page, the coordinator approves or adds, the volunteer leaves one programme after
confirming, and the home page shows every programme."""

from __future__ import annotations

from sqlmodel import select

from models.audit import AuditEvent
from models.members import queries
from seed import builders as b


def membership(session, volunteer_id: int, program_id: int):  # noqa: ANN001, ANN201
    """The place as the app left it (not as this test's session last saw it)."""
    session.rollback()  # end this session's snapshot: the app wrote after it began
    return queries.membership(session, volunteer_id, program_id)


def _apply(client, world, **data):  # noqa: ANN001, ANN003, ANN202
    form = {"program_id": str(world.family_program.id), "capacity": "2", "motivation": "Jeg har en stor have"}
    form.update(data)
    return client.post("/frivillig/programmer/ansog", data=form)


def test_a_signed_in_volunteer_applies_to_another_programme_from_the_home_page(session, world, as_role):
    client = as_role("volunteer")
    home = client.get("/frivillig/").get_data(as_text=True)
    assert "Dine programmer" in home and world.program.name in home and "Bliv med i et andet program" in home
    form = client.get("/frivillig/programmer/ansog").get_data(as_text=True)
    assert world.family_program.name in form and world.program.name not in form.split("<form")[1]
    response = _apply(client, world)
    assert response.status_code == 302
    member = membership(session, world.volunteer.id, world.family_program.id)
    assert (member.status, member.capacity) == ("applied", 2)
    home = client.get("/frivillig/").get_data(as_text=True)
    assert world.family_program.name in home and "Har søgt, venter på godkendelse" in home


def test_a_bad_application_keeps_what_was_typed_and_stores_nothing(session, world, as_role):
    client = as_role("volunteer")
    response = _apply(client, world, program_id="", motivation="Min tekst <b>fed</b>")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vælg et program." in page and "Min tekst &lt;b&gt;fed&lt;/b&gt;" in page
    assert membership(session, world.volunteer.id, world.family_program.id) is None


def test_the_coordinator_adds_an_existing_volunteer_and_approves_them_when_the_steps_are_done(session, world,
                                                                                              as_role):
    client = as_role("coordinator")
    page = client.get(f"/koordinator/frivillige/{world.other_volunteer.id}/programmer").get_data(as_text=True)
    assert "Tilføj til et program" in page
    response = client.post(f"/koordinator/frivillige/{world.other_volunteer.id}/programmer",
                           data={"program_id": str(world.family_program.id), "capacity": "1"})
    assert response.status_code == 302
    # The family programme's own intro course is not done for it: approval names what is missing.
    page = client.post(f"/koordinator/frivillige/{world.other_volunteer.id}/programmer/{world.family_program.id}"
                       "/godkend", follow_redirects=True).get_data(as_text=True)
    assert "1 mangler" in page or "mangler" in page
    assert membership(session, world.other_volunteer.id, world.family_program.id).status == "applied"
    member = membership(session, world.other_volunteer.id, world.family_program.id)
    member.own_steps = {"training": "2026-11-01"}
    session.add(member)
    session.commit()
    page = client.post(f"/koordinator/frivillige/{world.other_volunteer.id}/programmer/{world.family_program.id}"
                       "/godkend", follow_redirects=True).get_data(as_text=True)
    assert "er nu med i" in page
    assert membership(session, world.other_volunteer.id, world.family_program.id).status == "active"
    assert session.exec(select(AuditEvent).where(AuditEvent.record_type == "Volunteer",
                                                 AuditEvent.record_id == world.other_volunteer.id,
                                                 AuditEvent.action == "view")).first() is not None


def test_leaving_one_programme_asks_for_confirmation_and_keeps_the_others(session, world, as_role):
    b.join_programme(session, session.get(type(world.volunteer), world.volunteer.id), world.family_program)
    session.commit()
    client = as_role("volunteer")
    url = f"/frivillig/programmer/{world.family_program.id}/forlad"
    assert "afsluttes" in client.get(url).get_data(as_text=True)
    unconfirmed = client.post(url, data={"reason": "Ikke tid"})
    assert unconfirmed.status_code == 400 and "Sæt kryds" in unconfirmed.get_data(as_text=True)
    assert membership(session, world.volunteer.id, world.family_program.id).status == "active"
    assert client.post(url, data={"reason": "Ikke tid", "confirm": "y"}).status_code == 302
    assert membership(session, world.volunteer.id, world.family_program.id).status == "left"
    assert membership(session, world.volunteer.id, world.program.id).status == "active"
    home = client.get("/frivillig/").get_data(as_text=True)
    assert "Stoppet" in home and world.family_program.name in home


def test_a_volunteer_cannot_open_another_volunteers_programme_pages(world, other_world, as_role):
    client = as_role("volunteer")
    assert client.get(f"/frivillig/programmer/{other_world.program.id}/forlad").status_code == 404
    assert client.get(f"/koordinator/frivillige/{world.other_volunteer.id}/programmer").status_code in (403, 404)
