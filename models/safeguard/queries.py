"""Reading the safeguarding state: which texts a volunteer has signed, when a børneattest must be
renewed, and which volunteers' børneattest has run out (the matching's hard rule reads this)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func
from sqlmodel import Session, select

from models.clock import add_months
from models.organisations import Program
from models.safeguard.defaults import DEFAULT_TEXTS
from models.safeguard.tables import TEXT_KINDS, Concern, SafeguardText, Signature
from models.volunteers import ScreeningStep, Volunteer

CERTIFICATE_STEP = "boerneattest"  # the same code as models.child_protection
CERTIFICATE_RECEIVED = ("done", "approved")  # received without remarks
# The checklist's codes for the two signatures (shown beside the program's screening steps).
SIGNATURE_STEPS: dict[str, str] = {"confidentiality": "sign_confidentiality", "agreement": "sign_agreement"}
REMIND_DAYS_BEFORE = 30  # the renewal reminder goes this long before the børneattest runs out


# --- texts and signatures ----------------------------------------------------------------------

def current_text(session: Session, organisation_id: int, kind: str) -> SafeguardText:
    """The newest version of the organisation's text; until an admin writes one, the default
    (an unsaved version 1, stored when the first volunteer signs it)."""
    if kind not in TEXT_KINDS:
        raise ValueError(f"unknown text kind {kind!r}")
    stored = session.exec(select(SafeguardText).where(SafeguardText.organisation_id == organisation_id,
                                                      SafeguardText.kind == kind)
                          .order_by(SafeguardText.version.desc())).first()
    if stored is not None:
        return stored
    title, body = DEFAULT_TEXTS[kind]
    return SafeguardText(organisation_id=organisation_id, kind=kind, version=1, title=title, body=body)


def text_versions(session: Session, organisation_id: int, kind: str) -> list[tuple[SafeguardText, int]]:
    """Every stored version of a text, newest first, with how many volunteers signed it."""
    counts = dict(session.exec(select(Signature.text_id, func.count()).where(
        Signature.organisation_id == organisation_id, Signature.kind == kind).group_by(Signature.text_id)).all())
    texts = session.exec(select(SafeguardText).where(SafeguardText.organisation_id == organisation_id,
                                                     SafeguardText.kind == kind)
                         .order_by(SafeguardText.version.desc())).all()
    return [(t, int(counts.get(t.id, 0))) for t in texts]


@dataclass
class SignatureState:
    kind: str
    text: SafeguardText  # the current version
    signature: Signature | None  # the volunteer's latest signature of this kind (any version)

    @property
    def signed_current(self) -> bool:
        return self.signature is not None and self.signature.version == self.text.version

    @property
    def status(self) -> str:
        """signed (the current version), new_version (an older one only), not_signed."""
        if self.signature is None:
            return "not_signed"
        return "signed" if self.signed_current else "new_version"


def signature_states(session: Session, volunteer: Volunteer) -> list[SignatureState]:
    """Per text kind: the current version and what the volunteer signed."""
    latest: dict[str, Signature] = {}
    for signature in session.exec(select(Signature).where(Signature.volunteer_id == volunteer.id)
                                  .order_by(Signature.version)):
        latest[signature.kind] = signature
    return [SignatureState(kind, current_text(session, volunteer.organisation_id, kind), latest.get(kind))
            for kind in TEXT_KINDS]


def unsigned_count(session: Session, volunteer: Volunteer) -> int:
    """How many texts the volunteer still has to sign (a new version counts)."""
    return sum(1 for s in signature_states(session, volunteer) if not s.signed_current)


# --- børneattest ---------------------------------------------------------------------------------

@dataclass
class CertificateState:
    required: bool  # the program asks for a børneattest
    status: str | None  # the screening step's status (done/approved: without remarks)
    received_on: date | None
    renew_by: date | None  # None: not received without remarks, or no date recorded
    today: date

    @property
    def expired(self) -> bool:
        """Run out: the volunteer is taken out of new proposals until it is renewed."""
        return self.required and self.renew_by is not None and self.renew_by <= self.today

    @property
    def due_soon(self) -> bool:
        return (self.required and self.renew_by is not None and not self.expired
                and (self.renew_by - self.today).days <= REMIND_DAYS_BEFORE)


def renewal_months(program: Program) -> int:
    return int(program.certificate_renewal_months or 24)


def certificate_state(session: Session, volunteer: Volunteer, today: date,
                      program: Program | None = None) -> CertificateState:
    program = program or session.get(Program, volunteer.program_id)
    step = session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id,
                                                    ScreeningStep.step == CERTIFICATE_STEP)).first()
    received = step is not None and step.status in CERTIFICATE_RECEIVED and step.step_date is not None
    return CertificateState(
        required=CERTIFICATE_STEP in (program.required_steps or []),
        status=step.status if step else None,
        received_on=step.step_date if step else None,
        renew_by=add_months(step.step_date, renewal_months(program)) if received else None,
        today=today,
    )


def certificate_renewals(session: Session, program: Program, volunteer_ids: Iterable[int] | Select,
                         ) -> dict[int, date]:
    """volunteer id -> the day their børneattest runs out, for those of ``volunteer_ids`` (ids or a
    select of ids) with one received without remarks on a known date, in a program that asks for it."""
    if CERTIFICATE_STEP not in (program.required_steps or []):
        return {}
    ids = volunteer_ids if isinstance(volunteer_ids, Select) else list(volunteer_ids)
    if not isinstance(ids, Select) and not ids:
        return {}
    months = renewal_months(program)
    rows = session.exec(select(ScreeningStep.volunteer_id, ScreeningStep.step_date).where(
        ScreeningStep.volunteer_id.in_(ids), ScreeningStep.step == CERTIFICATE_STEP,
        ScreeningStep.status.in_(CERTIFICATE_RECEIVED), ScreeningStep.step_date.is_not(None))).all()
    return {volunteer_id: add_months(received, months) for volunteer_id, received in rows}


def expired_certificates(session: Session, program: Program, volunteer_ids: Iterable[int] | Select,
                         today: date) -> dict[int, date]:
    """volunteer id -> the day it ran out, for those whose børneattest has run out by ``today``."""
    return {v: d for v, d in certificate_renewals(session, program, volunteer_ids).items() if d <= today}


# --- concerns --------------------------------------------------------------------------------------

def open_concerns(session: Session, match_ids: Iterable[int] | Select) -> dict[int, int]:
    """match id -> how many concerns no coordinator has handled yet."""
    ids = match_ids if isinstance(match_ids, Select) else list(match_ids)
    if not isinstance(ids, Select) and not ids:
        return {}
    return dict(session.exec(select(Concern.match_id, func.count()).where(
        Concern.match_id.in_(ids), Concern.handled_at.is_(None)).group_by(Concern.match_id)).all())


def concerns_of_match(session: Session, match_id: int) -> list[Concern]:
    return list(session.exec(select(Concern).where(Concern.match_id == match_id)
                             .order_by(Concern.created_at.desc(), Concern.id.desc())))
