"""Fire several attempts at the same instant, each through its own session and connection.

``race`` starts one thread per attempt, releases them together with a barrier and then lets each
wait 0-25 ms (random, seeded) so that both orders occur over a few groups. Every attempt's answer
is classified: a value (it succeeded), a DomainError (a clean answer the user can read) or
anything else (what a web request would turn into a server error).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.errors import DomainError

Attempt = Callable[[Session], Any]


@dataclass
class Answer:
    value: Any = None
    error: DomainError | None = None
    unexpected: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.unexpected is None

    def describe(self) -> str:
        if self.unexpected is not None:
            return f"unexpected {type(self.unexpected).__name__}: {str(self.unexpected)[:300]}"
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error.message}"
        return "ok"


@dataclass
class Outcome:
    answers: list[Answer] = field(default_factory=list)

    @property
    def winners(self) -> list[Answer]:
        return [a for a in self.answers if a.ok]

    @property
    def refused(self) -> list[Answer]:
        return [a for a in self.answers if a.error is not None]

    @property
    def unexpected(self) -> list[Answer]:
        return [a for a in self.answers if a.unexpected is not None]

    def already_done(self) -> list[Answer]:
        """Answers that say the same submission was already saved (idempotent double submits)."""
        from models.errors import AlreadyDone

        return [a for a in self.answers if isinstance(a.error, AlreadyDone)]


def race(engine: Engine, attempts: list[Attempt], *, rng: random.Random | None = None,
         jitter: float = 0.025, timeout: float = 60.0) -> Outcome:
    """Run ``attempts`` at once (one thread and session each) and collect their answers in order."""
    rng = rng or random.Random()
    delays = [rng.uniform(0, jitter) for _ in attempts]
    barrier = threading.Barrier(len(attempts))
    answers = [Answer() for _ in attempts]

    def run(index: int, attempt: Attempt) -> None:
        with Session(engine, expire_on_commit=False) as session:
            try:
                barrier.wait(timeout)
                time.sleep(delays[index])
                answers[index].value = attempt(session)
            except DomainError as error:
                answers[index].error = error
            except BaseException as error:  # noqa: BLE001 - anything else is what the harness looks for
                answers[index].unexpected = error
            finally:
                session.rollback()

    threads = [threading.Thread(target=run, args=(i, a), daemon=True) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        if thread.is_alive():
            raise AssertionError("an attempt hung (a deadlock the database did not break?)")
    return Outcome(answers)
