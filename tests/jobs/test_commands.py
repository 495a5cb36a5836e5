"""The commands around the queue: ``makker match`` for one program, a whole organisation or onto
the queue, and ``makker worker`` refusing a database its code does not fit."""

from __future__ import annotations

from sqlmodel import select

from matching.run import start_run
from models.matchruns import MatchRun
from tests.conftest import fresh


def test_matching_a_whole_organisation_runs_each_program_and_leaves_a_busy_one_alone(jobs_app, session, world):
    busy = start_run(session, world.family_program, by_user_id=None)
    result = jobs_app.test_cli_runner().invoke(args=["match", "--organisation", world.organisation.slug])
    assert result.exit_code == 0, result.output
    assert "already queued or running" in result.output and world.program.name in result.output
    runs = {r.program_id: r.status for r in fresh(session).exec(select(MatchRun).where(MatchRun.id != world.run.id))}
    assert runs == {world.program.id: "done", world.family_program.id: "queued"}
    assert fresh(session).get(MatchRun, busy.id).status == "queued"


def test_matching_onto_the_queue_leaves_the_work_to_a_worker(jobs_app, jobs_queue, session, world):
    result = jobs_app.test_cli_runner().invoke(args=["match", "--program", world.program.slug,
                                                     "--organisation", world.organisation.slug, "--queue"])
    assert result.exit_code == 0 and "on the queue" in result.output, result.output
    assert jobs_queue.pending_names() == ["match_run"]
    run = fresh(session).exec(select(MatchRun).where(MatchRun.program_id == world.program.id)).one()
    assert run.status == "queued"


def test_match_needs_a_program_or_an_organisation(jobs_app):
    result = jobs_app.test_cli_runner().invoke(args=["match"])
    assert result.exit_code != 0 and "--organisation" in result.output


def test_a_worker_refuses_to_start_on_a_database_older_than_its_code(make_jobs_app, tmp_path):
    from models.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0003")
    app = make_jobs_app()
    app.config["DATABASE_URL"] = url
    from models.db import make_engine

    app.extensions["makker_engine"].dispose()
    app.extensions["makker_engine"] = make_engine(url)
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0 and "makker db upgrade" in result.output
