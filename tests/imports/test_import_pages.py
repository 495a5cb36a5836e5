"""The import pages through the test client: upload, columns, rows, the job, the result, undo,
the imported volunteer's welcome link and the coordinator's consents to confirm."""

from __future__ import annotations

import io
import re

from sqlmodel import func, select

from models.imports.tables import ImportBatch
from models.outbox import OutboxMessage
from models.volunteers import Volunteer
from tests.imports.helpers import VOLUNTEER_HEADERS, csv_bytes, volunteer_rows


def _upload(client, world, data: bytes, name: str = "frivillige.csv", kind: str = "volunteers"):  # noqa: ANN001, ANN202
    return client.post("/import/", data={"program": world.program.id, "kind": kind,
                                         "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _count(session, model, *where) -> int:  # noqa: ANN001, ANN002
    session.rollback()  # a fresh read: the app wrote on its own connection
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_coordinator_imports_a_sheet_skips_the_bad_row_and_finds_the_volunteers_waiting(app, as_role, session,
                                                                                           world):
    app.config["QUEUE_IMMEDIATE"] = True
    client = as_role("coordinator")
    rows = volunteer_rows(12, seed=11)
    rows[4][5] = "0000"
    response = _upload(client, world, csv_bytes(VOLUNTEER_HEADERS, rows, encoding="cp1252"))
    assert response.status_code == 302, response.data[:2000]
    batch = session.exec(select(ImportBatch)).one()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Postnr" in page and "Fødselsår" in page
    form = {f"col_{i}": key for i, key in batch.columns.items()}
    response = client.post(f"/import/{batch.id}/kolonner", data=form)
    assert response.status_code == 302
    page = client.get(f"/import/{batch.id}/gennemse").get_data(as_text=True)
    assert "0000" in page and "Række" in page or "Row" in page
    response = client.post(f"/import/{batch.id}/gennemse", data={"action": "start"})
    assert response.status_code == 400  # the bad row needs a choice first
    assert _count(session, Volunteer, Volunteer.email.like("%@regneark.dk")) == 0
    response = client.post(f"/import/{batch.id}/gennemse", data={"action": "start", "row_6": "skip"})
    assert response.status_code == 302
    page = client.get(f"/import/{batch.id}").get_data(as_text=True)
    assert "11" in page
    assert _count(session, Volunteer, Volunteer.email.like("%@regneark.dk")) == 11
    waiting = client.get(f"/koordinator/venteliste/frivillige?program={world.program.id}&q=Hansen0"
                         ).get_data(as_text=True)
    assert "Frivillig0 Hansen0" in waiting, waiting[waiting.find("<main"):][:3000]
    # The welcome e-mail's link: details, consent and a password, once.
    session.rollback()
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "import_welcome")
                        .order_by(OutboxMessage.id)).first()
    link = re.search(r"http://makker\.test(/importeret/\S+)", mail.body).group(1)
    client.post("/log-ud")
    page = client.get(link).get_data(as_text=True)
    assert "Frivillig" in page and "samtykke" in page.lower()
    assert client.post(link, data={"password": "en lang og god kode", "confirm": "en lang og god kode"}
                       ).status_code == 400  # no consent ticked
    assert client.post(link, data={"password": "en lang og god kode", "confirm": "en lang og god kode",
                                   "consent": "1"}).status_code == 302
    assert client.get(link).status_code == 410  # used once


def test_a_bad_file_is_refused_on_the_page_with_a_clear_message(app, as_role, session, world):
    client = as_role("coordinator")
    response = _upload(client, world, b"\x89PNG\r\n\x1a\n....", "billede.png")
    assert response.status_code == 400
    assert "regneark" in response.get_data(as_text=True)
    response = _upload(client, world, b"x" * (50 * 1024 * 1024), "stor.csv")
    assert response.status_code == 400
    assert "MB" in response.get_data(as_text=True)
    assert _count(session, ImportBatch) == 0


def test_undo_asks_for_confirmation_and_removes_the_imported_volunteers(app, as_role, session, world):
    app.config["QUEUE_IMMEDIATE"] = True
    client = as_role("admin")
    _upload(client, world, csv_bytes(VOLUNTEER_HEADERS, volunteer_rows(3, seed=12)))
    batch = session.exec(select(ImportBatch)).one()
    client.post(f"/import/{batch.id}/gennemse", data={"action": "start"})
    assert _count(session, Volunteer, Volunteer.email.like("%@regneark.dk")) == 3
    assert client.get(f"/import/{batch.id}/fortryd").status_code == 200
    assert client.post(f"/import/{batch.id}/fortryd", data={}).status_code == 400
    assert _count(session, Volunteer, Volunteer.email.like("%@regneark.dk")) == 3
    assert client.post(f"/import/{batch.id}/fortryd", data={"confirm": "y"}).status_code == 302
    assert _count(session, Volunteer, Volunteer.email.like("%@regneark.dk")) == 0


