"""``makker loadtest``: the pages under load on the production path, measured end to end.

Builds (or finds) a large organisation, starts gunicorn (sync workers, ``MAKKER_ENV=production``)
on 127.0.0.1, measures each page once idle, then runs locust headless for a bounded time at each
number of users and reports p50/p95/p99 and throughput per page. Needs the optional ``load``
dependencies (``pip install -e '.[load]'``) and, for meaningful figures, PostgreSQL.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from models import clock

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
SIGN_IN_LIMIT = 300  # seconds for everyone to sign in before a run gives up
HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
IMAGE = re.compile(r'<img[^>]+src="(/admin/[^"]+)"')
# The pages the outside load test reported (issue #16), as named in the locust file.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("/admin/oversigt", "admin", "/admin/oversigt"),
    ("/admin/makkerpar?risk=1", "admin", "/admin/makkerpar?risk=1"),
    ("/koordinator/", "coordinator", "/koordinator/"),
    ("/koordinator/forloeb", "coordinator", "/koordinator/forloeb"),
    ("/koordinator/makkerpar/[id]", "coordinator", "/koordinator/makkerpar/{match_id}"),
    ("/frivillig/", "volunteer", "/frivillig/"),
)


@dataclass
class PageFigures:
    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    p99: float
    per_second: float


@dataclass
class Level:
    users: int
    seconds: int
    pages: list[PageFigures] = field(default_factory=list)
    cpu_percent: float | None = None  # the whole machine, averaged over the run
    server_errors: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # what failed, and how often
    # CPU time the server spent per request (gunicorn workers and this database's PostgreSQL
    # backends): unlike the response times, hardly moved by other work on a shared machine.
    web_cpu_ms_per_request: float | None = None
    db_cpu_ms_per_request: float | None = None


@dataclass
class Report:
    database: str
    workers: int
    app_dir: str
    counts: dict[str, int]
    idle_ms: dict[str, float] = field(default_factory=dict)  # one request at a time, median of 5
    cold_dashboard_ms: float | None = None  # the first dashboard load after the chart cache is emptied
    levels: list[Level] = field(default_factory=list)
    load_average: tuple[float, float, float] | None = None

    def as_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def _say(echo: Callable[[str], None] | None, text: str) -> None:
    if echo is not None:
        echo(text)


def run_loadtest(database_url: str, *, users: Sequence[int] = (10, 50, 100), seconds: int = 120, workers: int = 4,
                 port: int = 8950, app_dir: Path | None = None, matches: int = 10000, volunteers: int = 13000,
                 requests: int = 13000, echo: Callable[[str], None] | None = print) -> Report:
    """The whole measurement; ``app_dir`` runs another checkout's code (e.g. main, for "before")."""
    import psutil

    from models.db import make_engine
    from models.migrate import upgrade
    from seed.loadtest import build_load_data, find_load_plan

    upgrade(database_url)
    engine = make_engine(database_url)
    plan = find_load_plan(engine, matches, volunteers, requests)
    if plan is None:
        _say(echo, f"Building the load-test organisation ({matches} matches, {volunteers} volunteers, "
                   f"{requests} requests); this takes a few minutes...")
        started = time.perf_counter()
        plan = build_load_data(engine, clock.today(), matches=matches, volunteers=volunteers, requests=requests)
        _say(echo, f"  built in {time.perf_counter() - started:.0f} s: {plan.counts}")
    engine.dispose()
    app_dir = (app_dir or Path(__file__).resolve().parents[2]).resolve()
    report = Report(database=database_url.split("@")[-1], workers=workers, app_dir=str(app_dir), counts=plan.counts)

    with tempfile.TemporaryDirectory(prefix="makker-loadtest-") as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(plan.as_dict()), encoding="utf-8")
        server = _start_gunicorn(database_url, app_dir, workers, port, Path(tmp))
        try:
            base = f"http://{HOST}:{port}"
            _wait_until_up(base, server)
            _empty_chart_cache(database_url)
            report.idle_ms, report.cold_dashboard_ms = _idle_figures(base, plan.as_dict())
            _say(echo, "Idle, one request at a time (median of 5): "
                 + ", ".join(f"{name} {ms:.0f} ms" for name, ms in report.idle_ms.items())
                 + (f"; dashboard on a cold chart cache {report.cold_dashboard_ms:.0f} ms"
                    if report.cold_dashboard_ms is not None else ""))
            database = database_url.rsplit("/", 1)[-1].split("?")[0]
            for n in users:
                _say(echo, f"{n} users for {seconds} s ...")
                level, before = _run_locust(base, n, seconds, plan_file, Path(tmp) / f"u{n}",
                                            lambda: _server_cpu(server.pid, database))
                level.cpu_percent = psutil.cpu_percent(interval=None)
                _cpu_per_request(level, before, _server_cpu(server.pid, database))
                report.levels.append(level)
                _say(echo, format_level(level))
        finally:
            _stop(server)
    report.load_average = os.getloadavg()
    return report


