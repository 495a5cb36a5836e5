"""User accounts, passwords and the throttling of failed sign-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Field, Session, SQLModel, select

from models.clock import utcnow
from models.errors import N_, DomainError

ROLES: tuple[str, ...] = ("volunteer", "coordinator", "admin", "referrer")
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)  # one of ROLES
    password_hash: str = Field(default="", max_length=255)
    phone: str = Field(default="", max_length=30)
    active: bool = True
    locale: str = Field(default="da", max_length=5)
    email_confirmed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # A referrer (henviser) works in one referring unit of the organisation's cooperation.
    referring_unit_id: int | None = Field(default=None, foreign_key="referringunit.id", index=True)

    # Flask-Login reads these; kept here so the web layer needs no wrapper class.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class LoginAttempt(SQLModel, table=True):
    """Failed sign-ins per e-mail address, known or not, so a lock says nothing about accounts."""

    email: str = Field(primary_key=True, max_length=254)
    failures: int = 0
    locked_until: datetime | None = None
    last_failure_at: datetime | None = None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(N_("The password must be at least %(n)s characters."), field="password", n=MIN_PASSWORD_LENGTH)


def set_password(user: User, password: str) -> None:
    check_password_strength(password)
    user.password_hash = hash_password(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class SignInLocked(DomainError):
    def __init__(self, minutes: int) -> None:
        super().__init__(N_("Too many failed attempts. Try again in %(minutes)s minutes."), minutes=minutes)
        self.minutes = minutes


def authenticate(session: Session, email: str, password: str, now: datetime | None = None) -> User | None:
    """The active user with these credentials, or None; raises SignInLocked while locked.

    Unknown addresses are throttled exactly like known ones.
    """
    now = now or utcnow()
    email = normalise_email(email)
    attempt = session.get(LoginAttempt, email)
    if attempt and attempt.locked_until and attempt.locked_until > now:
        remaining = int((attempt.locked_until - now).total_seconds() // 60) + 1
        raise SignInLocked(remaining)
    user = session.exec(select(User).where(User.email == email)).first()
    if user is not None and user.active and verify_password(user, password):
        if user.email_confirmed_at is None:
            # Only someone who knows the password learns this; it says what to do next.
            raise DomainError(N_("Confirm your e-mail first: use the link we sent you when you signed up."))
        if attempt:
            session.delete(attempt)
        user.last_login_at = now
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        session.add(user)
        session.commit()
        return user
    if attempt is None:
        attempt = LoginAttempt(email=email)
    if attempt.locked_until and attempt.locked_until <= now:
        attempt.failures = 0
        attempt.locked_until = None
    attempt.failures += 1
    attempt.last_failure_at = now
    if attempt.failures >= MAX_FAILED_LOGINS:
        attempt.locked_until = now + timedelta(minutes=LOCK_MINUTES)
    session.add(attempt)
    session.commit()
    return None


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()
