"""Each chart drawn once for the same figures, shared by every worker: caching around ``web.charts``.

The dashboard page only names its charts: it stores what each one shows under a key (a hash of
the organisation, the figures and texts, the format and the drawing code itself) and refers to
``/admin/oversigt/graf/<key>.svg``. The image is drawn by the first request for it and then
read from the database. A change to the drawing code gives new keys, so no stale picture stays.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session

from models.chart_images import find_image, mark_used, remember_charts, store_drawing
from web import charts

Chart = charts.Bars | charts.Curve | charts.Lines
# Kind of chart -> its drawing function in web.charts (looked up when drawing).
_DRAW: dict[str, str] = {"Bars": "bars", "Curve": "survival_curve", "Lines": "lines"}


@lru_cache(maxsize=1)
def drawing_version() -> str:
    """The drawing code and library, so that a restyled chart is drawn anew."""
    import matplotlib

    source = Path(charts.__file__).read_bytes()
    return hashlib.sha256(source + matplotlib.__version__.encode()).hexdigest()[:16]


def spec_of(chart: Chart) -> dict:
    return {"kind": type(chart).__name__, "fields": dataclasses.asdict(chart)}


def render(chart: Chart, fmt: str = "svg") -> bytes:
    """Draw without any cache (the drawing functions themselves stay pure)."""
    return getattr(charts, _DRAW[type(chart).__name__])(chart, fmt)


def render_spec(spec: dict, fmt: str) -> bytes:
    return render(getattr(charts, spec["kind"])(**spec["fields"]), fmt)


def chart_key(organisation_id: int, spec: dict, fmt: str) -> str:
    content = json.dumps([organisation_id, spec, fmt, drawing_version()], sort_keys=True, default=str)
    return hashlib.sha256(content.encode()).hexdigest()


def prepare(session: Session, organisation_id: int, charts_by_name: dict[str, Chart], today: date,
            fmt: str = "svg") -> dict[str, str]:
    """Name -> key for each chart; what a new key shows is stored so that any worker can draw it."""
    specs = {name: spec_of(chart) for name, chart in charts_by_name.items()}
    keys = {name: chart_key(organisation_id, spec, fmt) for name, spec in specs.items()}
    remember_charts(session, organisation_id, {keys[name]: (fmt, spec) for name, spec in specs.items()}, today)
    return keys


def image(session: Session, organisation_id: int, key: str, today: date) -> tuple[bytes, str] | None:
    """The image stored under ``key`` (drawn now if this is the first request for it)."""
    stored = find_image(session, organisation_id, key)
    if stored is None:
        return None
    spec, fmt, content = stored.spec, stored.fmt, stored.content
    if content is None:
        content = render_spec(spec, fmt)
        store_drawing(session, organisation_id, key, fmt, spec, content, today)
        return content, fmt
    mark_used(session, stored, today)
    return content, fmt


def cached_renderer(session: Session, organisation_id: int, today: date) -> Callable[[Chart, str], bytes]:
    """``render`` with the cache in front, for code that needs the bytes at once (the PDF)."""

    def draw(chart: Chart, fmt: str = "svg") -> bytes:
        spec = spec_of(chart)
        key = chart_key(organisation_id, spec, fmt)
        stored = find_image(session, organisation_id, key)
        if stored is not None and stored.content is not None:
            content = stored.content
            mark_used(session, stored, today)
            return content
        content = render(chart, fmt)
        store_drawing(session, organisation_id, key, fmt, spec, content, today)
        return content

    return draw


def draw_default_dashboards(session: Session, today: date, languages: tuple[str, ...] = ("da", "en")) -> int:
    """Draw the charts of each organisation's default dashboard ahead of the first admin's visit.

    The figures change every day (the period ends today), so run this just after midnight and
    after imports; returns how many charts it drew. Needs the app context (for the texts).
    """
    from flask_babel import force_locale
    from sqlmodel import select

    from models.dashboard import build_dashboard
    from models.organisations import Organisation
    from web.admin.dashboard import default_period
    from web.admin.report import chart_specs

    drawn = 0
    for organisation_id in session.exec(select(Organisation.id).order_by(Organisation.id)):
        start, end = default_period(today)
        d = build_dashboard(session, organisation_id, start, end, today)
        for language in languages:
            with force_locale(language):
                keys = prepare(session, organisation_id, chart_specs(d), today)
            for key in keys.values():
                stored = find_image(session, organisation_id, key)
                if stored is not None and stored.content is None:
                    image(session, organisation_id, key, today)
                    drawn += 1
    return drawn
