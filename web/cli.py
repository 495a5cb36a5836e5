"""The ``makker`` command line: a Flask CLI group over the same domain operations as the pages."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from models.db import create_schema
from models.migrate import current_revision, is_empty, upgrade
from web.database import engine

DEMO_PASSWORD = "makker-demo-2026"  # printed at start; demo data only, never in production


def make_cli_app(environ: Mapping[str, str] | None = None, instance_path: Path | None = None) -> Flask:
    """The app behind the ``makker`` command: development unless MAKKER_ENV says otherwise.

    A command runs on the operator's own machine and answers no one on the network (``serve``
    listens on 127.0.0.1 unless told otherwise), so it may default to development; the app
    started any other way defaults to production (docs/decisions/0007).
    """
    from web import create_app

    env = dict(os.environ if environ is None else environ)
    env["MAKKER_ENV"] = env.get("MAKKER_ENV", "").strip() or "development"
    config: dict = {"ENVIRON": env}
    if instance_path is not None:
        config["INSTANCE_PATH"] = instance_path
    return create_app(config)


def main() -> None:
    cli = FlaskGroup(create_app=make_cli_app, help="Makker: volunteer mentor matching.")
    cli.main(prog_name="makker")


def ensure_database(app: Flask) -> None:
    """Bring the schema to the newest migration (creating it on an empty database)."""
    upgrade(app.config["DATABASE_URL"])
    _fill_derived_state(app)


def _fill_derived_state(app: Flask) -> None:
    """Matches from before the stored at-risk assessment (migration 0008) are assessed once, and
    waiting volunteers from before the stored drift days (migration 0020) get theirs."""
    from sqlmodel import Session

    from models.clock import today
    from models.events.drift import fill_missing_drift
    from models.risk_state import fill_missing_risk

    with Session(app.extensions["makker_engine"], expire_on_commit=False) as session:
        filled = fill_missing_risk(session, today())
        drifting = fill_missing_drift(session)
    if filled:
        click.echo(f"assessed {filled} matches for the at-risk lists")
    if drifting:
        click.echo(f"stored the waiting days of {drifting} volunteers' places")


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(serve)
    app.cli.add_command(demo)
    app.cli.add_command(i18n_group)
    app.cli.add_command(outbox_group)
    app.cli.add_command(match_command)
    app.cli.add_command(reminders_command)
    app.cli.add_command(retention_command)
    app.cli.add_command(bench_dashboard_command)
    app.cli.add_command(bench_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(referral_notices_command)
    app.cli.add_command(loadtest_command)
    app.cli.add_command(refresh_risk_command)
    app.cli.add_command(draw_charts_command)
    app.cli.add_command(certificate_reminders_command)
    from web.imports.cli import import_command, restore_command  # spreadsheet import (issue 17)

    app.cli.add_command(import_command)
    app.cli.add_command(restore_command)


@click.group("db", help="Database schema (Alembic migrations).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    upgrade(current_app.config["DATABASE_URL"], revision)
    if revision == "head":
        _fill_derived_state(current_app)
    click.echo(f"Database at revision {current_revision(engine())}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the schema revision of the database."""
    click.echo(current_revision(engine()) or "(empty)")


@db_group.command("create-all", hidden=True)
@with_appcontext
def db_create_all() -> None:
    """Create tables without migrations (throwaway databases only)."""
    create_schema(engine())


