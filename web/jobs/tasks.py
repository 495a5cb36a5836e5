"""Every piece of background work, as jobs on the queue. Each calls the same domain operation
as the page or the ``makker`` command that does the same by hand, and is safe to run twice.

Adding one (e.g. status reminders to referrers, an import, a large export): write the domain
function in ``models/`` (``(session, today) -> report``), then three lines here::

    @periodic(daily_at(8, 0))
    def referrer_status(ctx: JobContext) -> dict:
        with ctx.session() as session:
            return asdict(send_referrer_status(session, ctx.today()))

and, for work a user starts, ``@job()`` plus ``enqueue("name", record_id)`` in the view. Work
that runs long keeps its state in its own row (status, progress, a lease) like ``MatchRun``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from matching.run import LeaseLost, execute_run
from models.jobs.operations import prune_slots
from models.matchruns import recover_stale_runs
from models.referrals.statuses import send_closure_notices, send_status_reminders
from models.reminders import send_reminders
from models.retention import apply_retention
from models.risk_state import refresh_risk
from web.jobs.queue import JobContext
from web.jobs.registry import daily_at, every, every_minute, job, periodic
from web.mailer import send_pending

log = logging.getLogger("makker.jobs")


@job("match_run")
def match_run(ctx: JobContext, run_id: int) -> dict | None:
    """One program's matching. A second delivery, or a run someone else holds, does nothing."""
    try:
        result = execute_run(ctx.engine, run_id, ctx.today(), worker=ctx.worker)
    except LeaseLost:
        log.warning("match run %s was taken over by another worker; this one stored nothing", run_id)
        return None
    except Exception:  # noqa: BLE001 - recorded on the run as failed, with a "try again" button
        log.exception("match run %s failed", run_id)
        return None
    return result.as_dict() if result is not None else None


@periodic(every_minute())
def recover_runs(ctx: JobContext) -> dict:
    """Runs whose worker stopped are started again (or failed after the last attempt)."""
    with ctx.session() as session:
        report = recover_stale_runs(session, ctx.now())
    ctx.queue.forget_gone_workers()
    for run_id in report.to_enqueue:
        ctx.enqueue("match_run", run_id)
    if report.restarted or report.failed:
        log.warning("match runs started again: %s; failed after the last attempt: %s",
                    report.restarted, report.failed)
    return asdict(report)


@periodic(every_minute())
def send_outbox(ctx: JobContext) -> dict:
    """Send the e-mails whose turn has come (also put on the queue right after mail is queued)."""
    with ctx.session() as session:
        sent, failed = send_pending(session, ctx.settings, now=ctx.now())
    return {"sent": sent, "failed": failed}


@periodic(daily_at(7, 0))
def daily_reminders(ctx: JobContext) -> dict:
    """Meeting reminders to quiet volunteers and due check-ins to coordinators, once a day."""
    with ctx.session() as session:
        report = send_reminders(session, ctx.today(), ctx.settings.base_url)
    ctx.enqueue("send_outbox")
    return asdict(report)


@periodic(daily_at(0, 5))
def risk_refresh(ctx: JobContext) -> dict:
    """The at-risk lists' flags that come with time alone (no meeting for N days, an overdue
    check-in), once a day just after midnight; changes re-assess their match at once."""
    with ctx.session() as session:
        report = refresh_risk(session, ctx.today())
    ctx.enqueue("draw_charts")  # the dashboard's figures moved with the day as well
    return asdict(report)


@periodic(daily_at(0, 10))
def drift_refresh(ctx: JobContext) -> dict:
    """The stored "waiting with no event" days recomputed for everyone: the safety net under the
    hooks that follow each write, and the catch-up after bulk imports (models/events/drift.py)."""
    from models.events.drift import refresh_drift

    with ctx.session() as session:
        return {"places": refresh_drift(session)}


@periodic(daily_at(0, 15))
def draw_charts(ctx: JobContext) -> dict:
    """Each organisation's default dashboard charts, drawn before the first admin looks."""
    from web.chart_store import draw_default_dashboards

    with ctx.session() as session:
        return {"drawn": draw_default_dashboards(session, ctx.today())}


@periodic(daily_at(2, 30))
def retention(ctx: JobContext) -> dict:
    """Anonymise closed records past their program's retention period, once a night."""
    with ctx.session() as session:
        report = apply_retention(session, ctx.today())
        pruned = prune_slots(session, ctx.now())
        from models.imports.operations import prune_import_files

        import_files = prune_import_files(session, ctx.today())
    return {**asdict(report), "periodic_slots_pruned": pruned, "import_files_emptied": import_files}


# --- spreadsheet import (issue 17) ---

@job("import_batch")
def import_batch(ctx: JobContext, batch_id: int) -> dict | None:
    """One uploaded file, all or nothing; a second delivery finds nothing to claim."""
    from models.imports.operations import run_import
    from web.imports.links import welcome_link

    with ctx.session() as session:
        result = run_import(session, batch_id, ctx.today(), welcome_link)
    ctx.enqueue("send_outbox")
    return asdict(result) if result is not None else None


