"""`makker import`: the same checks and the same all-or-nothing import as the pages."""

from __future__ import annotations

from sqlmodel import func, select

from models.imports.tables import ImportBatch
from models.volunteers import Volunteer
from tests.imports.helpers import VOLUNTEER_HEADERS, csv_bytes, volunteer_rows


def _count(session, model, *where) -> int:  # noqa: ANN001, ANN002
    session.rollback()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_dry_run_lists_the_bad_rows_and_stores_nothing_then_the_import_skips_them(app, session, world, tmp_path):
    rows = volunteer_rows(8, seed=21)
    rows[2][5] = "1234x"
    path = tmp_path / "frivillige.csv"
    path.write_bytes(csv_bytes(VOLUNTEER_HEADERS, rows, encoding="cp1252"))
    runner = app.test_cli_runner()
    args = ["import", str(path), "--program", world.program.slug, "--organisation", world.organisation.slug,
            "--kind", "volunteers"]
    result = runner.invoke(args=[*args, "--dry-run"])
    assert result.exit_code != 0 and "row 4" in result.output  # a bad row needs --skip-errors
    result = runner.invoke(args=[*args, "--dry-run", "--skip-errors"])
    assert result.exit_code == 0, result.output
    assert "would import 7" in result.output
    assert _count(session, ImportBatch) == 0
    assert _count(session, Volunteer, Volunteer.email.like("%@regneark.dk")) == 0
    result = runner.invoke(args=[*args, "--skip-errors"])
    assert result.exit_code == 0, result.output
    assert _count(session, Volunteer, Volunteer.email.like("%@regneark.dk")) == 7
    # The same file again: every row is now a duplicate of someone already in Makker.
    result = runner.invoke(args=[*args, "--skip-errors", "--duplicates", "skip"])
    assert result.exit_code != 0 and "No row is left" in result.output
    assert _count(session, Volunteer, Volunteer.email.like("%@regneark.dk")) == 7


def test_a_file_that_is_no_spreadsheet_is_refused_with_the_reason(app, world, tmp_path):
    path = tmp_path / "billede.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    result = app.test_cli_runner().invoke(args=["import", str(path), "--program", world.program.slug,
                                                "--organisation", world.organisation.slug, "--kind", "volunteers"])
    assert result.exit_code != 0 and "not a spreadsheet" in result.output
