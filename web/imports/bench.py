"""`makker bench --imports`: the whole calls a coordinator waits for when importing N volunteers
(upload and read, the preview's check of every row, the job's all-or-nothing write)."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _sheet(n: int, tag: str) -> bytes:
    import random

    rng = random.Random(17)
    postcodes = ["4000", "4130", "4320", "2100", "8000", "5000", "9000", "6700"]
    interests = ["Fodbold", "Løb", "Musik", "Madlavning", "Gaming", "Lektiehjælp", "Natur"]
    lines = ["Navn;E-mail;Mobil;Fødselsår;Køn;Postnr;Interesser;Sprog;Status;Venter siden"]
    for i in range(n):
        lines.append(f"Frivillig{i} Bench{i};b{tag}{i}@bench-makker.dk;2{i:07d};{rng.randrange(1950, 2000)};"
                     f"{rng.choice('KM')};{rng.choice(postcodes)};{', '.join(rng.sample(interests, 2))};Dansk;"
                     f"Godkendt;{rng.randrange(1, 28):02d}-{rng.randrange(1, 13):02d}-2025")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


@contextmanager
def throwaway_database(url: str | None, tmp: str) -> Iterator[str]:
    """Where the benchmark writes: a new SQLite file, or, for a PostgreSQL URL, a database of
    its own created on that server and dropped afterwards (the URL's own database, which may be
    someone's, is only used to connect and is never written)."""
    if not url or not url.startswith("postgresql"):
        yield url or f"sqlite:///{Path(tmp) / 'import.sqlite3'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(url)
    name = f"makker_bench_import_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def bench_import(url: str | None, n: int) -> dict:
    """Seconds of each whole call for one file of ``n`` volunteers, on a throwaway database
    (SQLite, or one created on the PostgreSQL server ``url`` names), with the load average."""
    from sqlmodel import Session

    from models.clock import today
    from models.imports import operations as ops
    from models.migrate import upgrade
    from seed import builders as b
    from web import create_app
    from web.imports.links import welcome_link

    with tempfile.TemporaryDirectory() as tmp, throwaway_database(url, tmp) as url:
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": Path(tmp) / "instance",
                          "ENVIRON": {"MAKKER_ENV": "testing"}, "MAKKER_BASE_URL": "http://bench.invalid"})
        engine = app.extensions["makker_engine"]
        tag = uuid.uuid4().hex[:8]
        data = _sheet(n, tag)
        figures: dict = {"volunteers": n, "backend": engine.dialect.name, "file_mb": round(len(data) / 1e6, 2),
                         # The machine is shared: the figures mean little without its load.
                         "load_before": [round(x, 2) for x in os.getloadavg()]}
        with app.app_context(), Session(engine, expire_on_commit=False) as session:
            org = b.make_organisation(session, slug=f"bench-{tag}")
            program = b.make_program(session, org)
            admin = b.make_user(session, org, "admin", email=f"admin-{tag}@bench-makker.dk")
            session.commit()
            day = today()
            start = time.perf_counter()
            batch = ops.upload(session, admin, program.id, "volunteers", "frivillige.csv", data)
            figures["upload_s"] = time.perf_counter() - start
            start = time.perf_counter()
            checked = ops.check_batch(session, batch, day)
            figures["preview_s"] = time.perf_counter() - start
            figures["rows_with_errors"] = len(checked.error_rows)
            start = time.perf_counter()
            ops.start_import(session, admin, batch.id, day)
            result = ops.run_import(session, batch.id, day, welcome_link)
            figures["job_s"] = time.perf_counter() - start
            figures["created"] = result.created.get("Volunteer", 0) if result else 0
            figures["total_s"] = figures["upload_s"] + figures["preview_s"] + figures["job_s"]
            figures["load_after"] = [round(x, 2) for x in os.getloadavg()]
        engine.dispose()
        return figures