@periodic(every_minute())
def recover_imports(ctx: JobContext) -> dict:
    from models.imports.operations import recover_stale_imports

    with ctx.session() as session:
        report = recover_stale_imports(session, ctx.now())
    for batch_id in report["to_enqueue"]:
        ctx.enqueue("import_batch", batch_id)
    return report


@job("family_teams")
def family_teams(ctx: JobContext, run_id: int) -> dict | None:
    """A team proposal run (one family or every family waiting for a team); a second delivery,
    or a run another worker holds, does nothing. The state and the result are on the run's row."""
    from models.families.team_runs import execute_team_run

    try:
        return execute_team_run(ctx.engine, run_id, ctx.today(), worker=ctx.worker)
    except Exception:  # noqa: BLE001 - recorded on the run as failed
        log.exception("team run %s failed", run_id)
        return None


@periodic(every_minute())
def recover_team_runs(ctx: JobContext) -> dict:
    """Team runs whose worker stopped are queued again (or failed after the last attempt)."""
    from models.families.team_runs import recover_stale_team_runs

    with ctx.session() as session:
        report = recover_stale_team_runs(session, ctx.now())
    for run_id in report["to_enqueue"]:
        ctx.enqueue("family_teams", run_id)
    return report


@job("family_figures")
def family_figures(ctx: JobContext, organisation_id: int) -> dict:
    """The organisation's stored family figures, counted again after a change (debounced)."""
    from models.families.figures import refresh_family_figures

    with ctx.session() as session:
        return asdict(refresh_family_figures(session, organisation_id, ctx.now(), only_if_stale=True))


@periodic(daily_at(0, 25))
def family_figures_daily(ctx: JobContext) -> dict:
    """The safety net: every organisation's family figures, once a night."""
    from models.families.figures import refresh_all_family_figures

    with ctx.session() as session:
        return asdict(refresh_all_family_figures(session, ctx.now()))


@periodic(daily_at(7, 15))
def referral_status_reminders(ctx: JobContext) -> dict:
    """Coordinators are reminded, a week ahead, of the statuses to referrers falling due (issue 13)."""
    with ctx.session() as session:
        report = send_status_reminders(session, ctx.today(), ctx.settings.base_url)
    ctx.enqueue("send_outbox")
    return asdict(report)


@periodic(every(5))
def referral_closure_notices(ctx: JobContext) -> dict:
    """Referrers are told that a referred relationship has ended, with the handover (issue 13)."""
    with ctx.session() as session:
        report = send_closure_notices(session, ctx.settings.base_url)
    if report.closure_notices:
        ctx.enqueue("send_outbox")
    return asdict(report)


# --- safeguarding papers (issue 15) ---
@periodic(daily_at(7, 10))
def certificate_renewals(ctx: JobContext) -> dict:
    """Tell coordinators which børneattester run out within a month (once per renewal date)."""
    from models.safeguard.operations import send_certificate_reminders

    with ctx.session() as session:
        report = send_certificate_reminders(session, ctx.today(), ctx.settings.base_url)
    if report.emails:
        ctx.enqueue("send_outbox")
    return asdict(report)


# --- events (issue 15) ---

def _event_link(event_id: int) -> str:
    from web.links import public_url

    return public_url("events.volunteer_event", event_id=event_id)


def _event_domain() -> str:
    from urllib.parse import urlsplit

    from web.links import public_base_url

    return urlsplit(public_base_url()).netloc or "makker"


@job("event_invitations")
def event_invitations(ctx: JobContext, event_id: int) -> dict:
    """E-mail the invitations of one new event (each volunteer once, with the .ics attached)."""
    from models.events.operations import queue_invitations

    with ctx.session() as session:
        report = queue_invitations(session, event_id, _event_domain(), _event_link(event_id))
    ctx.enqueue("send_outbox")
    return asdict(report)


@periodic(daily_at(7, 30))
def invite_to_events(ctx: JobContext) -> dict:
    """Volunteers who joined an event's audience since it was created (newly approved and
    waiting, new in screening) are invited too, once a day."""
    from models.events.operations import invite_to_coming_events

    with ctx.session() as session:
        report = invite_to_coming_events(session, ctx.now(), _event_domain(), _event_link)
    ctx.enqueue("send_outbox")
    return asdict(report)


# --- the export of everything, as a job (issue 17) ---

@job("export_file")
def export_file(ctx: JobContext, export_id: int) -> dict | None:
    """One admin's export of everything; a second delivery finds nothing to claim."""
    from models.imports.exports import run_export

    with ctx.session() as session:
        export = run_export(session, export_id, ctx.now())
        return {"export": export.id, "rows": export.rows, "size": export.size} if export is not None else None


@periodic(every(60))
def prune_exports(ctx: JobContext) -> dict:
    """Export files are kept for a day only; stopped ones are failed, lost ones sent again."""
    from models.imports.exports import prune_exports as prune

    with ctx.session() as session:
        report = prune(session, ctx.now())
    for export_id in report["to_enqueue"]:
        ctx.enqueue("export_file", export_id)
    return report
