"""Round trip: export the demo organisation, bring it into an empty Makker, export again: the
two are equal apart from ids."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from models.db import create_schema, make_engine
from models.imports.export import organisation_tables, to_json
from models.imports.restore import restore_organisation
from models.organisations import Organisation


def _without_ids(tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Rows with their ids and references left out, in a stable order."""
    out = {}
    for name, rows in tables.items():
        plain = [{k: v for k, v in row.items() if k != "id" and not k.endswith("_id")} for row in rows]
        out[name] = sorted(plain, key=repr)
    return out


def test_the_demo_organisation_comes_back_equal_apart_from_ids(engine, tmp_path: Path):
    from seed.demo import build_demo

    build_demo(engine, seed=3, password="demo-round-trip-1", volunteers=40, requests=20)
    with Session(engine) as session:
        org = session.exec(select(Organisation).order_by(Organisation.id)).first()
        first = organisation_tables(session, org.id)
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    create_schema(empty)
    with Session(empty) as session:
        counts = restore_organisation(session, to_json(first))
        assert counts["volunteer"] == len(first["volunteer"])
        restored = session.exec(select(Organisation)).one()
        second = organisation_tables(session, restored.id)
    empty.dispose()
    second.pop("user", None), first.pop("user", None)  # passwords stay behind by design
    assert _without_ids(second) == _without_ids(first)
    # Ids differ, but every reference still points somewhere: as many empty ones as before.
    for name, rows in first.items():
        for column in [c for c in (rows[0] if rows else {}) if c.endswith("_id")]:
            before = sum(1 for r in rows if r[column] is None)
            after = sum(1 for r in second[name] if r[column] is None)
            assert after == before, f"{name}.{column}: {after} empty references, {before} before"
