"""Benchmark of the coordinator's searches over a large organisation (``makker bench``)."""

from __future__ import annotations

import statistics
import time
from datetime import date

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.organisations import Organisation
from models.volunteers import Volunteer
from models.waiting import filter_volunteers

SEARCHES = ("anna", "jensen", "mette hansen", "lars", "sørensen", "@", "niels", "xyz-ingen", "karen", "møller",
            "peter", "ida", "holm", "rasmus", "line", "thomas", "emma", "ole", "jakob", "frederik")


def time_volunteer_search(engine: Engine, organisation_slug: str, page_size: int = 50) -> dict:
    """Median and slowest time of one waiting-list page (count + first page) for 20 searches."""
    times = []
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.slug == organisation_slug)).one()
        total = session.exec(select(func.count()).select_from(Volunteer).where(Volunteer.organisation_id == org.id)).one()
        for term in SEARCHES:
            started = time.perf_counter()
            stmt = filter_volunteers(select(Volunteer).where(Volunteer.organisation_id == org.id), status=None,
                                     search=term)
            session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
            list(session.exec(stmt.limit(page_size)))
            times.append(time.perf_counter() - started)
    return {"volunteers": int(total), "searches": len(times), "median_ms": 1000 * statistics.median(times),
            "max_ms": 1000 * max(times), "day": date.today().isoformat()}
