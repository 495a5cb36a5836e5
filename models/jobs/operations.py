"""Periodic slots: one worker of all does each day's reminders (and the like) once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.db import begin_write
from models.jobs.tables import PeriodicSlot

SLOTS_KEPT = timedelta(days=90)


def take_slot(session: Session, job: str, slot: str, now: datetime) -> PeriodicSlot | None:
    """The slot's row when this caller is the first to take it, else None (someone did it)."""
    begin_write(session)
    record = PeriodicSlot(job=job, slot=slot, started_at=now)
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return record


def finish_slot(session: Session, record: PeriodicSlot, now: datetime, report: dict | None = None,
                error: str = "") -> None:
    begin_write(session)
    record = session.merge(record)
    record.finished_at = now
    record.report = report or {}
    record.error = error[:2000]
    session.add(record)
    session.commit()


def release_slot(session: Session, record: PeriodicSlot) -> None:
    """A job that failed gives its slot back, so the next check tries again."""
    begin_write(session)
    session.execute(delete(PeriodicSlot).where(PeriodicSlot.id == record.id))
    session.commit()


def last_slot(session: Session, job: str) -> PeriodicSlot | None:
    return session.exec(select(PeriodicSlot).where(PeriodicSlot.job == job)
                        .order_by(PeriodicSlot.started_at.desc())).first()


def prune_slots(session: Session, now: datetime) -> int:
    begin_write(session)
    result = session.execute(delete(PeriodicSlot).where(PeriodicSlot.started_at < now - SLOTS_KEPT))
    session.commit()
    return result.rowcount or 0
