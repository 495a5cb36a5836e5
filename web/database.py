"""One database session per request, on an engine shared by the app."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import make_engine
from models.writes import guard_writes


def init_app(app: Flask) -> None:
    app.extensions["makker_engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["makker_engine"]


def get_db() -> Session:
    if "db" not in g:
        g.db = Session(engine(), expire_on_commit=False)
        settings = current_app.config.get("MAKKER_SETTINGS")
        # Outside production a write that skips models.writes.begin_write fails at once, so
        # tests find it; production logs it and lets it through (docs/decisions/0008).
        guard_writes(g.db, strict=settings is None or not settings.production)
    return g.db


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()
