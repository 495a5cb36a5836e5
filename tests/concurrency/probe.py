"""Run every race case for many groups and print a table (before/after figures for the report).

    .venv/bin/python -m tests.concurrency.probe --groups 20                # SQLite in a temp folder
    .venv/bin/python -m tests.concurrency.probe --groups 20 --db postgresql+psycopg://.../makker_race_probe

The PostgreSQL database is emptied first. Prints one line per case and database, then totals.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import SQLModel

from models.db import create_schema, make_engine
from tests.concurrency.cases import CASES
from tests.concurrency.runner import run_case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", default="", help="database URL (default: a new SQLite file)")
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--case", default="", help="only cases whose name contains this")
    parser.add_argument("--verbose", action="store_true", help="print every problem")
    args = parser.parse_args(argv)
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'probe.sqlite3'}"
    engine = make_engine(url)
    import models.tables  # noqa: F401

    SQLModel.metadata.drop_all(engine)
    create_schema(engine)
    totals = [0, 0, 0, 0, 0]
    started = time.perf_counter()
    for case in CASES.values():
        if args.case and args.case not in case.name:
            continue
        report = run_case(engine, case, args.groups, args.seed)
        print(report.line(), flush=True)
        if args.verbose:
            shown = {problem.splitlines()[0][:70]: problem.splitlines()[0][:200] for problem in report.problems}
            for problem in list(shown.values())[:4]:
                print("      ", problem)
        for i, n in enumerate((report.groups, report.broken_groups, report.wrong_winners, report.unexpected,
                               report.attempts)):
            totals[i] += n
    print(f"TOTAL {engine.dialect.name}: groups {totals[0]}, broken {totals[1]}, wrong winners {totals[2]}, "
          f"unexpected errors {totals[3]} of {totals[4]} attempts, {time.perf_counter() - started:.0f} s")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
