"""Conflicting requests at the same instant through gunicorn in production mode.

gunicorn runs the app with several worker processes against the suite's database (SQLite:
4 workers x 4 threads; PostgreSQL: 4 workers). Signed-in people (coordinators, admins, a
volunteer, a visitor signing up) send conflicting or doubled form posts released together; then
no answer may be a server error and the database must hold every invariant. A few groups per
kind keep it short (``MAKKER_HTTP_GROUPS``); ``tests.concurrency.probe`` covers the operations
themselves in depth.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from models.matches import CheckIn, MatchEvent, MeetingLog
from models.outbox import OutboxMessage
from models.users import User
from seed import builders as b
from tests.concurrency.cases import TODAY, Kit, _screened, count
from tests.concurrency.http import Browser, Reply, Server, with_values
from tests.concurrency.invariants import broken_states
from tests.conftest import PASSWORD

GROUPS = int(os.environ.get("MAKKER_HTTP_GROUPS", "2"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def posting(browser: Browser, path: str, fields: list[tuple[str, str]] | dict[str, str]) -> Callable[[], Reply]:
    """One form post, to be sent later (all values bound now, outside the racing threads)."""
    return lambda: browser.post(path, fields)


def fire(requests: list[Callable[[], Reply]], rng: random.Random) -> list[Reply | BaseException]:
    """Send the requests at once (barrier, then 0-25 ms each), in threads; the answers in order."""
    barrier = threading.Barrier(len(requests))
    answers: list[Reply | BaseException] = [RuntimeError("no answer")] * len(requests)
    delays = [rng.uniform(0, 0.025) for _ in requests]

    def run(i: int) -> None:
        barrier.wait(30)
        time.sleep(delays[i])
        try:
            answers[i] = requests[i]()
        except BaseException as error:  # noqa: BLE001 - a dropped connection is a finding too
            answers[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    return answers


@dataclass
class Tally:
    groups: int = 0
    requests: int = 0
    server_errors: int = 0
    broken: int = 0


def test_conflicting_requests_through_gunicorn_never_fail_and_keep_the_house_consistent(
        database_url: str, engine, session: Session, world, tmp_path: Path) -> None:  # noqa: ANN001
    sqlite = database_url.startswith("sqlite")
    server = Server(database_url, _free_port(), workers=4, threads=4 if sqlite else 1, log=tmp_path / "gunicorn.log")
    rng = random.Random(int(os.environ.get("MAKKER_RACE_SEED") or random.randrange(1_000_000)))
    tallies: dict[str, Tally] = {}
    problems: list[str] = []
    coordinator2 = b.make_user(session, world.organisation, "coordinator", password=PASSWORD)
    session.commit()
    try:
        server.wait_until_up()
        c1, c2 = Browser(server.base), Browser(server.base)
        c1.sign_in(world.coordinator.email, PASSWORD)
        c2.sign_in(coordinator2.email, PASSWORD)
        kit = Kit(engine, session, world.organisation, world.program, world.admin, None, world.coordinator,
                  coordinator2, 0)

        def group(name: str, requests: list[Callable[[], Reply]],
                  check: Callable[[], list[str]] | None = None) -> None:
            before = set(broken_states(session))
            answers = fire(requests, rng)
            tally = tallies.setdefault(name, Tally())
            tally.groups += 1
            tally.requests += len(answers)
            for answer in answers:
                if isinstance(answer, BaseException) or answer.status >= 500:
                    tally.server_errors += 1
                    problems.append(f"{name}: {answer if isinstance(answer, BaseException) else answer.status}")
            found = [p for p in broken_states(session) if p not in before] + (check() if check else [])
            if found:
                tally.broken += 1
                problems.extend(f"{name}: {p}" for p in found)

        for serial in range(GROUPS):
            kit.serial = serial
            # Two coordinators close the same match; one coordinator double-clicks "close".
            for double in (False, True):
                match = kit.match(kit.request(), kit.volunteer())
                session.commit()
                path = f"/koordinator/makkerpar/{match.id}/afslut"
                filled = [with_values(browser.form(path, action=""), closed_on=TODAY.isoformat(), reason="moved",
                                      outcome__education_or_work="yes", outcome__leisure_activity="yes",
                                      outcome__social_case="no", confirm="y") for browser in (c1, c2)]
                posts = [lambda f=filled[0], p=path: c1.post(p, f)] * 2 if double else \
                    [lambda f=filled[0], p=path: c1.post(p, f), lambda f=filled[1], p=path: c2.post(p, f)]
                # Someone keeps looking at the match meanwhile (each view writes an audit row).
                views = [lambda m=match.id: c2.get(f"/koordinator/makkerpar/{m}")] * 3
                group("close (double click)" if double else "close by two coordinators", posts + views,
                      lambda m=match.id: [f"{n} closures"] if (n := count(
                          session, MatchEvent, MatchEvent.match_id == m, MatchEvent.to_status == "closed")) != 1
                      else [])

            # A check-in form sent twice.
            match = kit.match(kit.request(), kit.volunteer(), started_on=TODAY - timedelta(days=5))
            session.commit()
            path = f"/koordinator/makkerpar/{match.id}/opfoelgning"
            form = with_values(c1.form(path, action=""), contacted="volunteer", rating="4", concerns="Ingen")
            group("check-in (double click)", [lambda p=path, f=form: c1.post(p, f)] * 2,
                  lambda m=match.id: [f"{n} check-ins"] if (n := count(
                      session, CheckIn, CheckIn.match_id == m, CheckIn.done_on.is_not(None))) != 1 else [])

            # A volunteer logs one meeting with three clicks.
            volunteer = kit.volunteer(with_user=True)
            match = kit.match(kit.request(), volunteer)
            session.commit()
            v = Browser(server.base)
            v.sign_in(session.get(User, volunteer.user_id).email, PASSWORD)
            path = f"/frivillig/moede/{match.id}"
            form = with_values(v.form(path, action=""), minutes="60", rating="4", activities="talk")
            group("meeting (triple click)", [lambda br=v, p=path, f=form: br.post(p, f)] * 3,
                  lambda m=match.id: [f"{n} meetings"] if (n := count(
                      session, MeetingLog, MeetingLog.match_id == m)) != 1 else [])

            # A visitor signs up with four clicks on one form.
            visitor = Browser(server.base)
            path = f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}"
            email = f"ny{serial}-{rng.randrange(10**6)}@example.org"
            form = with_values(visitor.form(path, action=""), first_name="Signe", last_name="Holm",
                               phone="20304050", birth_year=str(TODAY.year - 30), gender="female", postcode="4000",
                               lang__0="da", level__0="3", slot__tue__evening="1", supports="youth",
                               age_min="13", age_max="18", capacity="1", email=email,
                               password="et-godt-kodeord", confirm="et-godt-kodeord", consent="y")
            group("sign-up (four clicks)", [lambda br=visitor, p=path, f=form: br.post(p, f)] * 4,
                  lambda e=email: [f"{n} accounts"] if (n := count(session, User, User.email == e)) != 1 else [])

            # Two coordinators approve one volunteer's screening.
            volunteer = _screened(kit)
            session.commit()
            path = f"/koordinator/frivillige/{volunteer.id}/godkendelse"
            posts = [posting(br, path, {"csrf_token": br.csrf(path), "action": "approve"}) for br in (c1, c2)]
            group("screening approved twice", posts,
                  lambda e=volunteer.email: [f"{n} approval e-mails"] if (n := count(
                      session, OutboxMessage, OutboxMessage.to_email == e,
                      OutboxMessage.kind == "volunteer_approved")) != 1 else [])

            # Approve and reject one proposal.
            proposal_id = kit.proposal(kit.request(), kit.volunteer()).id
            session.commit()
            group("approve vs reject", [
                posting(c1, f"/koordinator/forslag/{proposal_id}/godkend", {"csrf_token": c1.csrf("/koordinator/")}),
                posting(c2, f"/koordinator/forslag/{proposal_id}/afvis",
                        {"csrf_token": c2.csrf("/koordinator/"), "reason": "Passer ikke"})],
                  lambda p=proposal_id: _decided(session, p))

            # Both admins save the program settings from one version; then they remove each other
            # while they are the organisation's only two active admins.
            a1, a2 = (b.make_user(session, world.organisation, "admin", password=PASSWORD) for _ in range(2))
            session.get(User, world.admin.id).active = False
            session.commit()
            a1_id, a2_id = a1.id, a2.id  # plain ids: the threads must not touch the test's session
            b1, b2 = Browser(server.base), Browser(server.base)
            b1.sign_in(a1.email, PASSWORD)
            b2.sign_in(a2.email, PASSWORD)
            path = f"/admin/programmer/{world.program.id}"
            f1 = with_values(b1.form(path, action=""), waiting_target_days=str(30 + serial))
            f2 = with_values(b2.form(path, action=""), inactivity_days=str(40 + serial))
            group("settings saved twice from one version",
                  [lambda br=b1, p=path, f=f1: br.post(p, f), lambda br=b2, p=path, f=f2: br.post(p, f)],
                  lambda s=serial: _one_save_kept(session, world.program.id, 30 + s, 40 + s))
            group("admins deactivate each other", [
                posting(b1, f"/admin/brugere/{a2_id}", {"csrf_token": b1.csrf("/admin/"), "active": "0"}),
                posting(b2, f"/admin/brugere/{a1_id}", {"csrf_token": b2.csrf("/admin/"), "active": "0"})],
                  lambda ids=(a1_id, a2_id): [] if count(session, User, User.id.in_(ids), User.active) == 1
                  else ["not exactly one of the two admins is left"])
            # Back to the organisation's own admin for the next group.
            for user_id, active in ((a1_id, False), (a2_id, False), (world.admin.id, True)):
                session.get(User, user_id).active = active
            session.commit()
    finally:
        server.stop()
    database = "sqlite (4 workers x 4 threads)" if sqlite else "postgresql (4 workers)"
    for name, tally in tallies.items():
        print(f"{database:32} {name:40} groups {tally.groups}  broken {tally.broken}  "
              f"server errors {tally.server_errors}/{tally.requests}")
    log = server.log.read_text()
    assert "Traceback" not in log, log[-4000:]
    assert not problems, "\n".join(problems)


def _decided(session: Session, proposal_id: int) -> list[str]:
    from models.matchruns import Proposal

    session.rollback()
    session.expire_all()
    status = session.get(Proposal, proposal_id).status
    return [] if status in ("approved", "rejected") else [f"the proposal is {status} after approve and reject"]


def _one_save_kept(session: Session, program_id: int, waiting: int, inactivity: int) -> list[str]:
    from models.organisations import Program

    session.rollback()
    session.expire_all()
    program = session.get(Program, program_id)
    kept = int(program.waiting_target_days == waiting) + int(program.inactivity_days == inactivity)
    return [] if kept == 1 else [f"{kept} of two saves from one form version are stored"]


pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
