"""The export of everything as a job: an admin asks, the queue reads and writes the file with
progress, the admin downloads it; the file is kept a short time and only for the one who asked.

Reading a large organisation and writing its workbook takes long, so it never runs on a web
request (decision 0009). The file lives on its ``ExportFile`` row (personal data: never on disk),
emptied ``KEEP_HOURS`` after it was made by the hourly job ``prune_exports``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from models.audit import record_audit
from models.clock import utcnow
from models.errors import N_, Conflict, DomainError, NotFound
from models.imports.tables import ExportFile
from models.writes import begin_write, lock

KEEP_HOURS = 24
FORMATS = ("xlsx", "json")
STALE_MINUTES = 30
NOT_YOURS = N_("There is no such export.")


def request_export(session: Session, by: object, fmt: str) -> ExportFile:
    """A new export for ``by`` (an admin) to be made by the queue; one at a time per admin, so
    a double click does not read the whole organisation twice."""
    if fmt not in FORMATS:
        raise DomainError(N_("Choose Excel or JSON."), field="fmt")
    from models.users import User

    begin_write(session)
    lock(session, User, by.id)  # two clicks at once: the second waits here and finds the first
    busy = session.exec(select(ExportFile).where(ExportFile.requested_by_id == by.id,
                                                 ExportFile.status.in_(("queued", "running")))).first()
    if busy is not None:
        session.rollback()
        return busy
    export = ExportFile(organisation_id=by.organisation_id, requested_by_id=by.id, fmt=fmt)
    session.add(export)
    session.flush()
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create",
                 record_type="ExportFile", record_id=export.id, detail={"export_format": fmt})
    session.commit()
    return export


def _note_progress(session: Session, export_id: int, done: int, total: int) -> None:
    with Session(session.get_bind()) as side:  # its own commit: the page that polls reads it
        begin_write(side)
        side.exec(update(ExportFile).where(ExportFile.id == export_id, ExportFile.status == "running")
                  .values(progress=done, total=total))
        side.commit()


def run_export(session: Session, export_id: int, now: datetime) -> ExportFile | None:
    """The job: claim the export, read every table (progress per table), write the file on
    the row. A second delivery finds nothing to claim; a failure says why on the row."""
    from models.imports.export import export_name, organisation_tables, to_json, to_xlsx

    begin_write(session)
    claimed = session.exec(update(ExportFile).where(ExportFile.id == export_id, ExportFile.status == "queued")
                           .values(status="running", progress=0))
    session.commit()
    if claimed.rowcount != 1:
        return None
    export = session.get(ExportFile, export_id)
    try:
        tables = organisation_tables(session, export.organisation_id,
                                     progress=lambda done, total: _note_progress(session, export_id, done, total))
        data = to_xlsx(tables) if export.fmt == "xlsx" else to_json(tables)
        name = export_name(session, export.organisation_id, export.fmt, now)
        session.rollback()  # the reads' transaction: the write below starts its own
        begin_write(session)
        export = session.get(ExportFile, export_id)
        export.status, export.content, export.size, export.file_name = "done", data, len(data), name
        export.rows = sum(len(rows) for rows in tables.values())
        export.progress = export.total = max(export.total, len(tables))
        export.finished_at, export.expires_at = utcnow(), utcnow() + timedelta(hours=KEEP_HOURS)
        session.add(export)
        record_audit(session, organisation_id=export.organisation_id, user_id=export.requested_by_id,
                     action="export", record_type="Organisation", record_id=export.organisation_id,
                     detail={"export_format": export.fmt, "rows": export.rows, "export_file": export.id})
        session.commit()
        return export
    except Exception:  # noqa: BLE001 - recorded on the row, with "try again"
        session.rollback()
        begin_write(session)
        session.exec(update(ExportFile).where(ExportFile.id == export_id).values(
            status="failed", finished_at=utcnow(),
            error=N_("The export stopped on an unexpected error. Try again.")))
        session.commit()
        raise


def get_export(session: Session, by: object, export_id: int) -> ExportFile:
    export = session.get(ExportFile, export_id)
    if export is None or export.organisation_id != by.organisation_id or export.requested_by_id != by.id:
        raise NotFound(NOT_YOURS)
    return export


def download_export(session: Session, by: object, export_id: int, now: datetime) -> tuple[bytes, str, str]:
    """(content, file name, format) of a finished export, for the admin who asked; audited."""
    export = get_export(session, by, export_id)
    if export.status == "expired" or (export.expires_at is not None and now > export.expires_at):
        raise Conflict(N_("This export is no longer kept (exports are kept for %(hours)s hours). Make a new one."),
                       hours=KEEP_HOURS)
    if export.status != "done" or export.content is None:
        raise Conflict(N_("This export is not ready yet."))
    begin_write(session)
    session.exec(update(ExportFile).where(ExportFile.id == export_id).values(downloads=ExportFile.downloads + 1))
    record_audit(session, organisation_id=export.organisation_id, user_id=by.id, action="export",
                 record_type="ExportFile", record_id=export.id,
                 detail={"export_format": export.fmt, "downloaded": True, "size": export.size})
    session.commit()
    return export.content, export.file_name, export.fmt


def my_exports(by: object) -> object:
    return select(ExportFile).where(ExportFile.organisation_id == by.organisation_id,
                                    ExportFile.requested_by_id == by.id) \
        .order_by(ExportFile.created_at.desc(), ExportFile.id.desc())


def prune_exports(session: Session, now: datetime) -> dict[str, list[int]]:
    """Files past their time are emptied (the row stays: who exported what, when); an export
    whose worker stopped is failed, one whose message was lost is sent again."""
    begin_write(session)
    expired = list(session.exec(select(ExportFile.id).where(ExportFile.status == "done",
                                                            ExportFile.expires_at < now)))
    if expired:
        session.exec(update(ExportFile).where(ExportFile.id.in_(expired))
                     .values(status="expired", content=None))
    stale = list(session.exec(select(ExportFile.id).where(
        ExportFile.status == "running", ExportFile.created_at < now - timedelta(minutes=STALE_MINUTES))))
    if stale:
        session.exec(update(ExportFile).where(ExportFile.id.in_(stale), ExportFile.status == "running").values(
            status="failed", finished_at=now, error=N_("The export stopped before it finished. Try again.")))
    again = list(session.exec(select(ExportFile.id).where(
        ExportFile.status == "queued", ExportFile.created_at < now - timedelta(minutes=10))))
    session.commit()
    return {"expired": expired, "failed": stale, "to_enqueue": again}
