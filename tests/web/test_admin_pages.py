"""The admin's pages through the test client: settings, staff, dashboard, exports, audit, GDPR."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pypdfium2
from sqlmodel import select

from models import clock
from models.audit import AuditEvent
from models.matches import Match
from models.mentees import Youth
from models.organisations import Program
from models.outbox import OutboxMessage
from models.users import User
from seed import builders as b
from tests.conftest import fresh


def _text(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def _program_form(client, program_id: int) -> dict:  # noqa: ANN001
    """The settings form as the browser would send it back, unchanged."""
    page = _text(client.get(f"/admin/programmer/{program_id}"))
    data: dict = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name in re.findall(r'<input[^>]*type="checkbox"[^>]*checked[^>]*name="([^"]+)"', page) + \
            re.findall(r'<input[^>]*checked[^>]*type="checkbox"[^>]*name="([^"]+)"', page):
        data.setdefault(name, "y")
    for select_name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option value="([^"]*)" selected', body)
        if chosen:
            data[select_name] = chosen.group(1) or chosen.group(2)
    return data


def test_an_admin_changes_a_programs_rules_and_the_change_is_audited(as_role, session, world):
    client = as_role("admin")
    data = _program_form(client, world.program.id)
    data.update({"name": "Unge mentorer", "checkin_plan": "14, 45, 90", "inactivity_days": "21",
                 "weights-interests": "5", "required_steps": ["interview", "boerneattest"], "action": "save",
                 "min_age": "12", "max_age": "18", "serves": "youth", "max_distance_km": "20",
                 "waiting_target_days": "60", "retention_months": "36", "outcome_required": "y", "active": "y"})
    response = client.post(f"/admin/programmer/{world.program.id}", data=data)
    assert response.status_code == 302, _text(response)[:3000]
    fresh(session)
    program = session.get(Program, world.program.id)
    assert program.name == "Unge mentorer" and program.checkin_plan_days == [14, 45, 90]
    assert program.weights["interests"] == 5.0 and program.inactivity_days == 21
    assert program.required_steps == ["interview", "boerneattest"]
    event = session.exec(select(AuditEvent).where(AuditEvent.record_type == "Program")).one()
    assert "checkin_plan_days" in event.detail["changed"]


def test_bad_program_settings_are_explained_and_nothing_is_saved(as_role, session, world):
    client = as_role("admin")
    data = _program_form(client, world.program.id)
    data.update({"min_age": "19", "max_age": "13", "checkin_plan": "14, to uger", "action": "save",
                 "required_steps": ["interview"], "serves": "youth"})
    response = client.post(f"/admin/programmer/{world.program.id}", data=data)
    assert response.status_code == 400
    assert "Skriv dagene som hele tal" in _text(response)
    fresh(session)
    assert session.get(Program, world.program.id).min_age != 19


def test_the_weight_preview_compares_todays_proposals_without_saving(as_role, session, world):
    for _ in range(3):
        b.make_volunteer(session, world.program)
        b.make_request(session, world.program, youth=b.make_youth(session, world.organisation))
    session.commit()
    client = as_role("admin")
    data = _program_form(client, world.program.id)
    data.update({"weights-distance": "10", "weights-interests": "0", "action": "preview",
                 "required_steps": list(world.program.required_steps)})
    response = client.post(f"/admin/programmer/{world.program.id}", data=data)
    assert response.status_code == 200, _text(response)[:3000]
    assert "Forhåndsvisning med disse vægte" in _text(response)
    fresh(session)
    assert session.get(Program, world.program.id).weights["distance"] != 10


def test_an_admin_invites_a_coordinator_who_chooses_a_password_and_signs_in(app, as_role, session, world):
    client = as_role("admin")
    response = client.post("/admin/brugere/ny", data={"name": "Mette Koordinator", "email": "mette@roskilde.example.org",
                                                       "role": "coordinator"})
    assert response.status_code == 302
    fresh(session)
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "mette@roskilde.example.org")).one()
    link = re.search(r"https?://\S+", mail.body).group(0)
    fresh_client = app.test_client()
    path = link.split("makker.test", 1)[1]
    response = fresh_client.post(path, data={"password": "mette-vaelger-kode", "confirm": "mette-vaelger-kode"})
    assert response.status_code == 302, _text(response)[:2000]
    response = fresh_client.post("/log-ind", data={"email": "mette@roskilde.example.org",
                                                   "password": "mette-vaelger-kode"})
    assert response.status_code == 302 and "/koordinator" in response.headers["Location"]


def test_inviting_an_address_in_use_is_refused(as_role, world):
    client = as_role("admin")
    response = client.post("/admin/brugere/ny", data={"name": "X", "email": world.coordinator.email, "role": "admin"})
    assert response.status_code == 400 and "bruger allerede denne e-mailadresse" in _text(response)


def test_roles_change_and_accounts_are_deactivated_never_deleted(as_role, session, world):
    client = as_role("admin")
    client.post(f"/admin/brugere/{world.coordinator.id}", data={"role": "admin"})
    client.post(f"/admin/brugere/{world.coordinator.id}", data={"active": "0"})
    fresh(session)
    user = session.get(User, world.coordinator.id)
    assert user.role == "admin" and user.active is False
    # The last active admin cannot be removed.
    response = client.post(f"/admin/brugere/{world.admin.id}", data={"active": "0"}, follow_redirects=True)
    assert "ikke ændre din egen konto" in _text(response)


def test_the_dashboard_shows_charts_with_tables_and_exports_csv_and_pdf(as_role, world):
    client = as_role("admin")
    page = _text(client.get("/admin/oversigt"))
    sources = re.findall(r'<img src="(/admin/oversigt/graf/[0-9a-f]{64}\.svg)"', page)
    assert len(set(sources)) == 5
    for source in sources:
        image = client.get(source)
        assert image.status_code == 200 and image.mimetype == "image/svg+xml" and b"<svg" in image.data
    assert "Stadig i gang efter" in page and "<caption" in page
    csv = client.get("/admin/oversigt.csv")
    assert csv.mimetype == "text/csv" and csv.data.startswith("\ufeff".encode())
    text = csv.data.decode("utf-8-sig")
    assert "Tilmeldt;" in text and "Makkerpar efter status" in text
    pdf = client.get("/admin/rapport.pdf")
    assert pdf.mimetype == "application/pdf"
    document = pypdfium2.PdfDocument(io.BytesIO(pdf.data))
    assert len(document) >= 2
    assert "Kaplan" in "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    # No names in the report.
    assert world.volunteer.first_name not in "".join(document[i].get_textpage().get_text_range()
                                                     for i in range(len(document)))


def test_a_bad_period_is_explained_and_the_default_shown(as_role):
    client = as_role("admin")
    response = client.get("/admin/oversigt?fra=31-31-2026")
    assert response.status_code == 200 and "er ikke en dato" in _text(response)


def test_the_overview_of_every_match_filters_sorts_and_exports(as_role, session, world):
    closed = b.make_match(session, b.make_request(session, world.program, youth=b.make_youth(session, world.organisation)),
                          b.make_volunteer(session, world.program, first_name="Carl"), status="closed",
                          closed_on=clock.today())
    session.commit()
    client = as_role("admin")
    all_rows = _text(client.get("/admin/makkerpar"))
    assert "Anna" in all_rows and "Carl" in all_rows
    only_closed = _text(client.get("/admin/makkerpar?status=closed"))
    assert "Carl" in only_closed and "Anna" not in only_closed
    at_risk = _text(client.get("/admin/makkerpar?risk=1"))
    assert "Anna" in at_risk and "Carl" not in at_risk  # Anna has logged nothing for 60 days
    csv = client.get("/admin/makkerpar.csv?status=closed").data.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Makkerpar;Frivillig") and str(closed.id) in csv


def test_the_audit_log_lists_who_viewed_what_and_filters(as_role, client, session, world):
    coordinator = as_role("coordinator")
    coordinator.get(f"/koordinator/unge/{world.youth.id}")
    client.post("/log-ud")
    admin = as_role("admin")
    page = _text(admin.get(f"/admin/log?type=Youth&id={world.youth.id}"))
    assert world.coordinator.name in page and "Set" in page
    assert "1 hændelser" in page or "1 hændelse" in page


def test_gdpr_export_and_erasure_of_a_youth_are_recorded(as_role, session, world):
    client = as_role("admin")
    found = _text(client.get("/admin/personer?q=mads"))
    assert "Mads" in found
    export = client.get(f"/admin/personer/youth/{world.youth.id}/eksport")
    data = json.loads(export.data)
    assert export.mimetype == "application/json" and "Mads" in json.dumps(data, ensure_ascii=False)
    refused = client.post(f"/admin/personer/youth/{world.youth.id}/slet", data={})
    assert refused.status_code == 400
    response = client.post(f"/admin/personer/youth/{world.youth.id}/slet", data={"confirm": "yes"})
    assert response.status_code == 302
    fresh(session)
    youth = session.get(Youth, world.youth.id)
    assert youth.anonymised_at is not None and youth.first_name != "Mads"
    assert session.get(Match, world.match.id).status == "closed"
    actions = {e.action for e in session.exec(select(AuditEvent).where(AuditEvent.record_type == "Youth",
                                                                       AuditEvent.record_id == youth.id))}
    assert {"export", "erase"} <= actions


def test_an_admin_of_another_organisation_sees_none_of_it(app, other_world, world, session):
    from tests.conftest import login

    client = app.test_client()
    login(client, other_world.admin.email)
    # Both organisations have an Anna and a Mads: what must not show is A's records.
    overview = _text(client.get("/admin/makkerpar"))
    assert world.program.name not in overview and f"/makkerpar/{world.match.id}\"" not in overview
    assert f"/personer/youth/{world.youth.id}/" not in _text(client.get("/admin/personer?q=mads"))
    assert client.get(f"/admin/programmer/{world.program.id}").status_code == 404
    assert client.get(f"/admin/personer/youth/{world.youth.id}/eksport").status_code == 404
    page = _text(client.get("/admin/log"))
    assert world.coordinator.name not in page
    d = _text(client.get("/admin/oversigt"))
    assert world.program.name not in d


def test_the_retention_command_reports_what_it_did(app, session, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["retention", "--today", (clock.today() + timedelta(days=3650)).isoformat()])
    assert result.exit_code == 0, result.output
    assert "anonymised" in result.output


def test_an_admin_renames_the_organisation(as_role, session, world):
    from models.organisations import Organisation

    client = as_role("admin")
    assert client.get("/admin/organisation").status_code == 200
    response = client.post("/admin/organisation", data={"name": "Roskilde Mentor", "kind": "association",
                                                         "contact_email": "kontakt@roskilde.example.org"})
    assert response.status_code == 302
    fresh(session)
    assert session.get(Organisation, world.organisation.id).name == "Roskilde Mentor"
    refused = client.post("/admin/organisation", data={"name": "", "kind": "association"})
    assert refused.status_code == 400


def test_the_overview_sorts_the_longest_silence_first(as_role, session, world):
    from models.matches import MeetingLog

    other = b.make_match(session, b.make_request(session, world.program, youth=b.make_youth(session, world.organisation)),
                         b.make_volunteer(session, world.program, first_name="Dina"))
    session.add(MeetingLog(match_id=other.id, volunteer_id=other.volunteer_id, met_on=clock.today(), minutes=60,
                           rating=4))
    session.add(MeetingLog(match_id=world.match.id, volunteer_id=world.volunteer.id,
                           met_on=clock.today() - timedelta(days=40), minutes=60, rating=4))
    session.commit()
    page = _text(as_role("admin").get("/admin/makkerpar?sort=quiet"))
    assert page.index("Anna") < page.index("Dina")
