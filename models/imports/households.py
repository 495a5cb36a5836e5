"""Households with their members from a family sheet: one row per member, grouped by a column.

A Danish coordinator's "familieliste" has a line per person with the family's number (or name)
repeated; the family's own columns (postcode, contact, consent, languages) stand on the first
line or on every line. So: the household columns are read from the first row of the family that
fills them; a later row that says something else is an error on that row. A household's own
errors (a bad postcode, no consent) stand on every row of the family, because the family cannot
come in without them; a member's errors stand on the member's row only, and skipping that row
brings the family in without that member. Each distinct "Behov" of a family is one request.
"""

from __future__ import annotations

from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func
from sqlmodel import Session, select

from models.child_protection import require_certificate, under_15
from models.consent import ConsentDraft, ConsentRecord, record_consent
from models.errors import N_, DomainError
from models.imports.values import fold, parse_availability
from models.intake import MenteeDraft, RequestDraft, check_household, new_request
from models.matchruns import WaitingReason
from models.mentees import Household, HouseholdMember, Request
from models.organisations import Organisation, Program
from models.users import User
from models.writes import lock

# Columns of the family, not of the person: read once per household.
HOUSEHOLD_KEYS = ("family_name", "postcode", "languages", "interests", "availability", "contact_name",
                  "contact_email", "contact_phone", "wishes", "referred_on", "referred_by", "consent_given_by",
                  "consent_given_on", "notes")
# DomainError fields of the intake's checks -> the import's columns
_FIELDS = {"consent_given_by": "consent_given_by", "consent_given_on": "consent_given_on",
           "consent_relation": "consent_given_by", "program": "need", "referred_on": "referred_on",
           "members": "member_name"}


def check_rows(batch: object, program: Program, today: date) -> list:
    """Every row checked: the member's own cells on their row, the family's on all of its rows."""
    from models.imports.operations import DEFAULT_LANGUAGES, CellError, RowCheck, _Row

    rows = [_Row(batch, raw) for raw in batch.rows]
    groups: dict[str, list[int]] = {}
    members = []
    for index, row in enumerate(rows):
        key = row.text("household_key", 100)
        if not key:
            row.error("household_key", N_("This field is required."))
        else:
            groups.setdefault(fold(key), []).append(index)
        name = row.text("member_name", 100)
        if not name:
            row.error("member_name", N_("This field is required."))
        role = row.code("role")
        if role is None and not row.cells.get("role", "").strip():
            row.error("role", N_("This field is required."))
        year = row.year()
        if year is not None and not today.year - 120 <= year <= today.year:
            row.error("birth_year" if "birth_year" in row.cells else "birth_date",
                      N_("Write the year as four digits, e.g. 1985."))
            year = None
        gender = row.code("gender") or ""
        members.append({"household_key": key, "first_name": name, "role": role, "birth_year": year,
                        "gender": gender, "need": row.text("need", 200)})
    checks: list[RowCheck] = []
    shared: dict[int, dict] = {}
    for indexes in groups.values():
        family = _Row(batch, [])
        family.cells, family.headers = {}, dict(rows[indexes[0]].headers)
        source: dict[str, int] = {}
        for index in indexes:
            for key in HOUSEHOLD_KEYS:
                value = rows[index].cells.get(key, "").strip()
                if not value:
                    continue
                if key not in source:
                    source[key], family.cells[key] = index, value
                elif fold(value) != fold(family.cells[key]):
                    rows[index].error(key, N_("Row %(row)s of the same household says \"%(other)s\": write the "
                                              "family's value once, or the same on every row."),
                                      row=source[key] + 2, other=family.cells[key][:60])
        for key in HOUSEHOLD_KEYS:
            family.cells.setdefault(key, "")
        data = _check_family(family, program, today, rows[indexes[0]].cells.get("household_key", "").strip(),
                             [members[i] for i in indexes], DEFAULT_LANGUAGES)
        for index in indexes:
            shared[index] = data
            rows[index].errors.extend(CellError(e.column, e.msgid, dict(e.params), e.value) for e in family.errors)
    for index, row in enumerate(rows):
        member = members[index]
        data = {**member, "household": shared.get(index, {})}
        family_name = data["household"].get("family_name", "")
        checks.append(RowCheck(index + 2, f"{member['first_name']} ({family_name})" if family_name
                               else member["first_name"], row.errors, None, data))
    return checks


