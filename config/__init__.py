"""Settings from the environment, with safe embedded defaults.

Production is the default: an app started without ``MAKKER_ENV`` (gunicorn, ``flask run``, any
WSGI server) refuses to start without ``SECRET_KEY``, ``DATABASE_URL`` and ``MAKKER_BASE_URL``.
Development is chosen explicitly, by ``makker`` commands (``makker serve``) or by
``MAKKER_ENV=development``; it needs nothing: SQLite in the instance folder and a secret key
generated on first start and kept there. See docs/decisions/0007-environment-and-dev-mailbox.md.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

MODES = ("development", "production", "testing")
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """The settings cannot run the app; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    env: str
    secret_key: str
    database_url: str
    instance_path: Path
    mail_server: str | None
    mail_port: int
    mail_username: str | None
    mail_password: str | None
    mail_use_tls: bool
    mail_sender: str
    base_url: str
    trusted_hosts: tuple[str, ...] = ()
    proxy_count: int = 0
    ratelimit_storage_uri: str = "memory://"
    # The task queue: a SQLite file in the instance folder, or Redis for several machines.
    queue_url: str = ""
    queue_name: str = "makker"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def dev_mailbox(self) -> bool:
        """E-mails are shown in a development mailbox page (to this machine only) instead of being sent."""
        return self.env == "development" and not self.mail_server


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_from_instance(instance_path: Path) -> str:
    """A development secret key, generated once and kept in the instance folder."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written with owner-only permissions: the key signs sessions and reset links.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process or thread started at the same moment and wrote it first: use theirs.
        return _read_when_written(key_file)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _read_when_written(key_file: Path) -> str:
    """The key another starter is writing; O_EXCL creates the file a moment before its content."""
    import time

    for _ in range(100):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{key_file} stays empty; delete it and start again")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# Set by tests/conftest.py alone: passwords hashed at argon2's lowest cost (models/users.py).
CHEAP_HASHING = "MAKKER_TEST_CHEAP_HASHING"


def load_settings(instance_path: Path, environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment)."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("MAKKER_ENV", "").strip().lower() or "production"
    if mode not in MODES:
        raise ConfigError(f"MAKKER_ENV must be development, production or testing, not {mode!r}")
    secret = env.get("SECRET_KEY", "").strip()
    database_url = env.get("DATABASE_URL", "").strip()
    base_url = env.get("MAKKER_BASE_URL", "").strip().rstrip("/")
    if mode == "production":
        required = (("SECRET_KEY", secret), ("DATABASE_URL", database_url), ("MAKKER_BASE_URL", base_url))
        missing = [name for name, value in required if not value]
        if missing:
            raise ConfigError(
                "Makker runs in production mode (the default without MAKKER_ENV) and needs "
                + ", ".join(missing)
                + " to be set; see README.md, 'Configuration'. For development on your own machine use "
                "`makker serve` or set MAKKER_ENV=development."
            )
        if len(secret) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production.")
        if env.get(CHEAP_HASHING):
            raise ConfigError(f"{CHEAP_HASHING} is for the test suite only; unset it in production.")
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ConfigError(f"MAKKER_BASE_URL must be a web address such as https://makker.example.org, not {base_url!r}")
    if not secret:
        secret = _secret_from_instance(instance_path)
    if not database_url:
        database_url = sqlite_url(instance_path / "makker.sqlite3")
    return Settings(
        env=mode,
        secret_key=secret,
        database_url=normalise_database_url(database_url),
        instance_path=instance_path,
        mail_server=env.get("MAIL_SERVER") or None,
        mail_port=int(env.get("MAIL_PORT", "587")),
        mail_username=env.get("MAIL_USERNAME") or None,
        mail_password=env.get("MAIL_PASSWORD") or None,
        mail_use_tls=_flag(env.get("MAIL_USE_TLS"), True),
        mail_sender=env.get("MAIL_SENDER", "Makker <no-reply@makker.local>"),
        base_url=base_url or DEVELOPMENT_BASE_URL,
        trusted_hosts=_trusted_hosts(mode, base_url, env.get("MAKKER_TRUSTED_HOSTS", "")),
        proxy_count=_count("MAKKER_PROXY_COUNT", env.get("MAKKER_PROXY_COUNT", "")),
        ratelimit_storage_uri=(env.get("RATELIMIT_STORAGE_URI", "").strip() or env.get("REDIS_URL", "").strip()
                               or "memory://"),
        queue_url=queue_url(env, instance_path),
        queue_name=env.get("MAKKER_QUEUE_NAME", "").strip() or "makker",
    )


def _trusted_hosts(mode: str, base_url: str, extra: str) -> tuple[str, ...]:
    """The host names the app answers to in production: the public address's and any listed."""
    if mode != "production":
        return ()
    names = [urlsplit(base_url).hostname or ""] + [name.strip().lower() for name in extra.split(",")]
    return tuple(dict.fromkeys(name for name in names if name))


def _count(name: str, value: str) -> int:
    try:
        number = int(value.strip() or "0")
    except ValueError:
        number = -1
    if number < 0:
        raise ConfigError(f"{name} must be a whole number (0 or more), not {value!r}")
    return number


def queue_url(env: dict[str, str], instance_path: Path) -> str:
    """Where the task queue lives: MAKKER_QUEUE_URL, else REDIS_URL, else a file in the instance folder."""
    url = (env.get("MAKKER_QUEUE_URL") or env.get("REDIS_URL") or "").strip()
    if not url:
        return sqlite_url(instance_path / "queue.sqlite3")
    if not url.startswith(("redis://", "rediss://", "unix://", "sqlite:///")):
        raise ConfigError("MAKKER_QUEUE_URL must be a redis:// URL or sqlite:///path, not " + repr(url.split("@")[-1]))
    return url


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
