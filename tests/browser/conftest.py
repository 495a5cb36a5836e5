"""Browser tests: the real app served on 127.0.0.1, driven through Debian's Chromium.

We launch the system browser at /usr/bin/chromium (Debian's package), never a bundled one. Without it the
tests are skipped locally and fail in CI (CI=true).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("MAKKER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):  # noqa: ANN001, ANN201
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the browser tests need the playwright Python package: run pip with -e .[dev]")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):  # noqa: ANN001, ANN201
    """The test app served on a free port in a thread, for the length of one test."""
    app.config.update(SERVER_NAME=None, PROPAGATE_EXCEPTIONS=False)
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{port}"
    app.config["MAKKER_BASE_URL"] = app.config["LIVE_URL"]  # e-mailed links lead to this server
    yield app.config["LIVE_URL"]
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=live_server, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked: list[str] = []

    # Pages must load nothing from elsewhere: any request off this machine fails the test.
    def guard(route):  # noqa: ANN001, ANN202
        url = route.request.url
        if url.startswith(live_server) or url.startswith("data:"):
            return route.continue_()
        blocked.append(url)
        return route.abort()

    page.route("**/*", guard)
    yield page
    context.close()
    assert not blocked, f"the page tried to load third-party resources: {blocked}"


@pytest.fixture
def phone_page(browser, live_server):  # noqa: ANN001, ANN201
    context = browser.new_context(base_url=live_server, locale="da-DK", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