def _check_family(family: object, program: Program, today: date, key: str, members: list[dict],
                  default_languages: dict) -> dict:
    contact_email = family.text("contact_email", 254)
    if contact_email:
        try:
            contact_email = validate_email(contact_email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            family.error("contact_email", N_("Write a valid e-mail address, e.g. navn@example.dk."))
    postcode = family.text("postcode", 4)
    if not postcode:
        family.error("postcode", N_("This field is required."))
    availability = 0
    if family.cells.get("availability"):
        availability = parse_availability(family.cells["availability"])
        if availability is None:
            family.error("availability", N_("Write weekdays and times of day, e.g. \"hverdage aften\" or \"lør, søn\"."))
            availability = 0
    languages = family.codes("languages") if family.cells.get("languages") else None
    referred_on = family.date("referred_on")
    consent_on = family.date("consent_given_on")
    data = {"key": key, "family_name": family.text("family_name", 200) or key[:200],
            "postcode": postcode, "languages": languages if languages else dict(default_languages),
            "interests": (family.codes("interests") if family.cells.get("interests") else None) or [],
            "availability": availability, "contact_name": family.text("contact_name", 200),
            "contact_email": contact_email, "contact_phone": family.text("contact_phone", 30),
            "wishes": family.text("wishes", 2000), "notes": family.text("notes", 4000),
            "referred_on": referred_on.isoformat() if referred_on else None,
            "referred_by": family.text("referred_by", 200),
            "consent_given_by": family.text("consent_given_by", 200),
            "consent_given_on": consent_on.isoformat() if consent_on else None,
            "needs": sorted({m["need"] for m in members if m["need"]}) or [program.name[:200]]}
    if postcode and not family.errors:
        profile, requests, consents = drafts(data, program)
        people = [(m["first_name"] or "?", m["role"] or "other", m["birth_year"] or today.year, m["gender"])
                  for m in members]
        try:
            check_household(program.organisation_id, today, profile, people, requests, consents)
        except DomainError as error:
            family.domain(error, _FIELDS)
    return data


def drafts(data: dict, program: Program) -> tuple[MenteeDraft, list[RequestDraft], list[ConsentDraft]]:
    profile = MenteeDraft(postcode=data["postcode"], languages=data["languages"], interests=data["interests"],
                          availability=data["availability"], notes=data["notes"])
    referred_on = date.fromisoformat(data["referred_on"]) if data["referred_on"] else None
    requests = [RequestDraft(program=program, need=need, referred_on=referred_on, referred_by=data["referred_by"])
                for need in data["needs"]]
    consents = []
    if data["consent_given_by"]:
        consents.append(ConsentDraft(data["consent_given_by"], "self",
                                     date.fromisoformat(data["consent_given_on"]) if data["consent_given_on"] else None))
    return profile, requests, consents


# --- possible duplicates --------------------------------------------------------------------

def flag_duplicates(session: Session, batch: object, checks: list) -> None:
    """The same contact e-mail, or an adult of the same name at the same postcode, as a family
    already in Makker (or an earlier family of the file): every row of the family is flagged."""
    from models.imports.operations import Duplicate, _chunks

    org = batch.organisation_id
    families: dict[str, list] = {}
    for check in checks:
        if check.data.get("household"):
            families.setdefault(fold(check.data["household_key"]), []).append(check)
    emails = sorted({c[0].data["household"]["contact_email"] for c in families.values()
                     if c[0].data["household"]["contact_email"]})
    by_email: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(emails, 500):
        for household in session.exec(select(Household).where(
                Household.organisation_id == org, func.lower(Household.contact_email).in_(chunk),
                Household.anonymised_at.is_(None))):
            by_email.setdefault(household.contact_email.lower(), (household.id, household.family_name))
    postcodes = sorted({c[0].data["household"]["postcode"] for c in families.values()
                        if c[0].data["household"]["postcode"]})
    by_adult: dict[tuple[str, str], tuple[int, str]] = {}
    for chunk in _chunks(postcodes, 500):
        for member, household in session.exec(
                select(HouseholdMember, Household).join(Household, Household.id == HouseholdMember.household_id)
                .where(Household.organisation_id == org, Household.postcode.in_(chunk),
                       Household.anonymised_at.is_(None), HouseholdMember.role == "parent")):
            by_adult.setdefault((fold(member.first_name), household.postcode), (household.id, household.family_name))
    seen_email: dict[str, int] = {}
    seen_adult: dict[tuple[str, str], int] = {}
    for rows in families.values():
        family = rows[0].data["household"]
        adults = [(fold(c.data["first_name"]), family["postcode"]) for c in rows if c.data["role"] == "parent"]
        email = family["contact_email"]
        duplicate = None
        if email and email in by_email:
            duplicate = Duplicate("Household", *by_email[email], "email")
        elif found := next((by_adult[a] for a in adults if a in by_adult), None):
            duplicate = Duplicate("Household", *found, "name")
        elif email and email in seen_email:
            duplicate = Duplicate("Household", None, "", "row", row=seen_email[email])
        elif found := next((seen_adult[a] for a in adults if a in seen_adult), None):
            duplicate = Duplicate("Household", None, "", "row", row=found)
        for check in rows:
            check.duplicate = duplicate
        if email:
            seen_email.setdefault(email, rows[0].number)
        for adult in adults:
            seen_adult.setdefault(adult, rows[0].number)


# --- writing --------------------------------------------------------------------------------

def write(session: Session, batch: object, program: Program, organisation: Organisation, by: User,
          rows: list, today: date) -> tuple[list[dict], int]:
    """The families of the rows to import, with the members of those rows; (records, households)."""
    from models.imports.operations import IMPORTED_CONSENT_NOTE

    families: dict[str, list] = {}
    for row in rows:
        families.setdefault(fold(row.data["household_key"]), []).append(row)
    if any(under_15(r.data["birth_year"], today) for r in rows if r.data["role"] == "child"):
        # The programme gains the børneattest step: locked, so a settings save meanwhile waits.
        program = lock(session, Program, program.id)
    imported: list[dict] = []
    for members in families.values():
        data = members[0].data["household"]
        profile, requests, consents = drafts({**data, "needs": sorted({m.data["need"] for m in members
                                                                       if m.data["need"]}) or data["needs"]},
                                             program)
        household = Household(organisation_id=batch.organisation_id, family_name=data["family_name"],
                              contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                              contact_email=data["contact_email"], wishes=data["wishes"], postcode=data["postcode"],
                              languages=data["languages"], interests=data["interests"],
                              availability=data["availability"], notes=data["notes"])
        session.add(household)
        session.flush()
        for member in members:
            session.add(HouseholdMember(household_id=household.id, first_name=member.data["first_name"],
                                        role=member.data["role"], birth_year=member.data["birth_year"],
                                        gender=member.data["gender"]))
        for draft in consents:
            record = record_consent(session, by.id, batch.organisation_id, organisation.kind, "household",
                                    household.id, draft, today)
            record.purpose = f"{record.purpose}:{IMPORTED_CONSENT_NOTE}"
        imported.append({"record_type": "Household", "record_id": household.id})
        created = [new_request(draft, batch.organisation_id, by, today, household_id=household.id)
                   for draft in requests]
        session.add_all(created)
        if any(under_15(m.data["birth_year"], today) for m in members if m.data["role"] == "child"):
            require_certificate(session, program, by.id, "household with a child under 15")
        session.flush()
        imported += [{"record_type": "Request", "record_id": r.id, "version": r.version} for r in created]
    return imported, len(families)


def delete_households(session: Session, household_ids: list[int]) -> None:
    """Undo: the families the import created, with their members and consents (requests first)."""
    if not household_ids:
        return
    requests = list(session.exec(select(Request.id).where(Request.household_id.in_(household_ids))))
    if requests:
        session.exec(delete(WaitingReason).where(WaitingReason.request_id.in_(requests)))
        session.exec(delete(Request).where(Request.id.in_(requests)))
    session.exec(delete(ConsentRecord).where(ConsentRecord.subject_type == "household",
                                             ConsentRecord.subject_id.in_(household_ids)))
    session.exec(delete(HouseholdMember).where(HouseholdMember.household_id.in_(household_ids)))
    session.exec(delete(Household).where(Household.id.in_(household_ids)))