@click.command("demo")
@click.option("--seed", default=1, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--volunteers", type=int, default=None, help="Benchmark size: this many volunteers.")
@click.option("--requests", "requests_", type=int, default=None, help="Benchmark size: this many requests.")
@click.option("--reset", is_flag=True, help="Delete all data first (asks for confirmation).")
@with_appcontext
def demo(seed: int, volunteers: int | None, requests_: int | None, reset: bool) -> None:
    """Build a realistic Danish demo organisation (or a large benchmark one)."""
    from seed.demo import build_demo, reset_database

    if current_app.config["MAKKER_SETTINGS"].production:
        raise click.ClickException("Demo data is never loaded in production.")
    ensure_database(current_app)
    if reset:
        click.confirm("Delete ALL data in the database?", abort=True)
        reset_database(engine())
        ensure_database(current_app)
    summary = build_demo(engine(), seed=seed, volunteers=volunteers, requests=requests_, password=DEMO_PASSWORD)
    click.echo(summary.describe())


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a background worker (run `makker worker` yourself).")
@with_appcontext
def serve(host: str, port: int, no_worker: bool) -> None:
    """Run the app on the embedded default with a background worker; the first start loads the demo data."""
    from seed.demo import DemoSummary, build_demo, demo_logins

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = app.config["MAKKER_SETTINGS"]
    if settings.env == "development":
        _development_serving(app, host, port)
    fresh = is_empty(engine())
    ensure_database(app)
    if fresh and not app.config["MAKKER_SETTINGS"].production:
        click.echo("First start: building the demo data (takes a few seconds)...")
        summary: DemoSummary = build_demo(engine(), seed=1, password=DEMO_PASSWORD)
        click.echo(summary.describe())
    click.echo("")
    click.echo(f"Makker is running at http://{host}:{port}")
    logins = demo_logins(engine())
    if logins:
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, email in logins:
            click.echo(f"  {role:<12} {email}")
    if app.config.get("DEV_MAILBOX"):
        click.echo(f"E-mails are not sent: read them at {app.config['MAKKER_BASE_URL']}/dev/postkasse "
                   "(only from this machine).")
    from web.jobs.worker import ChildWorker

    worker = None if no_worker else ChildWorker(app.instance_path, env=app.config["MAKKER_SETTINGS"].env).start()
    if worker is not None:
        click.echo(f"A background worker runs beside it (process {worker.process.pid}): "
                   "matchings, e-mails, reminders and retention.")
    click.echo("Stop with Ctrl+C.")
    import signal
    import sys

    from werkzeug.serving import run_simple

    # Stopped by a service manager (SIGTERM) as by Ctrl+C: the worker is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        # Flask refuses app.run() inside its own CLI; this is the same development server.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        if worker is not None:
            worker.stop()


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at the same time by this process.")
@click.option("--worker-type", type=click.Choice(["thread", "process"]), default="thread", show_default=True,
              help="Threads, or forked processes (for several long matchings at once on many cores).")
@click.option("--no-periodic", is_flag=True, help="Do not schedule the periodic jobs from this process.")
@click.option("--verbose", is_flag=True, help="Log every job the queue runs.")
@click.option("--parent-pid", type=int, default=None, hidden=True)
@with_appcontext
def worker_command(workers: int, worker_type: str, no_periodic: bool, verbose: bool, parent_pid: int | None) -> None:
    """Run background jobs from the queue until Ctrl+C (any number, on any machine)."""
    import logging

    from web.jobs.worker import run_worker

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # What a job did and its failures; Huey's line per job only with --verbose.
    logging.getLogger("makker").setLevel(logging.INFO)
    logging.getLogger("huey").setLevel(logging.INFO if verbose else logging.WARNING)
    from models.migrate import head_revision

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    revision = current_revision(engine())
    if revision is not None and revision != head_revision():
        raise click.ClickException(f"The database is at revision {revision}, this code needs {head_revision()}: "
                                   "run `makker db upgrade` first.")
    settings = app.extensions["makker_queue"].settings
    click.echo(f"worker {app.extensions['makker_queue'].worker_name}: queue {_safe_url(settings.queue_url)} "
               f"({settings.queue_name}), {workers} {worker_type}(s), periodic jobs "
               f"{'off' if no_periodic else 'on'}; stop with Ctrl+C")
    run_worker(app, workers=workers, worker_type=worker_type, periodic=not no_periodic, parent_pid=parent_pid)


def _safe_url(url: str) -> str:
    """A URL for the log, without a password."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rsplit('@', 1)[-1]}" if "@" in rest else url


def _development_serving(app: Flask, host: str, port: int) -> None:
    """Links point at this server; the mailbox stays off when the server listens beyond this machine."""
    import ipaddress

    if not os.environ.get("MAKKER_BASE_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        app.config["MAKKER_BASE_URL"] = f"http://{shown if ':' not in shown else f'[{shown}]'}:{port}"
        # The background worker is a child process: its reminder links must name this server too.
        os.environ["MAKKER_BASE_URL"] = app.config["MAKKER_BASE_URL"]
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and app.config.get("DEV_MAILBOX"):
        app.config["DEV_MAILBOX"] = False
        click.echo(f"Listening on {host}, beyond this machine: the development mailbox is off "
                   "(set MAIL_SERVER to send e-mails).")


@click.group("i18n", help="Translations: Danish (default) and English.")
def i18n_group() -> None:
    pass


@i18n_group.command("update")
def i18n_update() -> None:
    """Extract messages from the code and merge them into the catalogues."""
    from web.i18n_catalog import update

    for locale, missing in update().items():
        click.echo(f"{locale}: {len(missing)} untranslated")
        for msgid in missing:
            click.echo(f"  - {msgid}")


@i18n_group.command("compile")
def i18n_compile() -> None:
    """Compile the catalogues (.po) into the files the app reads (.mo)."""
    from web.i18n_catalog import compile_all

    compile_all()
    click.echo("compiled")


@click.group("outbox", help="E-mails waiting to be sent.")
def outbox_group() -> None:
    pass


@outbox_group.command("send")
@with_appcontext
def outbox_send() -> None:
    """Send the waiting e-mails by SMTP now (a worker does it every minute by itself)."""
    from sqlmodel import Session

    from web.mailer import send_pending

    settings = current_app.config["MAKKER_SETTINGS"]
    if not settings.mail_server:
        raise click.ClickException("MAIL_SERVER is not set, so there is nothing to send with (in development "
                                   "the e-mails are shown at /dev/postkasse, to this machine only).")
    with Session(engine()) as session:
        sent, failed = send_pending(session, settings)
    click.echo(f"sent {sent}, failed {failed} (a failed one is tried again later, each time after a longer wait; 5 tries in all)")


@click.command("reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this date.")
@with_appcontext
def reminders_command(today) -> None:  # noqa: ANN001
    """Queue today's reminders (run daily; running it twice sends nothing twice)."""
    from sqlmodel import Session

    from models.clock import today as today_fn
    from models.reminders import send_reminders

    with Session(engine(), expire_on_commit=False) as session:
        report = send_reminders(session, today.date() if today else today_fn(), current_app.config["MAKKER_BASE_URL"])
    click.echo(f"queued {report.volunteers} meeting reminders to volunteers and {report.coordinators} "
               f"check-in e-mails to coordinators ({report.checkins} check-ins); a worker sends them (or `makker outbox send`)")


@click.command("retention")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this date.")
@with_appcontext
def retention_command(today) -> None:  # noqa: ANN001
    """Anonymise closed records past each program's retention period (run daily; safe to repeat)."""
    from sqlmodel import Session

    from models.clock import today as today_fn
    from models.retention import apply_retention

    with Session(engine(), expire_on_commit=False) as session:
        report = apply_retention(session, today.date() if today else today_fn())
    click.echo(f"anonymised {report.youths} youths, {report.households} families and {report.volunteers} volunteers "
               f"({report.matches} matches cleared of free text; {report.referrals} referrals), and deleted {report.emails} sent e-mails older than "
               f"90 days; each anonymisation is in the audit log")


@click.command("referral-notices")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this date.")
@with_appcontext
def referral_notices_command(today) -> None:  # noqa: ANN001
    """Remind coordinators of statuses to referrers falling due, and tell referrers of ended
    relationships (the queue runs both by itself; safe to repeat)."""
    from sqlmodel import Session

    from models.clock import today as today_fn
    from models.referrals.statuses import send_closure_notices, send_status_reminders

    settings = current_app.config["MAKKER_SETTINGS"]
    with Session(engine(), expire_on_commit=False) as session:
        reminders = send_status_reminders(session, today.date() if today else today_fn(), settings.base_url)
        notices = send_closure_notices(session, settings.base_url)
    click.echo(f"reminded coordinators of {reminders.status_reminders} statuses to referrers "
               f"({reminders.coordinators} e-mails) and told referrers of {notices.closure_notices} ended relationships")
@click.command("refresh-risk")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this date.")
@click.option("--organisation", "organisation_slug", default=None, help="Only this organisation (its slug).")
@with_appcontext
def refresh_risk_command(today, organisation_slug: str | None) -> None:  # noqa: ANN001
    """Assess every match again for the at-risk lists (run daily; running it twice changes nothing)."""
    from sqlmodel import Session, select

    from models.clock import today as today_fn
    from models.organisations import Organisation
    from models.risk_state import refresh_risk

    with Session(engine(), expire_on_commit=False) as session:
        organisation_id = None
        if organisation_slug:
            organisation_id = session.exec(select(Organisation.id).where(Organisation.slug == organisation_slug)).first()
            if organisation_id is None:
                raise click.ClickException(f"No organisation with the slug {organisation_slug!r}.")
        report = refresh_risk(session, today.date() if today else today_fn(), organisation_id)
    click.echo(report.describe())


@click.command("draw-charts")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this date.")
@with_appcontext
def draw_charts_command(today) -> None:  # noqa: ANN001
    """Draw today's dashboard charts ahead of the first visit (run daily after midnight; safe to repeat)."""
    from sqlmodel import Session

    from models.clock import today as today_fn
    from web.chart_store import draw_default_dashboards

    with Session(engine(), expire_on_commit=False) as session:
        drawn = draw_default_dashboards(session, today.date() if today else today_fn())
    click.echo(f"drew {drawn} charts")


@click.command("match")
@click.option("--program", "program_slug", default=None, help="The program's slug (leave out for all programs).")
@click.option("--organisation", "organisation_slug", default=None,
              help="The organisation's slug: needed when several have the program slug, or for all its programs.")
@click.option("--queue", "on_queue", is_flag=True, help="Put the runs on the task queue for a worker instead.")
@click.option("--dry-run", is_flag=True, help="Score and solve, but store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print counts and the seconds of each phase as JSON.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this date.")
@with_appcontext
def match_command(program_slug: str | None, organisation_slug: str | None, on_queue: bool, dry_run: bool,
                  as_json: bool, today) -> None:  # noqa: ANN001
    """Run the matching for one program (or every program of an organisation) and store the proposals."""
    import json

    from sqlmodel import Session, select

    from matching.run import execute_run, start_run
    from models.clock import today as today_fn
    from models.matchruns import RunAlreadyActive
    from models.organisations import Organisation, Program

    if not program_slug and not organisation_slug:
        raise click.UsageError("Give --program, or --organisation for all of its programs.")
    if on_queue and dry_run:
        raise click.UsageError("A dry run prints its result here; it cannot go on the queue.")
    with Session(engine(), expire_on_commit=False) as session:
        stmt = select(Program)
        # One program by name even when inactive; "all programs" means the active ones.
        stmt = stmt.where(Program.slug == program_slug) if program_slug else stmt.where(Program.active)
        if organisation_slug:
            stmt = stmt.join(Organisation).where(Organisation.slug == organisation_slug)
        programs = list(session.exec(stmt.order_by(Program.name)))
        if not programs:
            raise click.ClickException(f"No program with the slug {program_slug!r}." if program_slug
                                       else f"No active programs in the organisation {organisation_slug!r}.")
        if program_slug and len(programs) > 1:
            raise click.ClickException("Several organisations have that program slug; add --organisation.")
        # Plain values: each start commits (and expires what the session had loaded).
        wanted = [(p.id, p.name, p.slug) for p in programs]
        runs = []
        for program_id, name, slug in wanted:
            try:
                run = start_run(session, session.get(Program, program_id), by_user_id=None, parameters={"source": "cli"})
                runs.append((name, slug, run.id))
            except RunAlreadyActive as busy:
                click.echo(f"{name}: a matching is already queued or running (run {busy.run_id}); skipped", err=True)
    if on_queue:
        for name, _slug, run_id in runs:
            queued = current_app.extensions["makker_queue"].enqueue("match_run", run_id)
            click.echo(f"{name}: run {run_id} {'on the queue' if queued else 'NOT on the queue (see the log)'}")
        return
    results = {}
    for name, slug, run_id in runs:
        result = execute_run(engine(), run_id, (today.date() if today else today_fn()), dry_run=dry_run)
        if result is None:
            raise click.ClickException(f"Run {run_id} was taken by a worker before this command could start it.")
        results[slug] = result
        if as_json:
            continue
        click.echo(f"{name}: {result.requests} requests, {result.volunteers} volunteers available, "
                   f"{result.candidate_pairs} allowed pairs")
        click.echo(f"matched {result.matched_requests} requests, total score {result.total_score:.3f} "
                   f"({result.solver}, {'optimal' if result.optimal else 'not proven optimal'})")
        w = result.waiting
        click.echo(f"waiting priority {w['priority']} (target {w['target_days']} days): past the target, "
                   f"{w['requests']['served']} of {w['requests']['past_target']} requests and "
                   f"{w['volunteers']['served']} of {w['volunteers']['past_target']} volunteers served; passed over by "
                   f"a newcomer: {w['requests']['passed_over']} requests, {w['volunteers']['passed_over']} volunteers")
        click.echo("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in result.phases.items()))
        click.echo("dry run: nothing stored" if dry_run else f"stored {result.proposals} proposals in run {result.run_id}")
    if as_json:
        payload = next(iter(results.values())).as_dict() if program_slug and results else \
            {slug: r.as_dict() for slug, r in results.items()}
        click.echo(json.dumps(payload, indent=2))
    if not runs:
        raise click.ClickException("Nothing was run: every program has a matching going already.")


@click.command("bench")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--quick", is_flag=True, help="Smaller pools (a smoke run of the benchmark itself).")
@click.option("--top-k", default=50, show_default=True, help="Candidates kept per request in large pools.")
@click.option("--search-db", default=None, help="Database URL for the search benchmark (default: a throwaway SQLite).")
@click.option("--fairness-only", is_flag=True, help="Only the waiting-fairness figures.")
@click.option("--teams-only", is_flag=True, help="Only the team proposals for families (issue 14).")
@click.option("--imports", "imports_only", is_flag=True, help="Only the spreadsheet import of 10,000 volunteers.")
@click.option("--import-db", default=None, help="A PostgreSQL server URL for the import benchmark: it creates a "
              "throwaway database there and drops it after (default: a throwaway SQLite).")
def bench_command(as_json: bool, quick: bool, top_k: int, search_db: str | None, fairness_only: bool,
                  teams_only: bool = False, imports_only: bool = False, import_db: str | None = None) -> None:
    """Time the matching on generated pools; compare with scipy, the dense optimum and a greedy."""
    import json
    from datetime import date

    if teams_only or imports_only:
        figures = {"teams": _bench_teams(quick, as_json)} if teams_only else \
            {"import": _bench_import(import_db, 1000 if quick else 10_000, as_json)}
        if as_json:
            click.echo(json.dumps(figures, indent=2, default=float))
        return

    if fairness_only:
        figures = {"fairness": _bench_fairness(quick, as_json), "fair_seconds": _bench_fair_seconds(quick, top_k, as_json)}
        if as_json:
            click.echo(json.dumps(figures, indent=2, default=float))
        return

    from matching.bench import against_greedy, time_pipeline, top_k_gap
    from matching.profiles import ProgramRules
    from optimizer.bench import dense_figures
    from seed.benchmark_pool import generate_pool

    today = date(2026, 11, 22)
    rules = ProgramRules(serves="both", min_age=13, max_age=18, max_distance_km=25)
    sizes = [(300, 300, None), (600, 600, None), (2000, 1000, top_k)] if quick else [
        (2000, 2000, None), (5000, 5000, None), (20000, 10000, top_k)]
    figures: dict = {"pipeline": []}
    for n_r, n_v, k in sizes:
        requests, volunteers = generate_pool(n_r, n_v, seed=1, today=today)
        row = time_pipeline(requests, volunteers, rules, today, k)
        figures["pipeline"].append(row)
        if not as_json:
            click.echo(f"{n_r:>6} x {n_v:<6} top-K {str(k):<5} pairs {row['candidate_pairs']:>9}  features "
                       f"{row['features_s']:6.2f} s  score {row['score_s']:6.2f} s  solve {row['solve_s']:6.2f} s  waiting {row['waiting_s']:6.2f} s  "
                       f"proposals {row['proposals_s']:6.2f} s  total {row['total_s']:6.2f} s (CPU "
                       f"{row['cpu_s']:6.2f} s)  matched {row['matched']} ({row['solver']})")
    n = 300 if quick else 2000
    figures["scipy"] = dense_figures(n)
    if not as_json:
        for kind, s in figures["scipy"].items():
            click.echo(f"dense {n} x {n} one-to-one, {kind}, whole call: ours {s['ours_seconds']:.3f} s "
                       f"({s['ours_method']}, {s['ours_rounds']} round(s)), scipy {s['scipy_seconds']:.3f} s, ratio "
                       f"{s['ratio']:.2f} (CPU {s['cpu_ratio']:.2f}); plain path {s['plain_seconds']:.3f} s, ratio "
                       f"{s['plain_ratio']:.2f}; totals equal: {s['totals_equal']}")
    n = 600 if quick else 5000
    requests, volunteers = generate_pool(n, n, seed=2, today=today)
    figures["top_k_gap"] = top_k_gap(requests, volunteers, rules, today, top_k)
    figures["greedy"] = against_greedy(requests, volunteers, rules, today, None)
    # The large pipeline's own shape (two requests per volunteer), small enough to solve densely.
    shape = (600, 300) if quick else (4000, 2000)
    requests, volunteers = generate_pool(*shape, seed=3, today=today)
    figures["top_k_gap_two_per_volunteer"] = top_k_gap(requests, volunteers, rules, today, top_k)
    figures["search"] = _bench_search(search_db, 1000 if quick else 5000)
    figures["import"] = _bench_import(import_db, 1000 if quick else 10_000, as_json)
    figures["fairness"] = _bench_fairness(quick, as_json)
    figures["fair_seconds"] = _bench_fair_seconds(quick, top_k, as_json)
    figures["teams"] = _bench_teams(quick, as_json)
    big = figures["pipeline"][-1]
    figures["summary"] = {
        "dense_whole_call_ratio_to_scipy": {kind: round(s["ratio"], 3) for kind, s in figures["scipy"].items()},
        "dense_whole_call_cpu_ratio_to_scipy": {kind: round(s["cpu_ratio"], 3) for kind, s in figures["scipy"].items()},
        "pipeline": f"{big['requests']} x {big['volunteers']} top-{big['top_k']}",
        "pipeline_seconds": round(big["total_s"], 3),
        "pipeline_cpu_seconds": round(big["cpu_s"], 3),
        "pipeline_waiting_priority": big["waiting_priority"],
        "pipeline_phases": {phase: round(big[f"{phase}_s"], 3) for phase in ("features", "score", "solve", "waiting", "proposals")},
        "top_k_gap_percent": {f"{n} x {n}": round(figures["top_k_gap"]["gap_percent"], 4),
                              f"{shape[0]} x {shape[1]}": round(figures["top_k_gap_two_per_volunteer"]["gap_percent"], 4)},
    }
    if as_json:
        click.echo(json.dumps(figures, indent=2, default=float))
        return
    g = figures["top_k_gap"]
    click.echo(f"top-{top_k} vs dense optimum on {n} x {n}: dense {g['dense']['pairs']} pairs total "
               f"{g['dense']['total']:.3f} matched {g['dense']['matched']}; top-K {g['top_k']['pairs']} pairs total "
               f"{g['top_k']['total']:.3f} matched {g['top_k']['matched']}; gap {g['gap_percent']:.3f} %")
    g = figures["top_k_gap_two_per_volunteer"]
    click.echo(f"top-{top_k} vs dense optimum on {shape[0]} x {shape[1]}: dense {g['dense']['pairs']} pairs total "
               f"{g['dense']['total']:.3f} matched {g['dense']['matched']}; top-K {g['top_k']['pairs']} pairs total "
               f"{g['top_k']['total']:.3f} matched {g['top_k']['matched']}; gap {g['gap_percent']:.3f} %")
    gr = figures["greedy"]
    click.echo(f"optimizer vs greedy (longest waiting first) on {n} x {n}: matched {gr['optimizer']['matched']} vs "
               f"{gr['greedy']['matched']} (+{gr['more_matched']}), total score {gr['optimizer']['total_score']:.2f} vs "
               f"{gr['greedy']['total_score']:.2f} ({gr['score_gain_percent']:+.1f} %)")
    se = figures["search"]
    click.echo(f"searching {se['volunteers']} volunteers ({se['backend']}): median {se['median_ms']:.1f} ms, "
               f"slowest {se['max_ms']:.1f} ms per page of results ({se['searches']} searches)")


def _bench_teams(quick: bool, as_json: bool) -> dict:
    """Team proposals for every family at once, timed as the coordinator waits for them (issue 14)."""
    import tempfile

    from sqlmodel import SQLModel, create_engine

    import models.tables  # noqa: F401 - every table in the metadata
    from models.families.bench import time_team_proposal

    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/teams.db")
        SQLModel.metadata.create_all(engine)
        n_families, n_actors = (50, 200) if quick else (500, 2000)
        row = time_team_proposal(engine, n_families, n_actors, time_limit_s=5.0)
        engine.dispose()
    if not as_json:
        click.echo(f"team proposals {row['families']} families x {row['actors']} actors: whole call "
                   f"{row['seconds']:.2f} s (CPU {row['cpu_seconds']:.2f} s; solver {row['solver_seconds']:.2f} s, "
                   f"limit {row['time_limit_s']:.0f} s), {row['proposed']} teams, {row['edges_kept']} candidate pairs, "
                   f"{'optimal' if row['optimal'] else 'gap at most ' + format(100 * row['gap'], '.2f') + ' %'} "
                   f"({row['status']})")
    return row


# Scarce pools (more requests than volunteers) and surplus pools (the other way round); seeds 5
# and 6 are those of issue 20's table, 7 and 8 others.
FAIRNESS_POOLS = ((600, 250), (1500, 600), (5000, 2000), (250, 600), (600, 1500), (2000, 5000))
FAIRNESS_SEEDS = (5, 6, 7, 8)


def _bench_fairness(quick: bool, as_json: bool) -> list[dict]:
    """Waiting fairness under each setting and for the greedy baseline, on both kinds of pool."""
    from datetime import date

    from matching.bench import waiting_fairness
    from matching.profiles import ProgramRules
    from seed.benchmark_pool import generate_pool

    today = date(2026, 11, 22)
    rules = ProgramRules()
    pools = ((600, 250), (250, 600)) if quick else FAIRNESS_POOLS
    seeds = (5, 7) if quick else FAIRNESS_SEEDS
    rows = []
    if not as_json:
        click.echo(f"waiting fairness (target {rules.waiting_target_days} days; 'passed' = passed over by a newcomer, "
                   "(n) of them forced by a rule; 'shorter' = by anyone who had waited less; past = past the target, "
                   "served/left)")
        click.echo(f"{'pool':<13}{'seed':>4} {'setting':<8}{'matched':>8}{'mean':>7}{'w/o wait':>9}   "
                   f"{'requests past served/left passed shorter':<42}{'volunteers past served/left passed shorter':<44}"
                   f"{'solve s':>7}")
    for n_r, n_v in pools:
        for seed in seeds:
            requests, volunteers = generate_pool(n_r, n_v, seed=seed, today=today)
            figures = waiting_fairness(requests, volunteers, rules, today)
            figures["seed"] = seed
            rows.append(figures)
            if as_json:
                continue
            for setting in ("strict", "weighed", "off", "greedy"):
                f = figures[setting]
                sides = []
                for side in ("requests", "volunteers"):
                    s = f[side]
                    forced = f"({s['passed_over_forced_by_rule']})" if s["passed_over_forced_by_rule"] else ""
                    sides.append(f"{s['past_target']:>5} {s['served']:>6}/{s['past_target'] - s['served']:<6}"
                                 f"{s['passed_over']:>6}{forced:<4}{s['passed_over_by_shorter_wait']:>4}")
                solve = f"{f['solve_s']:7.2f}" if "solve_s" in f else f"{'':>7}"
                click.echo(f"{f'{n_r} x {n_v}':<13}{seed:>4} {setting:<8}{f['matched']:>8}{f['mean_score']:>7.3f}"
                           f"{f['mean_score_without_waiting']:>9.3f}   {sides[0]:<42}{sides[1]:<44}{solve}")
    return rows


def _bench_fair_seconds(quick: bool, top_k: int, as_json: bool) -> dict:
    """What strict costs in solver seconds on the largest pool, against weighed, in one run."""
    from datetime import date

    from matching.bench import fair_solve_seconds
    from matching.profiles import ProgramRules
    from seed.benchmark_pool import generate_pool

    today = date(2026, 11, 22)
    n_r, n_v = (2000, 1000) if quick else (20000, 10000)
    requests, volunteers = generate_pool(n_r, n_v, seed=1, today=today)
    figures = fair_solve_seconds(requests, volunteers, ProgramRules(serves="both", min_age=13, max_age=18),
                                 today, top_k)
    if not as_json:
        w, s = figures["weighed"], figures["strict"]
        click.echo(f"solving {n_r} x {n_v} top-{top_k} ({figures['candidate_pairs']} pairs): weighed {w['wall_s']:.2f} s "
                   f"(CPU {w['cpu_s']:.2f} s), strict {s['wall_s']:.2f} s (CPU {s['cpu_s']:.2f} s), CPU ratio "
                   f"{figures['cpu_ratio']:.2f}; matched {w['matched']} and {s['matched']}")
    return figures


def _bench_import(url: str | None, n: int, as_json: bool) -> dict:
    from web.imports.bench import bench_import

    f = bench_import(url, n)
    if not as_json:
        click.echo(f"importing {f['volunteers']} volunteers ({f['backend']}, {f['file_mb']} MB CSV): upload and read "
                   f"{f['upload_s']:.2f} s, preview of every row {f['preview_s']:.2f} s, job {f['job_s']:.2f} s, "
                   f"total {f['total_s']:.2f} s (target 20 s); created {f['created']}; load average "
                   f"{' '.join(f'{x:.2f}' for x in f['load_before'])} before, "
                   f"{' '.join(f'{x:.2f}' for x in f['load_after'])} after")
    return f


def _bench_search(url: str | None, n: int) -> dict:
    import tempfile
    from pathlib import Path

    from models.bench import time_volunteer_search
    from models.db import make_engine
    from models.migrate import upgrade
    from seed.demo import build_demo

    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'search.sqlite3'}"
        upgrade(url)
        bench_engine = make_engine(url)
        summary = build_demo(bench_engine, seed=99, volunteers=n, requests=10)
        slug = summary.organisation.split("organisation slug ", 1)[1].split(",", 1)[0]
        figures = time_volunteer_search(bench_engine, slug)
        figures["backend"] = bench_engine.dialect.name
        bench_engine.dispose()
        return figures


@click.command("bench-dashboard")
@click.option("--db", "url", default=None, help="Database URL (default: a throwaway SQLite). Use PostgreSQL for the figure.")
@click.option("--matches", default=10000, show_default=True, help="Relationships in the benchmark organisation.")
@click.option("--repeat", default=5, show_default=True, help="Timed page loads (after one warm-up).")
def bench_dashboard_command(url: str | None, matches: int, repeat: int) -> None:
    """Time the admin dashboard page (figures + HTML, then its chart images) over many matches."""
    import statistics
    import tempfile
    import time
    from datetime import timedelta
    from pathlib import Path

    from sqlmodel import Session, select

    from models import clock
    from models.dashboard import build_dashboard
    from models.db import make_engine
    from models.migrate import upgrade
    from models.organisations import Organisation
    from seed.benchmark_history import add_match_history
    from seed.demo import build_demo
    from web import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'dashboard.sqlite3'}"
        upgrade(url)
        bench_engine = make_engine(url)
        started = time.perf_counter()
        summary = build_demo(bench_engine, seed=98, volunteers=matches, requests=matches)
        slug = summary.organisation.split("organisation slug ", 1)[1].split(",", 1)[0]
        today = clock.today()
        with Session(bench_engine) as session:
            counts = add_match_history(session, slug, matches, today)
            org_id = session.exec(select(Organisation.id).where(Organisation.slug == slug)).one()
        click.echo(f"built {counts} in {time.perf_counter() - started:.1f} s ({bench_engine.dialect.name})")
        app = create_app({"DATABASE_URL": url, "TESTING": True, "WTF_CSRF_ENABLED": False})
        client = app.test_client()
        client.post("/log-ind", data={"email": f"admin@{slug}.example.org", "password": "makker-bench"})
        import re

        def charts_of(page) -> float:  # noqa: ANN001
            t = time.perf_counter()
            for src in re.findall(r'<img src="(/admin/oversigt/graf/[^"]+)"', page.get_data(as_text=True)):
                assert client.get(src).status_code == 200
            return time.perf_counter() - t

        t = time.perf_counter()
        cold = client.get("/admin/oversigt")  # first load: imports, nothing drawn yet
        cold_page = time.perf_counter() - t
        cold_charts = charts_of(cold)
        pages, figures, warm_charts = [], [], []
        for _ in range(repeat):
            t = time.perf_counter()
            response = client.get("/admin/oversigt")
            pages.append(time.perf_counter() - t)
            assert response.status_code == 200, response.status_code
            warm_charts.append(charts_of(response))
            with Session(bench_engine) as session:
                t = time.perf_counter()
                build_dashboard(session, org_id, today - timedelta(days=365), today, today)
                figures.append(time.perf_counter() - t)
        click.echo(f"dashboard page over {counts['matches']} matches: median {statistics.median(pages):.3f} s, "
                   f"slowest {max(pages):.3f} s ({repeat} loads); figures alone median {statistics.median(figures):.3f} s")
        click.echo(f"first load {cold_page:.3f} s, its five charts drawn in {cold_charts:.3f} s; afterwards the "
                   f"stored charts in a median {statistics.median(warm_charts):.3f} s")
        app.extensions["makker_engine"].dispose()
        bench_engine.dispose()


