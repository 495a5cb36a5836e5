"""A match run on the queue: one active run per program, claimed once, restarted when its worker
stops, failed after the last attempt — on whichever database the suite runs."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from matching.run import LeaseLost, execute_run, start_run
from models.clock import utcnow
from models.matchruns import (
    MAX_RUN_ATTEMPTS,
    RUN_LEASE_SECONDS,
    WORKER_STOPPED,
    MatchRun,
    Proposal,
    RunAlreadyActive,
    claim_run,
    new_claim_token,
    queue_organisation_runs,
    recover_stale_runs,
)
from seed import builders as b
from tests.conftest import fresh

TODAY = date(2026, 11, 22)


def _program_with_pool(session: Session, n: int = 3):  # noqa: ANN202
    org = b.make_organisation(session)
    program = b.make_program(session, org)
    for _ in range(n):
        b.make_request(session, program, youth=b.make_youth(session, org, today=TODAY), today=TODAY)
        b.make_volunteer(session, program, today=TODAY)
    session.commit()
    return program


def test_a_second_matching_of_a_program_is_refused_while_one_is_queued_or_running(session):
    program = _program_with_pool(session)
    first = start_run(session, program, by_user_id=None)
    with pytest.raises(RunAlreadyActive) as refused:
        start_run(session, program, by_user_id=None)
    assert refused.value.run_id == first.id
    assert claim_run(session, first.id, "w1", utcnow())
    with pytest.raises(RunAlreadyActive):
        start_run(session, program, by_user_id=None)


def test_the_database_itself_refuses_two_active_runs_of_one_program(session):
    # The guarantee holds across machines because the database keeps it, not the check in Python.
    program = _program_with_pool(session, n=0)
    session.add(MatchRun(organisation_id=program.organisation_id, program_id=program.id, status="running"))
    session.commit()
    session.add(MatchRun(organisation_id=program.organisation_id, program_id=program.id, status="queued"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    # Finished runs are many; only the active one is unique.
    for status in ("done", "failed", "done"):
        session.add(MatchRun(organisation_id=program.organisation_id, program_id=program.id, status=status))
    session.commit()


def test_when_two_coordinators_start_the_same_program_at_once_one_run_is_queued(engine, session):
    program = _program_with_pool(session, n=1)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def start() -> None:
        with Session(engine, expire_on_commit=False) as own:
            barrier.wait()
            try:
                start_run(own, own.get(type(program), program.id), by_user_id=None)
                outcomes.append("queued")
            except RunAlreadyActive:
                outcomes.append("refused")

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["queued", "refused", "refused", "refused"]
    assert len(fresh(session).exec(select(MatchRun)).all()) == 1


def test_of_workers_claiming_one_run_at_the_same_moment_exactly_one_gets_it(engine, session):
    program = _program_with_pool(session, n=1)
    run = start_run(session, program, by_user_id=None)
    barrier = threading.Barrier(4)
    won: list[bool] = []

    def claim(i: int) -> None:
        with Session(engine) as own:
            barrier.wait()
            won.append(claim_run(own, run.id, f"worker-{i}", utcnow()))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False, False, False, True]
    assert fresh(session).get(MatchRun, run.id).attempts == 1


def test_a_run_delivered_twice_is_done_once_and_stores_its_proposals_once(engine, session):
    program = _program_with_pool(session)
    run = start_run(session, program, by_user_id=None)
    first = execute_run(engine, run.id, TODAY, worker="w1")
    again = execute_run(engine, run.id, TODAY, worker="w2")
    assert first is not None and again is None
    fresh(session)
    stored = session.exec(select(Proposal).where(Proposal.run_id == run.id)).all()
    assert len(stored) == first.proposals
    assert session.get(MatchRun, run.id).attempts == 1


def test_a_run_whose_worker_stopped_is_started_again_until_the_last_attempt_then_failed(engine, session):
    program = _program_with_pool(session)
    run = start_run(session, program, by_user_id=None)
    now = utcnow()
    for attempt in range(1, MAX_RUN_ATTEMPTS + 1):
        assert claim_run(session, run.id, new_claim_token(f"w{attempt}"), now)
        # The worker dies: its lease runs out without being renewed.
        now += timedelta(seconds=RUN_LEASE_SECONDS + 1)
        report = recover_stale_runs(session, now)
        state = fresh(session).get(MatchRun, run.id)
        if attempt < MAX_RUN_ATTEMPTS:
            assert report.restarted == [run.id] and report.to_enqueue == [run.id]
            assert (state.status, state.progress, state.attempts) == ("queued", "restarted", attempt)
        else:
            assert report.failed == [run.id] and report.to_enqueue == []
            assert (state.status, state.error) == ("failed", WORKER_STOPPED)
    # A failed run frees the program: "try again" queues a new one.
    assert start_run(session, program, by_user_id=None).id != run.id


def test_a_run_still_within_its_lease_is_left_to_its_worker(session):
    program = _program_with_pool(session, n=1)
    run = start_run(session, program, by_user_id=None)
    now = utcnow()
    claim_run(session, run.id, "w1", now)
    report = recover_stale_runs(session, now + timedelta(seconds=RUN_LEASE_SECONDS - 1))
    assert report.to_enqueue == [] and report.failed == []
    assert fresh(session).get(MatchRun, run.id).status == "running"


def test_a_queued_run_whose_message_was_lost_is_put_on_the_queue_again_after_a_while(session):
    program = _program_with_pool(session, n=1)
    run = start_run(session, program, by_user_id=None)
    assert recover_stale_runs(session, utcnow()).requeued == []
    later = utcnow() + timedelta(minutes=11)
    assert recover_stale_runs(session, later).requeued == [run.id]
    # ...once per wait, not on every check.
    assert recover_stale_runs(session, later + timedelta(minutes=1)).requeued == []


def test_a_worker_whose_run_was_taken_over_stores_nothing(engine, session, monkeypatch):
    program = _program_with_pool(session)
    run = start_run(session, program, by_user_id=None)
    import matching.run as run_module

    real_solve = run_module.solve_pool

    def solve_while_the_lease_runs_out(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # While this worker computes, its lease is given away (as if its heartbeats had stopped).
        with Session(engine) as other:
            report = recover_stale_runs(other, utcnow() + timedelta(seconds=RUN_LEASE_SECONDS + 5))
            assert report.restarted == [run.id]
            assert claim_run(other, run.id, "the-other-worker", utcnow())
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(run_module, "solve_pool", solve_while_the_lease_runs_out)
    with pytest.raises(LeaseLost):
        execute_run(engine, run.id, TODAY, worker="slow-worker")
    state = fresh(session).get(MatchRun, run.id)
    assert state.status == "running" and state.claimed_by == "the-other-worker"
    assert session.exec(select(Proposal).where(Proposal.run_id == run.id)).all() == []


def test_a_whole_organisation_run_queues_one_run_per_active_program_and_leaves_busy_ones(session):
    org = b.make_organisation(session)
    programs = [b.make_program(session, org, name=f"P{i}", slug=f"p{i}") for i in range(3)]
    b.make_program(session, org, name="Lukket", slug="lukket", active=False)
    session.commit()
    busy = start_run(session, programs[1], by_user_id=None)
    outcome = queue_organisation_runs(session, org.id, by_user_id=None)
    assert sorted(r.program_id for r in outcome.queued) == sorted([programs[0].id, programs[2].id])
    assert [r.id for r in outcome.already_active] == [busy.id]
    again = queue_organisation_runs(session, org.id, by_user_id=None)
    assert again.queued == [] and len(again.already_active) == 3


EVENTS = st.lists(st.tuples(st.sampled_from(["start", "claim", "finish", "die", "recover"]),
                            st.integers(0, 1), st.integers(0, 2)), max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENTS)
def test_whatever_workers_do_a_program_never_has_two_active_runs_and_none_runs_past_its_lease(session, events):
    """Starts, claims by several workers, finishes, deaths and recoveries in any order."""
    org = b.make_organisation(session)
    programs = [b.make_program(session, org, slug=f"x{i}") for i in range(2)]
    session.commit()
    now = utcnow()
    held: dict[int, str] = {}
    for event, which, worker in events:
        program = programs[which]
        runs = session.exec(select(MatchRun).where(MatchRun.program_id == program.id)
                            .order_by(MatchRun.id.desc())).all()
        latest = runs[0] if runs else None
        if event == "start":
            try:
                start_run(session, program, by_user_id=None)
            except RunAlreadyActive:
                assert latest is not None and latest.status in ("queued", "running")
        elif event == "claim" and latest is not None:
            token = f"w{worker}-{len(held)}"
            if claim_run(session, latest.id, token, now):
                held[latest.id] = token
        elif event == "finish" and latest is not None and latest.id in held:
            with Session(session.get_bind()) as own:
                run = own.get(MatchRun, latest.id)
                if run.status == "running" and run.claimed_by == held[latest.id]:
                    run.status = "done"
                    own.add(run)
                    own.commit()
        elif event == "die":
            now += timedelta(seconds=RUN_LEASE_SECONDS + 1)
        elif event == "recover":
            recover_stale_runs(session, now)
            stale = fresh(session).exec(select(MatchRun).where(MatchRun.status == "running",
                                                               MatchRun.lease_until < now)).all()
            assert stale == []
        fresh(session)
        for p in programs:
            active = session.exec(select(MatchRun).where(MatchRun.program_id == p.id,
                                                         MatchRun.status.in_(("queued", "running")))).all()
            assert len(active) <= 1
        assert all(r.attempts <= MAX_RUN_ATTEMPTS + 1 for r in session.exec(select(MatchRun)))
