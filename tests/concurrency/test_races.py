"""Every state-changing operation on shared rows, fired several times at the same instant.

Runs on the suite's database (SQLite, or PostgreSQL with MAKKER_TEST_DATABASE_URL). Each case
runs a few groups (``MAKKER_RACE_GROUPS``, default 3) with a random seed that a failure prints;
``python -m tests.concurrency.probe`` runs many more and prints a table.
"""

from __future__ import annotations

import os
import random

import pytest

from tests.concurrency.cases import CASES
from tests.concurrency.runner import run_case

GROUPS = int(os.environ.get("MAKKER_RACE_GROUPS", "3"))


@pytest.mark.parametrize("name", list(CASES))
def test_concurrent_attempts_leave_a_consistent_house_and_answer_everyone_clearly(race_engine, name: str) -> None:
    seed = int(os.environ.get("MAKKER_RACE_SEED") or random.randrange(1_000_000))
    report = run_case(race_engine, CASES[name], GROUPS, seed)
    assert report.clean, f"{report.line()} (MAKKER_RACE_SEED={seed})\n" + "\n".join(dict.fromkeys(report.problems))
