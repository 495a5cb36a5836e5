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


def test_families_then_their_pairs_come_in_from_the_command_line(app, session, world, tmp_path):
    from models.matches import Match
    from models.mentees import Household
    from seed import builders as b
    from tests.imports.test_household_and_pair_import import (
        FAMILY_HEADERS,
        PAIR_HEADERS,
        family_rows,
        pair_rows,
    )

    families = tmp_path / "familier.csv"
    families.write_bytes(csv_bytes(FAMILY_HEADERS, family_rows()))
    runner = app.test_cli_runner()
    base = ["--program", world.family_program.slug, "--organisation", world.organisation.slug]
    result = runner.invoke(args=["import", str(families), *base, "--kind", "households"])
    assert result.exit_code != 0 and "row 6" in result.output  # Liva's birth year is a word
    result = runner.invoke(args=["import", str(families), *base, "--kind", "households", "--skip-errors"])
    assert result.exit_code == 0, result.output
    assert _count(session, Household, Household.family_name.in_(["Familien Hassan", "Familien Nielsen"])) == 2
    mentor = b.make_volunteer(session, world.family_program, supports="family", gender="female")
    session.commit()
    pairs = tmp_path / "par.csv"
    pairs.write_bytes(csv_bytes(PAIR_HEADERS, pair_rows(mentor.email, ("Mona", family_rows()[0][3]))))
    result = runner.invoke(args=["import", str(pairs), *base, "--kind", "pairs", "--dry-run"])
    assert result.exit_code == 0 and "would import 1" in result.output, result.output
    result = runner.invoke(args=["import", str(pairs), *base, "--kind", "pairs"])
    assert result.exit_code == 0, result.output
    assert _count(session, Match, Match.volunteer_id == mentor.id, Match.status == "active") == 1
    # The same pairs again: the family's other request would need a second place the mentor has not.
    result = runner.invoke(args=["import", str(pairs), *base, "--kind", "pairs"])
    assert result.exit_code != 0 and "breaks a rule: the volunteer has no free places" in result.output
    assert _count(session, Match, Match.volunteer_id == mentor.id) == 1