def _server_cpu(gunicorn_pid: int, database: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far of the gunicorn processes and of the PostgreSQL backends of ``database``."""
    import psutil

    web, db = {}, {}
    try:
        master = psutil.Process(gunicorn_pid)
        for p in [master, *master.children(recursive=True)]:
            web[p.pid] = sum(p.cpu_times()[:2])
    except psutil.Error:
        pass
    for p in psutil.process_iter(["cmdline"]):
        try:
            title = " ".join(p.info["cmdline"] or [])
            if title.startswith("postgres:") and f" {database} " in f"{title} ":
                db[p.pid] = sum(p.cpu_times()[:2])
        except psutil.Error:
            continue
    return {"web": web, "db": db}


def _cpu_per_request(level: Level, before: dict, after: dict) -> None:
    total = next((p.requests for p in level.pages if p.name == "all requests"), 0)
    if not total or not before["web"]:
        return  # the figures never started
    for kind, attribute in (("web", "web_cpu_ms_per_request"), ("db", "db_cpu_ms_per_request")):
        spent = sum(cpu - before[kind].get(pid, 0.0) for pid, cpu in after[kind].items())
        setattr(level, attribute, spent * 1000 / total)


def _start_gunicorn(database_url: str, app_dir: Path, workers: int, port: int, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "MAKKER_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
           "DATABASE_URL": database_url, "PYTHONPATH": str(app_dir),
           # Production refuses to start without its public address (issue 11); here it is loopback.
           "MAKKER_BASE_URL": f"http://{HOST}:{port}"}
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
               "--bind", f"{HOST}:{port}", "--chdir", str(app_dir), "--timeout", "120",
               "--error-logfile", str(tmp / "gunicorn.log"), "web:create_app()"]
    # Started in app_dir: ``python -m`` puts the working directory first on sys.path, before PYTHONPATH.
    return subprocess.Popen(command, env=env, cwd=app_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _wait_until_up(base: str, server: subprocess.Popen, timeout: float = 90) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped during start-up (see its error log)")
        try:
            with urllib.request.urlopen(f"{base}/log-ind", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer on {base} within {timeout:.0f} s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # its own process group: the master and its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _empty_chart_cache(database_url: str) -> None:
    """So that the first dashboard load measures a cold cache (no-op on code without one)."""
    from sqlalchemy import inspect, text

    from models.db import make_engine

    engine = make_engine(database_url)
    try:
        if inspect(engine).has_table("chart_image"):
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM chart_image"))
    finally:
        engine.dispose()


class _Browser:
    """A signed-in visitor for the idle figures: urllib with a cookie jar (no extra dependency)."""

    def __init__(self, base: str, email: str, password: str) -> None:
        import http.cookiejar
        import urllib.request

        from web.loadtest.cookies import LoopbackIsSecure

        self.base = base
        jar = http.cookiejar.CookieJar(policy=LoopbackIsSecure())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        token = CSRF.search(self.get("/log-ind")[1])
        status, _text, url = self._open("/log-ind", {"email": email, "password": password,
                                                     "csrf_token": token.group(1) if token else ""})
        if status != 200 or "/log-ind" in url:
            raise RuntimeError(f"could not sign in as {email}")

    def _open(self, path: str, form: dict | None = None) -> tuple[int, str, str]:
        import urllib.error
        import urllib.parse

        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=120) as response:
                return response.status, response.read().decode("utf-8", "replace"), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), error.url

    def get(self, path: str) -> tuple[int, str]:
        status, text, _url = self._open(path)
        return status, text


def _idle_figures(base: str, plan: dict) -> tuple[dict[str, float], float | None]:
    sessions = {"admin": _Browser(base, plan["admins"][0], plan["password"]),
                "coordinator": _Browser(base, plan["coordinators"][0], plan["password"]),
                "volunteer": _Browser(base, plan["volunteers"][0]["email"], plan["password"])}
    figures, cold = {}, None
    for name, role, path in PAGES:
        times = []
        for i in range(6 if name == "/admin/oversigt" else 5):
            url = path.format(match_id=plan["match_ids"][i % len(plan["match_ids"])])
            started = time.perf_counter()
            status, text = sessions[role].get(url)
            if name == "/admin/oversigt":
                # A browser shows the charts too: count the images the page refers to.
                for src in IMAGE.findall(text):
                    sessions[role].get(src)
            elapsed = (time.perf_counter() - started) * 1000
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")
            if name == "/admin/oversigt" and i == 0:
                cold = elapsed
                continue
            times.append(elapsed)
        figures[name] = statistics.median(times)
    return figures, cold


def _run_locust(base: str, users: int, seconds: int, plan_file: Path, prefix: Path,
                snapshot: Callable[[], dict]) -> tuple[Level, dict]:
    """One run; ``snapshot`` is taken when the figures start (everyone signed in)."""
    import psutil

    mark = Path(f"{prefix}.measuring")
    env = {**os.environ, "MAKKER_LOADTEST_PLAN": str(plan_file), "MAKKER_LOADTEST_SECONDS": str(seconds),
           "MAKKER_LOADTEST_MARK": str(mark)}
    rate = max(1, users // 10)  # everyone arrives within about ten seconds
    # The figures are taken for ``seconds`` once everyone has signed in (the locust file stops the
    # run then); --run-time only bounds a run whose sign-ins never finish.
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--users", str(users),
               "--spawn-rate", str(rate), "--run-time", f"{seconds + SIGN_IN_LIMIT}s", "--host", base,
               "--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
    log = Path(f"{prefix}.log")
    before: dict = {"web": {}, "db": {}}
    with log.open("w") as out:
        run = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + seconds + SIGN_IN_LIMIT + 120
        while run.poll() is None and time.monotonic() < deadline:
            if not before["web"] and mark.exists():
                before = snapshot()
                psutil.cpu_percent(interval=None)
            time.sleep(0.2)
        if run.poll() is None:
            run.kill()
            run.wait()
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError("locust wrote no figures:\n" + log.read_text()[-3000:])
    level = Level(users=users, seconds=seconds)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if int(row["Request Count"]) == 0:
                continue  # e.g. signing in, all done before the figures started
            name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
            level.pages.append(PageFigures(
                name=name, requests=int(row["Request Count"]), failures=int(row["Failure Count"]),
                p50=float(row["50%"] or 0), p95=float(row["95%"] or 0), p99=float(row["99%"] or 0),
                per_second=float(row["Requests/s"] or 0)))
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                level.failures[f'{r["Name"]}: {r["Error"]}'[:300]] = int(r["Occurrences"])
                if re.search(r"(code=|\b)5\d\d\b", r.get("Error", "")):
                    level.server_errors += int(r["Occurrences"])
    return level, before


def format_level(level: Level) -> str:
    lines = [f"  {'page':<40} {'requests':>8} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>6}"]
    for p in level.pages:
        lines.append(f"  {p.name:<40} {p.requests:>8} {p.failures:>6} {p.p50:>7.0f} {p.p95:>7.0f} {p.p99:>7.0f} "
                     f"{p.per_second:>6.1f}")
    cpu = f", machine CPU {level.cpu_percent:.0f} %" if level.cpu_percent is not None else ""
    if level.web_cpu_ms_per_request is not None:
        cpu += (f", server CPU per request {level.web_cpu_ms_per_request:.0f} ms web + "
                f"{level.db_cpu_ms_per_request:.0f} ms PostgreSQL")
    lines.append(f"  ({level.users} users, {level.seconds} s, server errors {level.server_errors}{cpu})")
    lines.extend(f"  failed {n}x: {what}" for what, n in level.failures.items())
    return "\n".join(lines)
