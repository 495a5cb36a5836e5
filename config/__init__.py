"""Settings from the environment, with safe embedded defaults.

Development needs nothing: SQLite in the instance folder and a secret key generated on first
start and kept there. Production (``MAKKER_ENV=production``) refuses to start without
``SECRET_KEY`` and ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


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
    # The task queue: a SQLite file in the instance folder, or Redis for several machines.
    queue_url: str = ""
    queue_name: str = "makker"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def dev_mailbox(self) -> bool:
        """E-mails are shown in a development mailbox page instead of being sent."""
        return not self.production and not self.mail_server


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


def load_settings(instance_path: Path, environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment)."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("MAKKER_ENV", "development").strip().lower() or "development"
    if mode not in {"development", "production", "testing"}:
        raise ConfigError(f"MAKKER_ENV must be development, production or testing, not {mode!r}")
    secret = env.get("SECRET_KEY", "").strip()
    database_url = env.get("DATABASE_URL", "").strip()
    if mode == "production":
        missing = [name for name, value in (("SECRET_KEY", secret), ("DATABASE_URL", database_url)) if not value]
        if missing:
            raise ConfigError(
                "Makker runs in production mode (MAKKER_ENV=production) and needs "
                + " and ".join(missing)
                + " to be set; see README.md, 'Configuration'."
            )
        if len(secret) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production.")
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
        base_url=env.get("MAKKER_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        queue_url=queue_url(env, instance_path),
        queue_name=env.get("MAKKER_QUEUE_NAME", "").strip() or "makker",
    )


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
