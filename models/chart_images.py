"""Charts drawn once per set of figures, kept in the database for every web worker and machine.

A chart is known by a key: a hash of what it shows (its figures and texts), the format and the
drawing code. The same figures never get drawn twice; new figures get a new key, and images
nobody has looked at for ``KEEP_DAYS`` are deleted when new ones are stored.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import JSON, Column, LargeBinary, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow
from models.db import begin_write

KEEP_DAYS = 30


class ChartImage(SQLModel, table=True):
    __tablename__ = "chart_image"

    key: str = Field(primary_key=True, max_length=64)  # sha256 of organisation, figures, format, drawing code
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    fmt: str = Field(max_length=4)  # svg | png
    spec: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # what to draw, if not yet drawn
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    used_on: date = Field(index=True)


def find_image(session: Session, organisation_id: int, key: str) -> ChartImage | None:
    return session.exec(select(ChartImage).where(ChartImage.key == key,
                                                 ChartImage.organisation_id == organisation_id)).first()


def known_keys(session: Session, organisation_id: int, keys: list[str]) -> dict[str, bool]:
    """Which of ``keys`` are stored, and whether each is drawn already (one query)."""
    if not keys:
        return {}
    return {key: drawn for key, drawn in session.exec(
        select(ChartImage.key, ChartImage.content.is_not(None)).where(ChartImage.key.in_(keys),
                                                                       ChartImage.organisation_id == organisation_id))}


def remember_charts(session: Session, organisation_id: int, specs: dict[str, tuple[str, dict]], today: date) -> None:
    """Store what each new key is to show (``key -> (format, spec)``), so any worker can draw it."""
    if all(key in known_keys(session, organisation_id, list(specs)) for key in specs):
        return
    # A write of its own, started with the write lock (SQLite: a read transaction that other
    # writers overtook could not become a write); then read again what is there.
    begin_write(session)
    known = known_keys(session, organisation_id, list(specs))
    fresh = {key: value for key, value in specs.items() if key not in known}
    for key, (fmt, spec) in fresh.items():
        _add_once(session, ChartImage(key=key, organisation_id=organisation_id, fmt=fmt, spec=spec, used_on=today))
    _prune(session, today)
    session.commit()


def store_drawing(session: Session, organisation_id: int, key: str, fmt: str, spec: dict, content: bytes,
                  today: date) -> None:
    """Keep a drawn chart. Two workers drawing the same key at once both succeed: same bytes."""
    begin_write(session)
    stored = session.exec(update(ChartImage).where(ChartImage.key == key, ChartImage.content.is_(None))
                          .values(content=content, used_on=today).execution_options(synchronize_session=False))
    if stored.rowcount == 0 and find_image(session, organisation_id, key) is None:
        _add_once(session, ChartImage(key=key, organisation_id=organisation_id, fmt=fmt, spec=spec, content=content,
                                      used_on=today))
        _prune(session, today)
    session.commit()


def mark_used(session: Session, image: ChartImage, today: date) -> None:
    """At most one write per image and day: enough to know which images are still looked at."""
    if image.used_on < today:
        key = image.key
        begin_write(session)
        session.execute(update(ChartImage).where(ChartImage.key == key).values(used_on=today))
        session.commit()


def _prune(session: Session, today: date) -> None:
    session.execute(delete(ChartImage).where(ChartImage.used_on < today - timedelta(days=KEEP_DAYS)))


def _add_once(session: Session, image: ChartImage) -> None:
    try:
        with session.begin_nested():
            session.add(image)
    except IntegrityError:
        pass  # another worker stored the same key a moment earlier: its row is as good as ours
