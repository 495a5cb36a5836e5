"""The dashboard's charts are drawn once for the same figures, whoever asks and on whichever worker."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from models.chart_images import KEEP_DAYS, ChartImage, remember_charts
from seed import builders as b
from tests.conftest import PASSWORD, fresh, login
from web import chart_store, charts

CHART = re.compile(r'<img src="(/admin/oversigt/graf/[0-9a-f]{64}\.svg)"')


@pytest.fixture
def drawings(monkeypatch):  # noqa: ANN001, ANN201
    """Counts the charts actually drawn (the real drawing still happens)."""
    drawn: list[str] = []
    for name in ("bars", "survival_curve"):
        real = getattr(charts, name)

        def counting(chart, fmt="svg", _real=real):  # noqa: ANN001, ANN202
            drawn.append(chart.title)
            return _real(chart, fmt)

        monkeypatch.setattr(charts, name, counting)
    return drawn


def _dashboard(client) -> list[str]:  # noqa: ANN001
    page = client.get("/admin/oversigt")
    assert page.status_code == 200
    sources = CHART.findall(page.get_data(as_text=True))
    for source in sources:
        image = client.get(source)
        assert image.status_code == 200 and image.mimetype == "image/svg+xml" and b"<svg" in image.data
    return sources


def test_the_same_figures_are_drawn_once_however_often_the_dashboard_is_opened(as_role, drawings):
    client = as_role("admin")
    first = _dashboard(client)
    assert len(first) == 5 and len(drawings) == 5
    assert _dashboard(client) == first
    assert len(drawings) == 5


def test_another_web_worker_serves_the_stored_chart_without_drawing_it(as_role, app, world, drawings):
    from web import create_app

    sources = _dashboard(as_role("admin"))
    # A second app on the same database: another gunicorn worker, or another machine.
    other_worker = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True,
                               "WTF_CSRF_ENABLED": False, "INSTANCE_PATH": app.instance_path,
                               "ENVIRON": {"MAKKER_ENV": "testing"}, "MAKKER_BASE_URL": "http://makker.test"})
    client = other_worker.test_client()
    assert login(client, world.admin.email, PASSWORD).status_code == 302
    assert all(client.get(source).status_code == 200 for source in sources)
    assert len(drawings) == 5
    other_worker.extensions["makker_engine"].dispose()


def test_new_figures_give_a_new_chart_and_leave_the_others_alone(as_role, session, world, drawings):
    client = as_role("admin")
    before = set(_dashboard(client))
    b.make_volunteer(session, world.program, status="applicant")  # signs up today: the funnel changes
    session.commit()
    after = set(_dashboard(client))
    assert len(before - after) == 1 and len(after - before) == 1
    assert drawings.count(drawings[-1]) == 2 and len(drawings) == 6


def test_english_texts_are_another_chart(as_role, drawings):
    client = as_role("admin")
    danish = set(_dashboard(client))
    client.get("/sprog/en")
    english = set(_dashboard(client))
    assert not danish & english and len(drawings) == 10


def test_a_change_to_the_drawing_code_draws_the_charts_anew(as_role, monkeypatch, drawings):
    client = as_role("admin")
    before = set(_dashboard(client))
    monkeypatch.setattr(chart_store, "drawing_version", lambda: "restyled")
    assert not before & set(_dashboard(client)) and len(drawings) == 10


def test_another_organisations_chart_is_not_found(app, world, other_world):
    theirs, mine = app.test_client(), app.test_client()
    assert login(theirs, other_world.admin.email, PASSWORD).status_code == 302
    assert login(mine, world.admin.email, PASSWORD).status_code == 302
    sources = _dashboard(theirs)
    assert sources and all(mine.get(source).status_code == 404 for source in sources)
    assert mine.get("/admin/oversigt/graf/not-a-key.svg").status_code == 404


def test_the_pdf_report_draws_its_charts_once_too(as_role, drawings):
    client = as_role("admin")
    assert client.get("/admin/rapport.pdf").mimetype == "application/pdf"
    assert len(drawings) == 5
    assert client.get("/admin/rapport.pdf").mimetype == "application/pdf"
    assert len(drawings) == 5


def test_charts_drawn_ahead_by_the_daily_command_are_not_drawn_again_on_the_first_visit(app, as_role, drawings):
    result = app.test_cli_runner().invoke(args=["draw-charts"])
    assert result.exit_code == 0, result.output
    assert "drew 10 charts" in result.output  # five charts, in Danish and in English
    _dashboard(as_role("admin"))
    assert len(drawings) == 10
    assert "drew 0 charts" in app.test_cli_runner().invoke(args=["draw-charts"]).output


def test_charts_nobody_has_looked_at_for_a_month_are_deleted(session, world):
    today = date(2026, 3, 1)
    remember_charts(session, world.organisation.id, {"a" * 64: ("svg", {"kind": "Bars", "fields": {}})},
                    today - timedelta(days=KEEP_DAYS + 1))
    remember_charts(session, world.organisation.id, {"b" * 64: ("svg", {"kind": "Bars", "fields": {}})}, today)
    fresh(session)
    assert [i.key[0] for i in session.exec(select(ChartImage))] == ["b"]
