"""Operations on the background work's own records (shared by every worker and the pages)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.jobs.tables import PeriodicSlot, QueueWorker

WORKER_SEEN_EVERY_SECONDS = 15
WORKER_GONE_AFTER = timedelta(seconds=90)  # no sign of life for this long: the worker is gone
SLOTS_KEPT = timedelta(days=90)


def take_slot(session: Session, job: str, slot: str, now: datetime) -> PeriodicSlot | None:
    """The slot's row when this caller is the first to take it, else None (someone did it)."""
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
    record.finished_at = now
    record.report = report or {}
    record.error = error[:2000]
    session.add(record)
    session.commit()


def release_slot(session: Session, record: PeriodicSlot) -> None:
    """A job that failed gives its slot back, so the next check tries again."""
    session.delete(record)
    session.commit()


def last_slot(session: Session, job: str) -> PeriodicSlot | None:
    return session.exec(select(PeriodicSlot).where(PeriodicSlot.job == job)
                        .order_by(PeriodicSlot.started_at.desc())).first()


def prune_slots(session: Session, now: datetime) -> int:
    result = session.execute(delete(PeriodicSlot).where(PeriodicSlot.started_at < now - SLOTS_KEPT))
    session.commit()
    return result.rowcount or 0


def worker_seen(session: Session, name: str, now: datetime) -> None:
    """Record that the worker ``name`` is alive (one row per worker process)."""
    result = session.execute(update(QueueWorker).where(QueueWorker.name == name).values(seen_at=now)
                             .execution_options(synchronize_session=False))
    if result.rowcount == 0:
        session.add(QueueWorker(name=name, started_at=now, seen_at=now))
        try:
            session.commit()
        except IntegrityError:  # the same name raced in: it is alive either way
            session.rollback()
        return
    session.commit()


def worker_stopped(session: Session, name: str) -> None:
    session.execute(delete(QueueWorker).where(QueueWorker.name == name))
    session.commit()


def live_workers(session: Session, now: datetime) -> int:
    """How many workers showed a sign of life recently."""
    return session.exec(select(func.count()).select_from(QueueWorker)
                        .where(QueueWorker.seen_at >= now - WORKER_GONE_AFTER)).one()


def forget_gone_workers(session: Session, now: datetime) -> int:
    """Drop the rows of workers that were killed without saying goodbye."""
    result = session.execute(delete(QueueWorker).where(QueueWorker.seen_at < now - WORKER_GONE_AFTER))
    session.commit()
    return result.rowcount or 0
