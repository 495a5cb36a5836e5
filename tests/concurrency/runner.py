"""Run a case for a number of groups and count what went wrong (used by the tests and the probe)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.concurrency.cases import Case, make_kit
from tests.concurrency.harness import Outcome, race
from tests.concurrency.invariants import broken_states

# Words that show a database error leaked into what a user would read.
_LEAKS = ("sqlalchemy", "psycopg", "sqlite", "integrityerror", "operationalerror", "constraint", "traceback")


@dataclass
class CaseReport:
    name: str
    database: str
    groups: int = 0
    broken_groups: int = 0  # a database invariant or the case's own check failed
    wrong_winners: int = 0  # more (or fewer) attempts succeeded than may
    unexpected: int = 0  # answers that a web request would turn into a server error
    attempts: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.broken_groups or self.wrong_winners or self.unexpected)

    def line(self) -> str:
        return (f"{self.database:10} {self.name[:78]:78} groups {self.groups:3}  broken {self.broken_groups:3}  "
                f"wrong-winners {self.wrong_winners:3}  errors {self.unexpected:3}/{self.attempts}")


def _answer_problems(outcome: Outcome) -> list[str]:
    problems = [a.describe() for a in outcome.unexpected]
    for answer in outcome.refused:
        text = answer.error.message.lower()
        if not text.strip() or any(word in text for word in _LEAKS):
            problems.append(f"unclear answer: {answer.error.message}")
    return problems


def run_group(engine: Engine, case: Case, serial: int,
              rng: random.Random) -> tuple[Outcome, list[str], list[str], bool]:
    """One group: build the world, race the attempts; returns the outcome, the broken states
    (invariants and the case's own checks), other problems, and whether too many won."""
    with Session(engine, expire_on_commit=False) as session:
        before = set(broken_states(session))
        kit = make_kit(engine, session, serial)
        built = case.build(kit)
        session.commit()
        outcome = race(engine, built.attempts, rng=rng)
        broken = [p for p in broken_states(session) if p not in before]
        if built.check is not None:
            broken += built.check(session, outcome)
        other = _answer_problems(outcome)
        wins = len(outcome.winners)
        allowed = (built.winners,) if isinstance(built.winners, int) else built.winners
        wrong = allowed is not None and wins not in allowed
        if wrong:
            other.append(f"{wins} of {len(outcome.answers)} attempts succeeded (allowed: {allowed}): "
                         + "; ".join(a.describe() for a in outcome.answers))
        return outcome, broken, other, wrong


def run_case(engine: Engine, case: Case, groups: int, seed: int = 0) -> CaseReport:
    report = CaseReport(case.name, engine.dialect.name)
    rng = random.Random(f"{seed}:{case.name}")
    for serial in range(groups):
        outcome, broken, other, wrong = run_group(engine, case, serial, rng)
        report.groups += 1
        report.attempts += len(outcome.answers)
        report.unexpected += len(outcome.unexpected)
        if broken:
            report.broken_groups += 1
        if wrong:
            report.wrong_winners += 1
        report.problems += broken + other
    return report
