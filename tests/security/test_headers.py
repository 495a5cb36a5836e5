"""Finding 9: nothing with personal data is kept by a browser or a shared cache (Cache-Control:
no-store on every answer but the static files), and production insists on HTTPS (HSTS)."""

from __future__ import annotations

import pytest
from flask import url_for

from tests.conftest import login
from tests.test_authorization import ACCESS, ADMIN, ANON, COORD, VOL

DOWNLOADS = ["admin.export_person", "volunteer.my_data", "admin.relationships_csv", "admin.dashboard_csv",
             "admin.report", "api.me"]


def _get_routes(app):  # noqa: ANN001, ANN202
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods})


@pytest.mark.parametrize("role", [ANON, VOL, COORD, ADMIN])
def test_every_answer_but_the_static_files_is_no_store(app, world, role):
    client = app.test_client()
    if role != ANON:
        user = {VOL: world.volunteer_user, COORD: world.coordinator, ADMIN: world.admin}[role]
        assert login(client, user.email).status_code == 302
    missing, checked = [], set()
    for endpoint in _get_routes(app):
        allowed, args = ACCESS[endpoint]
        if role not in allowed:
            continue
        with app.test_request_context():
            url = url_for(endpoint, **args(world))
        response = client.get(url)
        cache = response.headers.get("Cache-Control", "")
        if endpoint == "static":
            assert "no-store" not in cache
            continue
        checked.add(endpoint)
        if "no-store" not in cache:
            missing.append(f"{url} ({response.status_code}, {response.mimetype}): {cache!r}")
    assert missing == []
    if role == ADMIN:
        assert {"admin.export_person", "admin.relationships_csv", "admin.dashboard_csv", "admin.report"} <= checked
    if role == VOL:
        assert "volunteer.my_data" in checked


def test_downloads_with_personal_data_are_not_stored(as_role, world):
    client = as_role("admin")
    for path in (f"/admin/personer/youth/{world.youth.id}/eksport", "/admin/makkerpar.csv", "/admin/oversigt.csv",
                 "/admin/rapport.pdf", "/api/v1/me"):
        response = client.get(path)
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"], path


def test_errors_and_redirects_are_not_stored_either(client):
    assert "no-store" in client.get("/findes-ikke").headers["Cache-Control"]
    assert "no-store" in client.get("/koordinator/").headers["Cache-Control"]
    assert "no-store" in client.get("/api/v1/me").headers["Cache-Control"]


def test_production_tells_browsers_to_use_https_only(database_url, tmp_path, world):
    from web import create_app

    app = create_app({"TESTING": True, "INSTANCE_PATH": tmp_path, "WTF_CSRF_ENABLED": False, "ENVIRON": {
        "MAKKER_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": database_url,
        "MAKKER_BASE_URL": "https://makker.example.org"}})
    response = app.test_client().get("/log-ind", base_url="https://makker.example.org")
    hsts = response.headers.get("Strict-Transport-Security", "")
    assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    assert "includeSubDomains" in hsts


def test_development_and_tests_send_no_hsts(client):
    # A developer's http://127.0.0.1 must not be pinned to HTTPS in their browser.
    assert "Strict-Transport-Security" not in client.get("/log-ind").headers
