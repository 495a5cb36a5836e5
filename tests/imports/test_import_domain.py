"""Importing volunteers and youths: the domain operations the page, the job and the CLI share."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlmodel import func, select

from models.clock import today
from models.errors import Conflict, DomainError
from models.imports import operations as ops
from models.imports.reading import BadFile
from models.imports.tables import ImportBatch, ImportedRecord
from models.mentees import Request, Youth
from models.outbox import OutboxMessage
from models.pool import load_pool
from models.users import User
from models.volunteers import Volunteer
from tests.imports.helpers import VOLUNTEER_HEADERS, csv_bytes, volunteer_rows, xlsx_bytes


def _link(user: User) -> str:
    return f"http://test/importeret/{user.id}"


def _count(session, model) -> int:  # noqa: ANN001
    return session.exec(select(func.count()).select_from(model)).one()


def _import(session, world, data: bytes, name: str = "frivillige.csv", kind: str = "volunteers"):  # noqa: ANN001, ANN202
    batch = ops.upload(session, world.coordinator, world.program.id, kind, name, data)
    return batch


def test_good_volunteers_come_in_with_their_waiting_time_and_are_not_proposed_until_they_confirm(session, world):
    rows = volunteer_rows(30, seed=3)
    batch = _import(session, world, csv_bytes(VOLUNTEER_HEADERS, rows, encoding="cp1252"))
    assert set(batch.columns.values()) >= {"name", "email", "phone", "birth_year", "gender", "postcode",
                                            "interests", "languages", "status", "pool_since"}
    preview = ops.check_batch(session, batch, today())
    assert [r.errors for r in preview.rows if r.errors] == []
    ops.start_import(session, world.coordinator, batch.id, today())
    result = ops.run_import(session, batch.id, today(), _link)
    assert result.created == {"Volunteer": 30}
    imported = list(session.exec(select(Volunteer).where(Volunteer.email.like("%@regneark.dk"))))
    assert len(imported) == 30 and all(v.status == "approved" and v.pool_since for v in imported)
    assert all(v.pool_since < today() for v in imported)
    assert _count(session, OutboxMessage) >= 30
    pool = load_pool(session, world.program, today())
    pooled = {v.id for v in pool.volunteers}
    assert not pooled & {v.id for v in imported}
    first = imported[0]
    ops.confirm_imported_volunteer(session, first.user_id, "en lang og god adgangskode 1", today())
    pooled = {v.id for v in load_pool(session, world.program, today()).volunteers}
    assert first.id in pooled and not pooled & {v.id for v in imported[1:]}


def test_a_row_with_a_bad_postcode_and_an_unknown_interest_is_shown_with_the_value_and_blocks_until_skipped(
        session, world):
    rows = volunteer_rows(5, seed=4)
    rows[1][5] = "9999"
    rows[2][6] = "Fodbold, Kitesurfing"
    batch = _import(session, world, csv_bytes(VOLUNTEER_HEADERS, rows))
    preview = ops.check_batch(session, batch, today())
    errors = {r.number: r.errors for r in preview.rows if r.errors}
    assert set(errors) == {3, 4}
    assert errors[3][0].column == "Postnr" and "9999" in (errors[3][0].params.get("code"), errors[3][0].value)
    assert errors[4][0].params == {"value": "Kitesurfing"}
    assert preview.unknown == {"interests": ["Kitesurfing"]}
    with pytest.raises(DomainError):
        ops.start_import(session, world.coordinator, batch.id, today())
    # Mapping the unknown value once fixes every row that has it.
    ops.set_mapping(session, world.coordinator, batch.id, batch.columns, {"interests": {"Kitesurfing": ""}})
    ops.decide(session, world.coordinator, batch.id, {}, skip_errors=True, today=today())
    ops.start_import(session, world.coordinator, batch.id, today())
    result = ops.run_import(session, batch.id, today(), _link)
    assert result.created == {"Volunteer": 4} and result.skipped == 1


def test_a_volunteer_already_in_makker_is_flagged_and_merged_or_skipped_by_choice(session, world):
    rows = volunteer_rows(3, seed=5)
    rows[0][1] = world.volunteer.email.upper()
    before = _count(session, Volunteer)
    batch = _import(session, world, csv_bytes(VOLUNTEER_HEADERS, rows))
    preview = ops.check_batch(session, batch, today())
    duplicate = preview.rows[0].duplicate
    assert duplicate.record_id == world.volunteer.id and duplicate.reason == "email"
    with pytest.raises(DomainError):
        ops.start_import(session, world.coordinator, batch.id, today())
    ops.decide(session, world.coordinator, batch.id, {2: "merge"})
    ops.start_import(session, world.coordinator, batch.id, today())
    result = ops.run_import(session, batch.id, today(), _link)
    assert result.created == {"Volunteer": 2} and result.merged == 1
    assert _count(session, Volunteer) == before + 2


def test_a_failure_half_way_leaves_nothing(session, world, monkeypatch):
    batch = _import(session, world, csv_bytes(VOLUNTEER_HEADERS, volunteer_rows(20, seed=6)))
    ops.start_import(session, world.coordinator, batch.id, today())
    before = _count(session, Volunteer), _count(session, User)
    real = ops.compose

    def failing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if kwargs.get("name") == "Frivillig15":  # the users and profiles are written by now
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(ops, "compose", failing)
    with pytest.raises(RuntimeError):
        ops.run_import(session, batch.id, today(), _link)
    assert (_count(session, Volunteer), _count(session, User)) == before
    assert session.get(ImportBatch, batch.id).status == "failed"
    assert _count(session, ImportedRecord) == 0


def test_undo_removes_what_the_import_made_and_is_refused_once_something_happened(session, world):
    batch = _import(session, world, csv_bytes(VOLUNTEER_HEADERS, volunteer_rows(4, seed=7)))
    ops.start_import(session, world.coordinator, batch.id, today())
    before = _count(session, Volunteer)
    ops.run_import(session, batch.id, today(), _link)
    assert ops.undo_blockers(session, session.get(ImportBatch, batch.id), today() + timedelta(days=8))
    ops.undo_import(session, world.admin, batch.id, today())
    assert _count(session, Volunteer) == before and session.get(ImportBatch, batch.id).status == "undone"
    second = _import(session, world, csv_bytes(VOLUNTEER_HEADERS, volunteer_rows(4, seed=8, start=10)))
    ops.start_import(session, world.coordinator, second.id, today())
    ops.run_import(session, second.id, today(), _link)
    changed = session.exec(select(Volunteer).where(Volunteer.email == "frivillig10@regneark.dk")).one()
    ops.confirm_imported_volunteer(session, changed.user_id, "en lang og god adgangskode 2", today())
    with pytest.raises(Conflict):
        ops.undo_import(session, world.admin, second.id, today())
    assert _count(session, Volunteer) == before + 4


def test_youths_come_in_with_the_files_consent_marked_to_be_confirmed(session, world):
    year = today().year
    headers = ["Fornavn", "Efternavn", "Fødselsdato", "Køn", "Postnr", "Samtykke givet af", "Samtykke som",
               "Samtykkedato", "Henvist"]
    rows = [["Ali", "Hassan", f"03.04.{year - 15}", "Dreng", "4000", "Mona Hassan", "Forælder",
             f"01-02-{year}", f"01-02-{year}"],
            ["Sara", "Nielsen", f"{year - 14}-01-01", "Pige", "4130", "", "", "", ""]]
    batch = _import(session, world, xlsx_bytes(headers, rows), "unge.xlsx", kind="youths")
    preview = ops.check_batch(session, batch, today())
    assert [r.number for r in preview.rows if r.errors] == [3]  # no consent: same rule as the intake form
    ops.decide(session, world.coordinator, batch.id, {3: "skip"})
    ops.start_import(session, world.coordinator, batch.id, today())
    ops.run_import(session, batch.id, today(), _link)
    youth = session.exec(select(Youth).where(Youth.first_name == "Ali")).one()
    assert session.exec(select(Request).where(Request.youth_id == youth.id)).one().status == "waiting"
    pending = session.exec(ops.to_confirm(session, world.organisation.id)).all()
    assert [y.id for _record, y in pending] == [youth.id]
    ops.confirm_imported_consent(session, world.coordinator, [pending[0][0].id])
    assert session.exec(ops.to_confirm(session, world.organisation.id)).all() == []


@pytest.mark.parametrize(("name", "data"), [
    ("tom.csv", b""),
    ("tom.xlsx", b"   \n"),
    ("billede.xlsx", b"PK\x03\x04not really a zip"),
    ("program.exe", b"MZ\x90\x00\x03"),
    ("bred.csv", (";".join(f"k{i}" for i in range(1000)) + "\r\n" + ";".join("x" * 1000) + "\r\n").encode()),
    ("stor.csv", b"a;b\r\n" + b"x;y\r\n" * (6 * 1024 * 1024)),
    ("kun-overskrift.csv", b"Navn;E-mail\r\n"),
    # Neither UTF-8 nor plausible Windows-1252: Russian in KOI8-R, and bytes that are no text at all.
    ("russisk.csv", "Имя;Индекс\r\nИван Петров;4000\r\n".encode("koi8_r")),
    ("stoej.csv", b"Navn;Postnr\r\n" + bytes(random.Random(3).randrange(0x80, 0xA0) for _ in range(400))
     + b";4000\r\n"),
    ("stoej2.csv", bytes(random.Random(4).randrange(1, 256) for _ in range(5000))),
])
def test_a_bad_file_gives_a_clear_message_and_stores_nothing(session, world, name, data):
    from pathlib import Path

    from babel.support import Translations

    danish = Translations.load(str(Path(__file__).resolve().parents[2] / "web" / "translations"), ["da"])
    with pytest.raises(BadFile) as error:
        _import(session, world, data, name)
    assert error.value.msgid
    # Said in Danish (the page shows the translation), and nothing is stored.
    assert danish.gettext(error.value.msgid) != error.value.msgid
    assert _count(session, ImportBatch) == 0


def test_a_windows_1252_file_from_danish_excel_reads_aeoeaa_correctly(session, world):
    rows = volunteer_rows(3, seed=12)
    rows[0][0], rows[1][0], rows[2][0] = "Søren Ærøskøbing", "Åse Blåbærhøj", "Jørgen Æbeløs"
    batch = _import(session, world, csv_bytes(VOLUNTEER_HEADERS, rows, encoding="cp1252"), "excel.csv")
    assert batch.headers[3] == "Fødselsår"
    preview = ops.check_batch(session, batch, today())
    assert [(r.data["first_name"], r.data["last_name"]) for r in preview.rows] == [
        ("Søren", "Ærøskøbing"), ("Åse", "Blåbærhøj"), ("Jørgen", "Æbeløs")]


def test_a_formula_in_a_cell_is_refused_for_its_row(session, world):
    rows = volunteer_rows(2, seed=9)
    data = xlsx_bytes(VOLUNTEER_HEADERS, [rows[0], [*rows[1][:2], "=HYPERLINK(\"http://x\")", *rows[1][3:]]])
    batch = _import(session, world, data, "formel.xlsx")
    preview = ops.check_batch(session, batch, today())
    assert [(r.number, r.errors[0].column) for r in preview.rows if r.errors] == [(3, "Mobil")]


def test_the_files_cells_are_emptied_after_the_undo_window_and_the_counts_stay(session, world):
    batch = _import(session, world, csv_bytes(VOLUNTEER_HEADERS, volunteer_rows(3, seed=41)))
    ops.start_import(session, world.coordinator, batch.id, today())
    ops.run_import(session, batch.id, today(), _link)
    assert ops.prune_import_files(session, today()) == 0
    assert ops.prune_import_files(session, today() + timedelta(days=ops.UNDO_DAYS + 1)) == 1
    session.expire_all()
    kept = session.get(ImportBatch, batch.id)
    assert kept.rows == [] and kept.result["rows"] == 3 and kept.sha256


def test_the_job_commits_its_progress_as_it_checks_so_another_connection_sees_it_rise(engine, session, world,
                                                                                      monkeypatch):
    from sqlmodel import Session as _Session

    from models.clock import today
    from models.imports import operations as ops
    from tests.imports.helpers import VOLUNTEER_HEADERS, csv_bytes, volunteer_rows

    n = 23
    batch = ops.upload(session, world.coordinator, world.program.id, "volunteers", "f.csv",
                       csv_bytes(VOLUNTEER_HEADERS, volunteer_rows(n, seed=8)))
    ops.start_import(session, world.coordinator, batch.id, today())
    seen: list[tuple[str, int]] = []
    real = ops._note_progress

    def watched(job_session, batch_id: int, done: int) -> None:
        real(job_session, batch_id, done)
        with _Session(engine) as other:  # what the polling page reads, from its own connection
            row = other.get(ImportBatch, batch_id)
            seen.append((row.status, row.progress))

    monkeypatch.setattr(ops, "_note_progress", watched)
    result = ops.run_import(session, batch.id, today(), lambda user: "http://x", progress_every=5)
    assert result is not None and result.created["Volunteer"] == n
    assert [p for _s, p in seen] == [5, 10, 15, 20, n]
    assert {s for s, _p in seen} == {"running"}