def test_a_running_import_shows_rows_done_of_all_in_a_live_region_and_its_status_url(app, as_role, session, world):
    from models.clock import today
    from models.imports import operations as ops

    client = as_role("coordinator")
    assert _upload(client, world, csv_bytes(VOLUNTEER_HEADERS, volunteer_rows(7, seed=4))).status_code == 302
    batch = session.exec(select(ImportBatch)).one()
    ops.start_import(session, world.coordinator, batch.id, today())
    page = client.get(f"/import/{batch.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "run-progress.js" in page
    assert re.search(r'role="status" aria-live="polite"[^>]*>\s*Venter på at importen går i gang', page), page
    session.rollback()
    session.exec(ImportBatch.__table__.update().where(ImportBatch.id == batch.id).values(status="running", progress=3))
    session.commit()
    status = client.get(f"/import/{batch.id}/status").get_json()
    assert (status["status"], status["progress"], status["total"]) == ("running", 3, 7)
    assert status["message"] == "Tjekker rækkerne: 3 af 7."
    page = client.get(f"/import/{batch.id}").get_data(as_text=True)
    assert "Tjekker rækkerne: 3 af 7." in page
    session.exec(ImportBatch.__table__.update().where(ImportBatch.id == batch.id).values(progress=7))
    session.commit()
    assert client.get(f"/import/{batch.id}/status").get_json()["message"] == \
        "Alle 7 rækker er tjekket; de gemmes nu på én gang."


def test_a_pairs_import_that_fails_at_commit_says_which_row_and_rule_in_danish(app, as_role, session, world,
                                                                               monkeypatch):
    from models.imports import pairs
    from models.matches import Match
    from tests.imports.test_household_and_pair_import import PAIR_HEADERS, pair_rows

    app.config["QUEUE_IMMEDIATE"] = True
    client = as_role("coordinator")
    sheet = csv_bytes(PAIR_HEADERS, pair_rows(world.other_volunteer.email, (world.youth.name, world.youth.birth_year)))
    # The youth is matched already; the preview is made to miss it so that the job's own check,
    # on the locked rows, is the one that refuses.
    real = pairs.check_rows
    monkeypatch.setattr(pairs, "check_rows", lambda *a: [
        type(r)(r.number, r.name, [], None, {**r.data, "request_id": world.request.id}) for r in real(*a)])
    response = client.post("/import/", data={"program": world.program.id, "kind": "pairs",
                                             "file": (io.BytesIO(sheet), "par.csv")},
                           content_type="multipart/form-data")
    batch = session.exec(select(ImportBatch)).one()
    form = {f"col_{i}": key for i, key in batch.columns.items()}
    form[f"col_{PAIR_HEADERS.index('Postnr')}"] = "mentee_postcode"
    assert client.post(f"/import/{batch.id}/kolonner", data=form).status_code == 302
    response = client.post(f"/import/{batch.id}/gennemse", data={"action": "start"})
    assert response.status_code == 302
    page = client.get(f"/import/{batch.id}").get_data(as_text=True)
    assert "Række 2: makkerparret bryder en regel: den unge eller familien har allerede et igangværende makkerpar" \
        in page, page[page.find("<main"):][:2000]
    assert _count(session, Match, Match.volunteer_id == world.other_volunteer.id) == 0


def test_imported_families_are_listed_with_the_consents_to_confirm(app, as_role, session, world):
    from tests.imports.test_household_and_pair_import import FAMILY_HEADERS, family_rows

    app.config["QUEUE_IMMEDIATE"] = True
    client = as_role("coordinator")
    rows = family_rows()[:3]
    client.post("/import/", data={"program": world.family_program.id, "kind": "households",
                                  "file": (io.BytesIO(csv_bytes(FAMILY_HEADERS, rows)), "familier.csv")},
                content_type="multipart/form-data")
    batch = session.exec(select(ImportBatch)).one()
    assert client.post(f"/import/{batch.id}/gennemse", data={"action": "start"}).status_code == 302
    session.rollback()
    assert session.get(ImportBatch, batch.id).status == "done", session.get(ImportBatch, batch.id).error
    page = client.get("/import/samtykker").get_data(as_text=True)
    assert "Familien Hassan" in page, page[page.find("<main"):][:3000]
    record = re.search(r'name="record" value="(\d+)"', page).group(1)
    client.post("/import/samtykker", data={"record": record})
    assert "Familien Hassan" not in client.get("/import/samtykker").get_data(as_text=True)
