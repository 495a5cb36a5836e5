"""The web application: pages, JSON API and the ``makker`` command line."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from config import load_settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The app factory: settings from the environment, overridden by ``config`` (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    config = dict(config or {})
    # MAKKER_INSTANCE_PATH moves the instance folder (the worker that `makker serve` starts uses it).
    instance_path = Path(config.pop("INSTANCE_PATH", os.environ.get("MAKKER_INSTANCE_PATH") or app.instance_path))
    app.instance_path = str(instance_path)
    environ = config.pop("ENVIRON", None)
    settings = load_settings(instance_path, environ)
    app.config.update(
        MAKKER_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.production,
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead: long forms must not expire
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="da",
        BABEL_DEFAULT_TIMEZONE="Europe/Copenhagen",
        DEV_MAILBOX=settings.dev_mailbox,
        # E-mail links are built from this, never from the request's Host (web/links.py).
        MAKKER_BASE_URL=settings.base_url,
        # Production answers only to its own host names; a forged Host gets 400.
        TRUSTED_HOSTS=list(settings.trusted_hosts) or None,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        REMEMBER_COOKIE_DURATION=timedelta(days=30),  # as long as a remembered session lives
        # Every non-public view must ask the policy; a forgotten check is a server error.
        VERIFY_AUTHORIZED=True,
        PAGE_SIZE=50,
    )
    app.config.update(config)
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N reverse proxies the client's address and scheme come from their headers.
        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    if app.config.get("DATABASE_URL") != settings.database_url:
        from config import normalise_database_url

        app.config["DATABASE_URL"] = normalise_database_url(app.config["DATABASE_URL"])

    from web import auth, database, errors, i18n, jobs, labels, navigation, policy, security
    from web.admin import views as admin_views
    from web.api import views as api_views
    from web.coordinator import views as coordinator_views
    from web.dev import views as dev_views
    from web.params import DatabaseIntConverter
    from web.volunteer import views as volunteer_views

    # Before any blueprint: every <int:id> in a route is bounded by what the database holds.
    app.url_map.converters["int"] = DatabaseIntConverter
    database.init_app(app)
    jobs.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    navigation.init_app(app)
    policy.init_app(app)
    errors.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(volunteer_views.bp)
    app.register_blueprint(coordinator_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(dev_views.bp)
    # --- further blueprints: one line each, in their own block ---
    # volunteer journey (issue 4)
    from web.signup import views as signup_views

    app.register_blueprint(signup_views.bp)
    # coordinator journey (issue 5)
    # events: volunteers as a group (issue 15)
    from web.events import views as events_views

    app.register_blueprint(events_views.bp)
    # follow-up (issue 6)
    # admin (issue 7)
    # safeguarding papers (issue 15)
    from web.safeguard import views as safeguard_views

    app.register_blueprint(safeguard_views.bp)

    # families (issue 14)
    from web.families import views as families_views

    app.register_blueprint(families_views.bp)
    # referrals (issue 13): the referrer's own pages
    from web.referrer import views as referrer_views

    app.register_blueprint(referrer_views.bp)
    # spreadsheet import (issue 17)
    from web.imports import views as import_views
    from web.imports.uploads import UploadAwareRequest

    app.request_class = UploadAwareRequest
    app.register_blueprint(import_views.bp)
    app.register_blueprint(import_views.welcome_bp)

    # one person, several programmes (issue 15)
    from web.members import views as members_views

    app.register_blueprint(members_views.bp)

    from web import throttle

    throttle.init_app(app)  # after every blueprint: it wraps the views it throttles

    from web.cli import register_commands

    register_commands(app)
    return app