@click.command("loadtest")
@click.option("--db", "url", envvar="MAKKER_LOADTEST_DATABASE_URL", required=True,
              help="PostgreSQL URL of a database for the load test (its data is built there once and kept).")
@click.option("--users", default="10,50,100", show_default=True, help="Concurrent users, one run per number.")
@click.option("--seconds", default=120, show_default=True, help="Length of each run.")
@click.option("--workers", default=4, show_default=True, help="gunicorn sync workers.")
@click.option("--port", default=8950, show_default=True, help="Port on 127.0.0.1 for gunicorn.")
@click.option("--app-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Serve another checkout's code (e.g. an export of main, for the figures before a change).")
@click.option("--matches", default=10000, show_default=True)
@click.option("--volunteers", default=13000, show_default=True)
@click.option("--requests", "requests_", default=13000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON at the end.")
def loadtest_command(url: str, users: str, seconds: int, workers: int, port: int, app_dir: str | None, matches: int,
                     volunteers: int, requests_: int, as_json: bool) -> None:
    """Pages under load: gunicorn + locust on 127.0.0.1; p50/p95/p99 and throughput per page."""
    import importlib.util
    import json
    from pathlib import Path

    # Looked up, not imported: importing locust patches this process for gevent.
    if importlib.util.find_spec("locust") is None:
        raise click.ClickException("The load test needs the optional dependencies: pip install -e '.[load]'")
    from web.loadtest import run_loadtest
    levels = [int(n) for n in users.split(",") if n.strip()]
    report = run_loadtest(url, users=levels, seconds=seconds, workers=workers, port=port,
                          app_dir=Path(app_dir) if app_dir else None, matches=matches, volunteers=volunteers,
                          requests=requests_, echo=None if as_json else click.echo)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(f"machine load average at the end: {report.load_average} (2 cores, shared with other work)")


# --- safeguarding papers (issue 15) ---
@click.command("certificate-reminders")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Run as of this date.")
@with_appcontext
def certificate_reminders_command(today) -> None:  # noqa: ANN001
    """Tell coordinators which børneattester run out within a month (the daily job; safe to repeat)."""
    from sqlmodel import Session

    from models.clock import today as today_fn
    from models.safeguard.operations import send_certificate_reminders

    with Session(engine(), expire_on_commit=False) as session:
        report = send_certificate_reminders(session, today.date() if today else today_fn(),
                                            current_app.config["MAKKER_BASE_URL"])
    click.echo(f"{report.due} børneattester run out within a month or have; {report.reminded} newly reminded "
               f"in {report.emails} e-mails (a worker sends them, or `makker outbox send`)")
