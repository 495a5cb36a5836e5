"""`makker import FILE --program SLUG --kind volunteers [--mapping NAME] [--dry-run]`: the same
operations as the import pages (read, map, check every row, import all or nothing)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext


def _describe(error) -> str:  # noqa: ANN001 - a CellError
    text = error.msgid % error.params if error.params else error.msgid
    return f"{error.column}: {text}" + (f" (the file says {error.value!r})" if error.value else "")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--program", "program_slug", required=True, help="The programme's slug.")
@click.option("--organisation", "organisation_slug", default=None, help="Needed when several have the slug.")
@click.option("--kind", type=click.Choice(["volunteers", "youths", "households", "pairs"]), required=True, help="What the file holds.")
@click.option("--mapping", "mapping_name", default=None, help="A saved mapping to use for columns and values.")
@click.option("--as", "as_email", default=None, help="The staff member importing (default: the first admin).")
@click.option("--skip-errors", is_flag=True, help="Skip every row with errors instead of refusing the file.")
@click.option("--duplicates", type=click.Choice(["skip", "merge", "import"]), default=None,
              help="What to do with each possible duplicate (merge: fill in the existing person).")
@click.option("--dry-run", is_flag=True, help="Check every row and print what would happen; store nothing.")
@with_appcontext
def import_command(file: Path, program_slug: str, organisation_slug: str | None, kind: str, mapping_name: str | None,
                   as_email: str | None, skip_errors: bool, duplicates: str | None, dry_run: bool) -> None:
    """Import volunteers or youths from an .xlsx or CSV file into one programme, all or nothing."""
    from sqlmodel import Session, select

    from models.clock import today
    from models.errors import DomainError
    from models.imports import operations as ops
    from models.organisations import Organisation, Program
    from models.users import User
    from web.database import engine
    from web.imports.links import welcome_link

    with Session(engine(), expire_on_commit=False) as session:
        stmt = select(Program).where(Program.slug == program_slug)
        if organisation_slug:
            stmt = stmt.join(Organisation).where(Organisation.slug == organisation_slug)
        programs = list(session.exec(stmt))
        if not programs:
            raise click.ClickException(f"No programme with the slug {program_slug!r}.")
        if len(programs) > 1:
            raise click.ClickException("Several organisations have that programme slug; add --organisation.")
        program = programs[0]
        users = select(User).where(User.organisation_id == program.organisation_id, User.active)
        by = session.exec(users.where(User.email == as_email.strip().lower()) if as_email else
                          users.where(User.role == "admin").order_by(User.id)).first()
        if by is None or by.role not in ("admin", "coordinator"):
            raise click.ClickException("No admin or coordinator of the organisation to import as; give --as EMAIL.")
        try:
            batch = ops.prepare(session, by, program.id, kind, file.name, file.read_bytes(), mapping_name)
            checked = ops.check_batch(session, batch, today())
        except DomainError as error:
            raise click.ClickException(error.message) from error
        if checked.missing:
            raise click.ClickException("No column for the required fields: " + ", ".join(checked.missing)
                                       + ". Save a mapping on the import page and give --mapping.")
        for row in checked.flagged:
            for error in row.errors:
                click.echo(f"row {row.number}: {_describe(error)}", err=True)
            if row.duplicate and not row.errors:
                click.echo(f"row {row.number}: possibly {row.duplicate.name or 'row ' + str(row.duplicate.row)} "
                           f"(same {row.duplicate.reason})", err=True)
        good = len(checked.rows) - len(checked.flagged)
        click.echo(f"{file.name}: {len(checked.rows)} rows, {good} ready, {len(checked.error_rows)} with errors, "
                   f"{len(checked.duplicate_rows)} possible duplicates")
        decisions = {row.number: "skip" for row in checked.error_rows} if skip_errors else {}
        if duplicates:
            for row in checked.duplicate_rows:
                choice = duplicates
                if choice == "merge" and (row.duplicate.record_id is None or row.duplicate.record_type == "Household"):
                    choice = "skip"
                if choice == "import" and row.duplicate.email:
                    choice = "merge"
                decisions[row.number] = choice
        batch.decisions = {str(n): c for n, c in decisions.items()}
        try:
            plan = ops._plan(batch, checked)
        except DomainError as error:
            raise click.ClickException(error.message + " (use --skip-errors and --duplicates)") from error
        if dry_run:
            counts = {c: sum(1 for _row, choice in plan if choice == c) for c in ("import", "merge", "skip")}
            click.echo(f"dry run: would import {counts['import']}, merge {counts['merge']}, skip {counts['skip']}; "
                       "nothing stored")
            return
        session.expunge_all()
        stored = ops.upload(session, by, program.id, kind, file.name, file.read_bytes(), mapping_name)
        ops.decide(session, by, stored.id, decisions)
        ops.start_import(session, by, stored.id, today())
        try:
            result = ops.run_import(session, stored.id, today(), welcome_link)
        except Exception as error:  # noqa: BLE001 - the batch says failed; nothing was imported
            raise click.ClickException(f"the import failed and nothing was stored: {error}") from error
        if result is None:
            raise click.ClickException(f"the import failed and nothing was stored: {session.get(type(stored), stored.id).error}")
        click.echo(f"import {stored.id}: created {result.created}, merged {result.merged}, skipped {result.skipped}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Bring an organisation exported as JSON or as the .xlsx workbook (Tag det hele med) into this
    Makker, all or nothing."""
    from sqlmodel import Session

    from models.errors import DomainError
    from models.imports.restore import restore_organisation
    from web.database import engine

    with Session(engine(), expire_on_commit=False) as session:
        try:
            counts = restore_organisation(session, file.read_bytes())
        except DomainError as error:
            raise click.ClickException(error.message) from error
    click.echo(", ".join(f"{name} {n}" for name, n in counts.items()))
    click.echo("Accounts have no password yet: each person chooses one with 'Glemt din adgangskode?'.")
