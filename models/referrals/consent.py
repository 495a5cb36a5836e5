"""The consent a referral carries, built on ``models.consent``.

Who must consent (the referrer records it, the family signs the printed form):

* a youth under 15: the custody holders — both when custody is joint;
* a youth of 15-17: the custody holders as above, and the youth themselves;
* a youth of 18 or more: the youth themselves;
* a family: its adults; where the children's custody is joint, both custody holders.

What for: the referral to the programme (always), and — when the family agrees — that the
organisation sends the referrer a short status along the way and says when the case closes.
Each person is one ``ConsentRecord`` (subject "referral" until the coordinator accepts it, then
the youth's or household's); ``purpose`` names both purposes so the record says what was agreed.
"""

from __future__ import annotations

from datetime import date

from models.consent import ADULT_AGE, YOUTH_OWN_CONSENT_FROM_AGE, ConsentDraft, check_consent
from models.errors import N_, DomainError

REFERRAL_CONSENT_VERSION = "2026-henv-1"
PURPOSE_REFERRAL = "referral"
PURPOSE_WITH_STATUS = "referral+status"
MAX_CONSENTS = 3


def consent_field(number: int, name: str) -> str:
    """The form field of the ``number``-th consent (1: consent_given_by, 2: consent2_given_by...)."""
    return f"consent_{name}" if number == 1 else f"consent{number}_{name}"


def referral_consent_parts(organisation: str, organisation_kind: str, unit: str, program: str, first_months: int,
                           every_months: int) -> tuple[str, str, str]:
    """The consent text in its three parts: the referral itself, the status reports to the
    referrer (agreed or not), and how to withdraw. The printed form ticks the second one."""
    noun = "kommunen" if organisation_kind == "municipality" else "foreningen"
    referral = (
        f"Vi giver samtykke til, at {unit} henviser til {program} hos {organisation}, og at {noun} behandler de "
        f"oplysninger, henvisningen indeholder, for at finde en frivillig og følge forløbet. {noun.capitalize()}s "
        "koordinatorer ser oplysningerne; den frivillige får kun fornavn, alder, interesser og det, forløbet handler "
        "om."
    )
    status = (
        f"Vi giver også samtykke til, at {noun} giver henviseren en kort skriftlig status undervejs (første gang "
        f"{first_months} måneder efter, at forløbet er begyndt, derefter hver {every_months}. måned) og besked, "
        "når forløbet slutter. Status skrives, så familien selv kan læse den, og nævner aldrig den frivilliges "
        "efternavn, kontaktoplysninger eller noter."
    )
    withdrawal = f"Samtykket kan trækkes tilbage når som helst ved at kontakte henviseren eller {noun}."
    return referral, status, withdrawal


def referral_consent_text(organisation: str, organisation_kind: str, unit: str, program: str, with_status: bool,
                          first_months: int, every_months: int) -> str:
    """The text the family consented to, as stored with each consent record."""
    referral, status, withdrawal = referral_consent_parts(organisation, organisation_kind, unit, program,
                                                          first_months, every_months)
    return " ".join([referral, status, withdrawal] if with_status else [referral, withdrawal])


def _missing(number: int, msgid: str, **params: object) -> DomainError:
    return DomainError(msgid, field=consent_field(number, "given_by"), **params)


def check_referral_consents(drafts: list[ConsentDraft], today: date, *, kind: str, custody: str,
                            age: int | None = None, has_children: bool = False) -> None:
    """Refuse a referral whose consents do not cover who must consent; errors name the field.

    ``drafts`` are the form's consent slots in order (empty slots left out but counted by
    position is not needed: the error points at the next free slot).
    """
    subject = "youth" if kind == "youth" else "household"
    if not drafts:
        raise _missing(1, N_("Record who gave consent: a referral needs the family's consent."))
    names = [d.given_by.strip().lower() for d in drafts]
    for number, draft in enumerate(drafts, start=1):
        try:
            check_consent(draft, today, subject, age)
        except DomainError as error:
            field = error.field.replace("consent_", "", 1) if error.field else "given_by"
            raise DomainError(error.msgid, field=consent_field(number, field), **error.params) from error
        if names.index(names[number - 1]) != number - 1:
            raise _missing(number, N_("Each person gives consent once: %(name)s is written twice."),
                           name=draft.given_by.strip())
    next_slot = len(drafts) + 1
    needs_custody = (kind == "youth" and age is not None and age < ADULT_AGE) or (kind == "family" and has_children)
    if needs_custody and custody not in ("joint", "sole"):
        raise DomainError(N_("Say who has custody: both parents together, or one parent alone."), field="custody")
    guardians = sum(1 for d in drafts if d.relation == "guardian")
    if kind == "youth":
        assert age is not None
        if age >= ADULT_AGE:
            return  # check_consent has refused a custody holder's consent for an adult
        needed = 2 if custody == "joint" else 1
        if guardians < needed:
            if custody == "joint":
                raise _missing(min(next_slot, MAX_CONSENTS), N_(
                    "With joint custody both custody holders must consent: write the other custody holder's "
                    "consent too."))
            raise _missing(min(next_slot, MAX_CONSENTS), N_(
                "A youth under 18 needs the consent of a custody holder: who gave it?"))
        if age >= YOUTH_OWN_CONSENT_FROM_AGE and not any(d.relation == "self" for d in drafts):
            raise _missing(min(next_slot, MAX_CONSENTS), N_(
                "From 15 the youth consents too: write the youth's own consent (role \"The youth themselves\")."))
        return
    if has_children and custody == "joint" and len(drafts) < 2:
        raise _missing(2, N_("With joint custody both custody holders must consent: write the other parent's "
                             "consent too."))
