"""Importing a spreadsheet: upload, map, check every row, import all or nothing, undo.

Every row is checked with the domain's own rules (``signup.check_details`` for volunteers,
``intake.check_youth`` for youths: postcode, age for the programme, consent) plus the format
of each cell; the job re-checks the same way right before it writes, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from types import SimpleNamespace

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, insert, update
from sqlmodel import Session, select

from matching.profiles import ALL_SLOTS
from models.audit import AuditEvent, record_audit
from models.clock import utcnow
from models.consent import CONSENT_VERSION, ConsentDraft, ConsentRecord, record_consent
from models.emails import compose
from models.errors import N_, Conflict, DomainError, NotFound
from models.imports import households, pairs
from models.imports.fields import FIELDS, field_map, suggest_columns
from models.imports.reading import FORMULA, read_sheet
from models.imports.tables import ImportBatch, ImportedRecord, ImportMapping
from models.imports.values import (
    distinct_values,
    fold,
    lookup,
    map_list,
    parse_availability,
    parse_date,
    parse_int,
)
from models.intake import MenteeDraft, RequestDraft, check_youth, new_request
from models.matches import Match
from models.matchruns import Proposal, WaitingReason
from models.members.operations import add_first_memberships, drop_memberships, join_by_import
from models.members.tables import Membership
from models.mentees import Household, Request, Youth
from models.organisations import Organisation, Program
from models.outbox import OutboxMessage
from models.signup import VolunteerDetails, check_details, volunteer_consent_text
from models.users import User, check_password_strength, hash_password, normalise_email
from models.volunteers import ScreeningStep, Volunteer
from models.writes import begin_write, claim_submission, lock, lock_all, note_result, shared_write

UNDO_DAYS = 7
DECISIONS = ("import", "skip", "merge")
IMPORTED_CONSENT_NOTE = "imported"  # purpose suffix: consent as the file stated it, to be confirmed
DEFAULT_LANGUAGES = {"da": 3}
DONE = N_("This import has already been done.")


@dataclass
class CellError:
    column: str  # the header of the column (or the field's name when the file has no such column)
    msgid: str
    params: dict = field(default_factory=dict)
    value: str = ""


@dataclass
class Duplicate:
    record_type: str
    record_id: int | None  # None: an earlier row of the same file
    name: str
    reason: str  # "email" | "name" | "row"
    row: int | None = None
    email: bool = False  # same e-mail: importing it as a new person is impossible


@dataclass
class RowCheck:
    number: int  # the row number in the spreadsheet (the header is row 1)
    name: str
    errors: list[CellError] = field(default_factory=list)
    duplicate: Duplicate | None = None
    data: dict = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        return bool(self.errors or self.duplicate)


@dataclass
class Preview:
    rows: list[RowCheck]
    unknown: dict[str, list[str]]  # field -> values nobody has mapped
    missing: list[str]  # required fields no column is mapped to
    defaults: list[str]  # fields not in the file that get a default

    @property
    def error_rows(self) -> list[RowCheck]:
        return [r for r in self.rows if r.errors]

    @property
    def duplicate_rows(self) -> list[RowCheck]:
        return [r for r in self.rows if r.duplicate and not r.errors]

    @property
    def flagged(self) -> list[RowCheck]:
        return [r for r in self.rows if r.flagged]


REQUIRED = {
    "volunteers": ("first_name", "last_name", "email", "birth_year", "gender", "postcode"),
    "youths": ("first_name", "last_name", "birth_year", "gender", "postcode"),
    "households": ("household_key", "member_name", "role", "birth_year", "postcode"),
    "pairs": ("started_on",),
}


# --- upload and mapping ---------------------------------------------------------------------

def saved_mappings(session: Session, organisation_id: int, kind: str) -> list[ImportMapping]:
    return list(session.exec(select(ImportMapping).where(ImportMapping.organisation_id == organisation_id,
                                                         ImportMapping.kind == kind).order_by(ImportMapping.name)))


def _program(session: Session, by: User, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None or program.organisation_id != by.organisation_id:
        raise DomainError(N_("Choose one of your own programs."), field="program")
    return program


def prepare(session: Session, by: User, program_id: int, kind: str, file_name: str, data: bytes,
            mapping_name: str | None = None) -> ImportBatch:
    """The file read into a batch with its suggested (or saved) mapping, not stored: a dry run
    checks it and leaves nothing behind."""
    if kind not in FIELDS:
        raise DomainError(N_("Choose what the file holds."), field="kind")
    program = _program(session, by, program_id)
    if kind == "youths" and program.serves == "family":
        raise DomainError(N_("%(program)s is for families, not youths."), field="program", program=program.name)
    if kind == "households" and program.serves == "youth":
        raise DomainError(N_("%(program)s is for youths, not families."), field="program", program=program.name)
    saved = None
    if mapping_name:
        saved = session.exec(select(ImportMapping).where(ImportMapping.organisation_id == by.organisation_id,
                                                         ImportMapping.kind == kind,
                                                         ImportMapping.name == mapping_name)).first()
        if saved is None:
            raise DomainError(N_("There is no saved mapping called %(name)s."), field="mapping", name=mapping_name)
    sheet = read_sheet(file_name, data)
    return ImportBatch(organisation_id=by.organisation_id, program_id=program.id, kind=kind,
                       file_name=(file_name or "upload")[-255:], sha256=sheet.sha256, headers=sheet.headers,
                       rows=sheet.rows, columns=suggest_columns(kind, sheet.headers, saved.columns if saved else None),
                       values=dict(saved.values) if saved else {}, created_by_id=by.id)


def upload(session: Session, by: User, program_id: int, kind: str, file_name: str, data: bytes,
           mapping_name: str | None = None) -> ImportBatch:
    """Read the file and keep its cells on a new batch with a suggested mapping; nothing else."""
    batch = prepare(session, by, program_id, kind, file_name, data, mapping_name)
    begin_write(session)
    session.add(batch)
    session.flush()
    record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="create",
                 record_type="ImportBatch", record_id=batch.id,
                 detail={"file": batch.file_name, "sha256": batch.sha256, "rows": len(batch.rows), "import_kind": kind})
    session.commit()
    return batch


def get_batch(session: Session, by: User, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.organisation_id != by.organisation_id:
        raise NotFound(N_("There is no such import."))
    return batch


def _editable(batch: ImportBatch) -> None:
    if batch.status != "uploaded":
        raise Conflict(N_("This import has started already: its mapping can no longer be changed."))


def set_mapping(session: Session, by: User, batch_id: int, columns: dict[str, str],
                values: dict[str, dict[str, str]], save_as: str = "") -> ImportBatch:
    """The person's choice of field per column and code per value; optionally saved by name."""
    begin_write(session)
    batch = get_batch(session, by, batch_id)
    _editable(batch)
    known = field_map(batch.kind)
    chosen: dict[str, str] = {}
    for index, key in columns.items():
        if not key:
            continue
        if key not in known or not (0 <= int(index) < len(batch.headers)):
            raise DomainError(N_("Choose a field from the list."), field=f"col_{index}")
        if key in chosen.values():
            raise DomainError(N_("Two columns are mapped to the same field: choose it for one column only."),
                              field=f"col_{index}")
        chosen[str(index)] = key
    cleaned: dict[str, dict[str, str]] = {}
    for key, mapping in values.items():
        if key in known and known[key].vocabulary:
            cleaned[key] = {fold(raw): code for raw, code in mapping.items() if code is not None}
    batch.columns = chosen
    batch.values = cleaned
    session.add(batch)
    name = (save_as or "").strip()[:100]
    if name:
        saved = session.exec(select(ImportMapping).where(ImportMapping.organisation_id == by.organisation_id,
                                                         ImportMapping.kind == batch.kind,
                                                         ImportMapping.name == name)).first()
        saved = saved or ImportMapping(organisation_id=by.organisation_id, kind=batch.kind, name=name,
                                       created_by_id=by.id)
        saved.columns = {batch.headers[int(i)]: key for i, key in chosen.items()}
        saved.values = cleaned
        saved.updated_at = utcnow()
        session.add(saved)
    session.commit()
    return batch


def value_questions(batch: ImportBatch) -> dict[str, list[tuple[str, str | None]]]:
    """Per vocabulary field: each distinct value of its column with the code it maps to now."""
    known = field_map(batch.kind)
    out: dict[str, list[tuple[str, str | None]]] = {}
    for index, key in batch.columns.items():
        vocabulary = known[key].vocabulary
        if not vocabulary:
            continue
        cells = [row[int(index)] for row in batch.rows]
        mapping = batch.values.get(key)
        out[key] = [(value, lookup(vocabulary, value, mapping)) for value in distinct_values(vocabulary, cells)]
    return out


# --- checking every row ---------------------------------------------------------------------

def _cells(batch: ImportBatch, row: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """{field: text} of one row and {field: header} of the columns used."""
    values: dict[str, str] = {}
    headers: dict[str, str] = {}
    for index, key in batch.columns.items():
        values[key] = row[int(index)] if int(index) < len(row) else ""
        headers[key] = batch.headers[int(index)]
    return values, headers


class _Row:
    """Collects one row's parsed values and its errors per column."""

    def __init__(self, batch: ImportBatch, raw: list[str]) -> None:
        self.cells, self.headers = _cells(batch, raw)
        self.errors: list[CellError] = []
        self.batch = batch
        for key, text in self.cells.items():
            if text.startswith(FORMULA):
                self.error(key, N_("The cell holds a formula (%(formula)s). Type the value itself instead."),
                           formula=text.removeprefix(FORMULA)[:60])
                self.cells[key] = ""

    def error(self, key: str, msgid: str, **params: object) -> None:
        self.errors.append(CellError(self.headers.get(key, key), msgid, dict(params), self.cells.get(key, "")[:200]))

    def text(self, key: str, limit: int) -> str:
        value = self.cells.get(key, "").strip()
        if len(value) > limit:
            self.error(key, N_("At most %(max)s characters."), max=limit)
            return value[:limit]
        return value

    def required(self, key: str) -> None:
        if key in self.cells and not self.cells[key].strip():
            self.error(key, N_("This field is required."))

    def year(self) -> int | None:
        if self.cells.get("birth_year", "").strip():
            year = parse_int(self.cells["birth_year"])
            if year is None:
                parsed = parse_date(self.cells["birth_year"])
                year = parsed.year if parsed else None
            if year is None or not 1900 <= year <= 2100:
                self.error("birth_year", N_("Write the year as four digits, e.g. 1985."))
                return None
            return year
        if self.cells.get("birth_date", "").strip():
            parsed = parse_date(self.cells["birth_date"])
            if parsed is None:
                self.error("birth_date", N_("Write the date as dd-mm-yyyy."))
                return None
            return parsed.year
        self.error("birth_year" if "birth_year" in self.cells else "birth_date", N_("This field is required."))
        return None

    def date(self, key: str) -> date | None:
        text = self.cells.get(key, "").strip()
        if not text:
            return None
        parsed = parse_date(text)
        if parsed is None:
            self.error(key, N_("Write the date as dd-mm-yyyy."))
        return parsed

    def code(self, key: str) -> str | None:
        text = self.cells.get(key, "").strip()
        if not text:
            return None
        vocabulary = field_map(self.batch.kind)[key].vocabulary
        code = lookup(vocabulary, text, self.batch.values.get(key))
        if code is None:
            self.error(key, N_("Unknown value \"%(value)s\": choose what it means under \"Values\"."), value=text)
        return code or None

    def codes(self, key: str) -> list[str] | dict[str, int] | None:
        if key not in self.cells:
            return None
        vocabulary = field_map(self.batch.kind)[key].vocabulary
        codes, unknown = map_list(vocabulary, self.cells[key], self.batch.values.get(key))
        for value in unknown:
            self.error(key, N_("Unknown value \"%(value)s\": choose what it means under \"Values\"."), value=value)
        return codes

    def names(self) -> tuple[str, str]:
        first, last = self.text("first_name", 100), self.text("last_name", 100)
        if not (first or last) and self.cells.get("name", "").strip():
            parts = self.cells["name"].strip().split()
            first, last = " ".join(parts[:-1]) or parts[0], parts[-1] if len(parts) > 1 else ""
            if len(first) > 100 or len(last) > 100:
                self.error("name", N_("At most %(max)s characters."), max=100)
        return first, last

    def domain(self, error: DomainError, fields: dict[str, str] | None = None) -> None:
        key = (fields or {}).get(error.field or "", error.field or "")
        self.errors.append(CellError(self.headers.get(key, key), error.msgid, dict(error.params),
                                     self.cells.get(key, "")[:200]))


def _name_required(row: _Row, first: str, last: str) -> None:
    if not first:
        row.errors.append(CellError(row.headers.get("first_name") or row.headers.get("name") or "first_name",
                                    N_("This field is required."), {}, ""))
    if not last:
        row.errors.append(CellError(row.headers.get("last_name") or row.headers.get("name") or "last_name",
                                    N_("This field is required."), {}, ""))


def _check_volunteer(row: _Row, program: Program, today: date) -> dict:
    first, last = row.names()
    _name_required(row, first, last)
    email = ""
    raw_email = row.text("email", 254)
    if not raw_email:
        row.error("email", N_("This field is required."))
    else:
        try:
            email = normalise_email(validate_email(raw_email, check_deliverability=False).normalized)
        except EmailNotValidError:
            row.error("email", N_("Write a valid e-mail address, e.g. navn@example.dk."))
    year = row.year()
    gender = row.code("gender")
    if gender is None and not row.cells.get("gender", "").strip():
        row.error("gender", N_("This field is required."))
    postcode = row.text("postcode", 4) if "postcode" in row.cells else ""
    if not postcode:
        row.error("postcode", N_("This field is required."))
    interests = row.codes("interests")
    languages = row.codes("languages")
    availability = ALL_SLOTS
    if "availability" in row.cells:
        availability = parse_availability(row.cells["availability"])
        if availability is None:
            row.error("availability", N_("Write weekdays and times of day, e.g. \"hverdage aften\" or \"lør, søn\"."))
            availability = ALL_SLOTS
    status = (row.code("status") or "screening") if "status" in row.cells else "screening"
    pool_since = row.date("pool_since")
    capacity = 1
    if row.cells.get("capacity", "").strip():
        capacity = parse_int(row.cells["capacity"]) or 0
        if not 1 <= capacity <= 5:
            row.error("capacity", N_("Write a number from %(min)s to %(max)s."), min=1, max=5)
            capacity = 1
    data = {"first_name": first, "last_name": last, "email": email, "phone": row.text("phone", 30),
            "birth_year": year, "gender": gender, "postcode": postcode, "interests": interests or [],
            "languages": languages if languages is not None else dict(DEFAULT_LANGUAGES),
            "availability": availability, "status": status, "pool_since": pool_since.isoformat() if pool_since else None,
            "capacity": capacity, "experience_text": row.text("experience_text", 2000),
            "motivation": row.text("motivation", 2000)}
    if year is not None and postcode and not row.errors:
        try:
            check_details(_details(data), today)
        except DomainError as error:
            row.domain(error)
    return data


def _details(data: dict) -> VolunteerDetails:
    return VolunteerDetails(first_name=data["first_name"], last_name=data["last_name"], phone=data["phone"],
                            birth_year=data["birth_year"], gender=data["gender"], postcode=data["postcode"],
                            languages=data["languages"], interests=data["interests"],
                            availability=data["availability"], capacity=data["capacity"],
                            experience_text=data["experience_text"], motivation=data["motivation"])


_YOUTH_FIELDS = {"consent_given_by": "consent_given_by", "consent_relation": "consent_relation",
                 "consent_given_on": "consent_given_on", "program": "need"}


def _youth_drafts(data: dict, program: Program, today: date) -> tuple[MenteeDraft, RequestDraft, list[ConsentDraft]]:
    profile = MenteeDraft(postcode=data["postcode"], languages=data["languages"], interests=data["interests"],
                          availability=data["availability"], notes=data["notes"])
    request = RequestDraft(program=program, need=data["need"], complexity=int(data["complexity"]),
                           complexity_reason=data["complexity_reason"],
                           referred_on=date.fromisoformat(data["referred_on"]) if data["referred_on"] else None,
                           referred_by=data["referred_by"])
    consents = []
    if data["consent_given_by"]:
        consents.append(ConsentDraft(data["consent_given_by"], data["consent_relation"] or "guardian",
                                     date.fromisoformat(data["consent_given_on"]) if data["consent_given_on"] else None))
    return profile, request, consents


def _check_youth_row(row: _Row, program: Program, today: date) -> dict:
    first, last = row.names()
    _name_required(row, first, last)
    year = row.year()
    gender = row.code("gender")
    if gender is None and not row.cells.get("gender", "").strip():
        row.error("gender", N_("This field is required."))
    postcode = row.text("postcode", 4)
    if not postcode:
        row.error("postcode", N_("This field is required."))
    guardian_email = row.text("guardian_email", 254)
    if guardian_email:
        try:
            guardian_email = validate_email(guardian_email, check_deliverability=False).normalized
        except EmailNotValidError:
            row.error("guardian_email", N_("Write a valid e-mail address, e.g. navn@example.dk."))
    availability = 0
    if row.cells.get("availability", "").strip():
        availability = parse_availability(row.cells["availability"])
        if availability is None:
            row.error("availability", N_("Write weekdays and times of day, e.g. \"hverdage aften\" or \"lør, søn\"."))
            availability = 0
    referred_on = row.date("referred_on")
    consent_on = row.date("consent_given_on")
    languages = row.codes("languages")
    complexity = row.code("complexity") or "0"
    data = {"first_name": first, "last_name": last, "birth_year": year, "gender": gender, "postcode": postcode,
            "interests": row.codes("interests") or [],
            "languages": languages if languages is not None else dict(DEFAULT_LANGUAGES),
            "availability": availability, "notes": row.text("notes", 4000),
            "guardian_name": row.text("guardian_name", 200), "guardian_phone": row.text("guardian_phone", 30),
            "guardian_email": guardian_email, "school": row.text("school", 200),
            "need": row.text("need", 200) or "Mentor", "complexity": complexity,
            # a high complexity needs its reason (coordinators only): the file's notes say why
            "complexity_reason": row.text("notes", 2000) if int(complexity) >= 2 else "",
            "referred_on": referred_on.isoformat() if referred_on else None,
            "referred_by": row.text("referred_by", 200),
            "consent_given_by": row.text("consent_given_by", 200), "consent_relation": row.code("consent_relation"),
            "consent_given_on": consent_on.isoformat() if consent_on else None}
    if year is not None and postcode and not row.errors:
        profile, request, consents = _youth_drafts(data, program, today)
        try:
            check_youth(program.organisation_id, today, year, profile, request, consents)
        except DomainError as error:
            row.domain(error, _YOUTH_FIELDS)
    return data


def _duplicates(session: Session, batch: ImportBatch, checks: list[RowCheck]) -> None:
    """Flag rows that are probably someone already in Makker, or an earlier row of the file."""
    org = batch.organisation_id
    if batch.kind == "households":
        households.flag_duplicates(session, batch, checks)
        return
    if batch.kind == "pairs":
        return  # a pair twice is an error of its own (the request is matched already)
    if batch.kind == "volunteers":
        emails = {c.data["email"] for c in checks if c.data.get("email")}
        known: dict[str, tuple[str, int | None, str]] = {}
        for chunk in _chunks(sorted(emails), 500):
            for v in session.exec(select(Volunteer).where(Volunteer.email.in_(chunk),
                                                          Volunteer.anonymised_at.is_(None))):
                if v.organisation_id == org:
                    known[v.email] = ("Volunteer", v.id, f"{v.first_name} {v.last_name}")
            for u in session.exec(select(User).where(User.email.in_(chunk))):
                known.setdefault(u.email, ("User", None, u.name) if u.organisation_id == org else ("other", None, ""))
        people = _by_name(session, Volunteer, org, checks)
        seen: dict[str, int] = {}
        for check in checks:
            email = check.data.get("email")
            if email and email in known:
                kind, record_id, name = known[email]
                if kind == "Volunteer":
                    check.duplicate = Duplicate("Volunteer", record_id, name, "email", email=True)
                else:
                    check.errors.append(CellError(_header(batch, "email"), N_(
                        "This e-mail already belongs to an account in Makker. Skip the row or write another address."),
                        {}, email))
            elif email and email in seen:
                check.errors.append(CellError(_header(batch, "email"), N_("Row %(row)s has the same e-mail."),
                                              {"row": seen[email]}, email))
            elif (key := _name_key(check.data)) in people:
                record_id, name = people[key]
                check.duplicate = Duplicate("Volunteer", record_id, name, "name")
            if email:
                seen.setdefault(email, check.number)
    else:
        people = _by_name(session, Youth, org, checks)
        seen_names: dict[tuple, int] = {}
        for check in checks:
            key = _name_key(check.data)
            if key in people:
                record_id, name = people[key]
                check.duplicate = Duplicate("Youth", record_id, name, "name")
            elif key in seen_names:
                check.duplicate = Duplicate("Youth", None, "", "row", row=seen_names[key])
            seen_names.setdefault(key, check.number)


def _header(batch: ImportBatch, key: str) -> str:
    for index, chosen in batch.columns.items():
        if chosen == key:
            return batch.headers[int(index)]
    return key


def _name_key(data: dict) -> tuple:
    return (fold(data.get("first_name") or ""), fold(data.get("last_name") or ""), data.get("birth_year"),
            (data.get("postcode") or "").strip())


def _by_name(session: Session, model: type, organisation_id: int, checks: list[RowCheck]) -> dict[tuple, tuple]:
    postcodes = sorted({c.data.get("postcode") for c in checks if c.data.get("postcode")})
    out = {}
    for chunk in _chunks(postcodes, 500):
        for person in session.exec(select(model).where(model.organisation_id == organisation_id,
                                                       model.postcode.in_(chunk), model.anonymised_at.is_(None))):
            key = (fold(person.first_name), fold(person.last_name), person.birth_year, person.postcode)
            out.setdefault(key, (person.id, f"{person.first_name} {person.last_name}"))
    return out


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or []


def check_batch(session: Session, batch: ImportBatch, today: date, duplicates: bool = True,
                progress: Callable[[int], None] | None = None, progress_every: int = 500) -> Preview:
    """Every row checked as the forms check it, with duplicates flagged (unless the caller
    flags them itself, under its lock); writes nothing. ``progress(rows done)`` every so often."""
    program = session.get(Program, batch.program_id)
    chosen = set(batch.columns.values())
    missing = [key for key in REQUIRED[batch.kind] if key not in chosen
               and not (key in ("first_name", "last_name") and "name" in chosen)
               and not (key == "birth_year" and "birth_date" in chosen)]
    defaults = [key for key in ("languages", "availability") if key not in chosen]
    checks = []
    if batch.kind == "households":
        checks = households.check_rows(batch, program, today)
    elif batch.kind == "pairs":
        checks = pairs.check_rows(session, batch, program, today) if not missing else []
    checker = _check_volunteer if batch.kind == "volunteers" else _check_youth_row
    for number, raw in enumerate(batch.rows if batch.kind in ("volunteers", "youths") else [], start=2):
        row = _Row(batch, raw)
        data = checker(row, program, today)
        checks.append(RowCheck(number, f"{data.get('first_name') or ''} {data.get('last_name') or ''}".strip(),
                               row.errors, None, data))
        if progress is not None and len(checks) % progress_every == 0:
            progress(len(checks))
    if progress is not None:
        progress(len(checks))
    if not missing and duplicates:
        _duplicates(session, batch, checks)
    unknown = {key: [value for value, code in pairs if code is None]
               for key, pairs in value_questions(batch).items()}
    return Preview(checks, {k: v for k, v in unknown.items() if v}, missing, defaults)


# --- decisions and starting -----------------------------------------------------------------

def decide(session: Session, by: User, batch_id: int, decisions: dict[int, str], skip_errors: bool = False,
           today: date | None = None) -> ImportBatch:
    """Record merge / skip / import for flagged rows (and, on request, skip every row with errors)."""
    batch = get_batch(session, by, batch_id)
    _editable(batch)
    skipped = [row.number for row in check_batch(session, batch, today).error_rows] \
        if skip_errors and today is not None else []
    begin_write(session)
    batch = lock(session, ImportBatch, batch_id)
    _editable(batch)
    merged = dict(batch.decisions)
    for number, choice in decisions.items():
        if choice in DECISIONS:
            merged[str(number)] = choice
    for number in skipped:
        merged[str(number)] = "skip"
    batch.decisions = merged
    session.add(batch)
    session.commit()
    return batch


def _plan(batch: ImportBatch, preview: Preview) -> list[tuple[RowCheck, str]]:
    """What happens to each row, or the DomainError that says what must be decided first."""
    if preview.missing:
        raise DomainError(N_("Choose a column for every required field first."), field="columns")
    plan = []
    undecided = 0
    for row in preview.rows:
        choice = batch.decisions.get(str(row.number))
        if row.errors:
            if choice != "skip":
                undecided += 1
            plan.append((row, "skip"))
        elif row.duplicate:
            if choice not in DECISIONS or (choice == "import" and row.duplicate.email) \
                    or (choice == "merge" and (row.duplicate.record_id is None
                                               or row.duplicate.record_type == "Household")):
                undecided += 1
            plan.append((row, choice or "skip"))
        else:
            plan.append((row, "skip" if choice == "skip" else "import"))
    if undecided:
        raise DomainError(N_("%(n)s rows still need a choice: skip the rows with errors, and merge, skip or import "
                             "each possible duplicate."), field="decisions", n=undecided)
    if not any(choice in ("import", "merge") for _row, choice in plan):
        raise DomainError(N_("No row is left to import."), field="decisions")
    return plan


def start_import(session: Session, by: User, batch_id: int, today: date) -> ImportBatch:
    """Check that every flagged row has its choice, then queue the job (status queued)."""
    batch = get_batch(session, by, batch_id)
    _editable(batch)
    _plan(batch, check_batch(session, batch, today))
    begin_write(session)
    moved = session.exec(update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "uploaded")
                         .values(status="queued", queued_at=utcnow(), progress=0, error=""))
    session.commit()
    if moved.rowcount != 1:
        raise Conflict(N_("This import has started already: its mapping can no longer be changed."))
    session.refresh(batch)
    return batch


# --- the job: all or nothing ----------------------------------------------------------------

@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    merged: int = 0
    skipped: int = 0


def run_import(session: Session, batch_id: int, today: date, link_for: Callable[[User], str],
               progress_every: int = 500) -> ImportResult | None:
    """The job: claim the batch, check again, write every row in ONE transaction.

    A failure rolls everything back and marks the batch failed with the reason; a second
    delivery of the same job finds nothing to claim and does nothing.
    """
    begin_write(session)
    claimed = session.exec(update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == "queued")
                           .values(status="running", progress=0))
    session.commit()
    if claimed.rowcount != 1:
        return None
    batch = session.get(ImportBatch, batch_id)
    try:
        # Every row's cells checked once, outside the write (the page shows rows done of all)...
        preview = check_batch(session, batch, today, duplicates=False,
                              progress=lambda done: _note_progress(session, batch_id, done),
                              progress_every=progress_every)
        begin_write(session)
        # ... then, under the organisation's lock, who is in Makker already (a second import
        # of the same people waits here and finds them), the choices, and the writes.
        lock(session, Organisation, batch.organisation_id)
        batch = session.get(ImportBatch, batch_id)
        if not preview.missing:
            _duplicates(session, batch, preview.rows)
        plan = _plan(batch, preview)
        result = _write(session, batch, plan, today, link_for)
        batch = session.get(ImportBatch, batch_id)
        batch.status, batch.progress, batch.finished_at = "done", len(plan), utcnow()
        batch.result = {"created": result.created, "merged": result.merged, "skipped": result.skipped}
        session.add(batch)
        record_audit(session, organisation_id=batch.organisation_id, user_id=batch.created_by_id, action="create",
                     record_type="ImportBatch", record_id=batch.id,
                     detail={"file": batch.file_name, "sha256": batch.sha256,
                             "volunteers": result.created.get("Volunteer", 0), "youths": result.created.get("Youth", 0),
                             "households": result.created.get("Household", 0), "pairs": result.created.get("Match", 0),
                             "merged": result.merged, "skipped": result.skipped})
        session.commit()
        return result
    except Exception as error:  # noqa: BLE001 - every failure leaves nothing and says why
        session.rollback()
        begin_write(session)
        message = error.message if isinstance(error, DomainError) else N_(
            "The import stopped on an unexpected error; nothing was imported.")
        said = {"error": {"msgid": error.msgid, "params": {k: v for k, v in error.params.items()
                                                           if isinstance(v, str | int)}}} \
            if isinstance(error, DomainError) else {}
        session.exec(update(ImportBatch).where(ImportBatch.id == batch_id)
                     .values(status="failed", error=message[:2000], finished_at=utcnow(), result=said))
        session.commit()
        if not isinstance(error, DomainError):
            raise
        return None


def _note_progress(session: Session, batch_id: int, done: int) -> None:
    """Rows checked so far, committed on a connection of its own: the job's session is not in a
    write transaction yet, and the page that polls reads this."""
    with Session(session.get_bind()) as side:
        begin_write(side)
        side.exec(update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == "running")
                  .values(progress=done))
        side.commit()


def _defaults(model: type) -> dict:
    """Every column's default, so that a bulk insert writes what one ORM object would."""
    out = {}
    for name, info in model.model_fields.items():
        if name == "id":
            continue
        value = info.get_default(call_default_factory=True)
        if value is not None or info.is_required() is False:
            out[name] = value
    return out


def _bulk(session: Session, model: type, rows: list[dict]) -> list[int]:
    """INSERT ... RETURNING id for many rows in one statement per chunk (no ORM objects: building
    ten thousand of them costs more than the database does)."""
    if not rows:
        return []
    template = _defaults(model)
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    # PostgreSQL: pages of 50 rows, one short statement text that psycopg parses once and reuses
    # (a 1,000-row statement is re-parsed every time and costs more than the insert itself).
    # SQLite parses nothing remotely: fewer, longer statements are cheaper (profiled, bench).
    page = 50 if session.get_bind().dialect.name == "postgresql" else 400
    return list(session.scalars(stmt, [{**template, **row} for row in rows],
                                execution_options={"insertmanyvalues_page_size": page}))


def _bulk_plain(session: Session, model: type, rows: list[dict]) -> None:
    """Many rows whose ids nobody needs (the import's records, the audit lines): a plain
    executemany, no RETURNING to page through."""
    if rows:
        template = _defaults(model)
        session.execute(insert(model), [{**template, **row} for row in rows])


def _write(session: Session, batch: ImportBatch, plan: list[tuple[RowCheck, str]], today: date,
           link_for: Callable[[User], str]) -> ImportResult:
    program = session.get(Program, batch.program_id)
    organisation = session.get(Organisation, batch.organisation_id)
    by = session.get(User, batch.created_by_id)
    result = ImportResult(skipped=sum(1 for _row, choice in plan if choice == "skip"))
    imported: list[dict] = []
    # Merges lock their existing people: by ascending id, the house's lock order.
    for row, _choice in sorted(((r, c) for r, c in plan if c == "merge"), key=lambda rc: rc[0].duplicate.record_id):
        record = _merge(session, batch, row)
        imported.append({"record_type": record.record_type, "record_id": record.record_id, "created": False,
                         "version": record.version, "before": record.before})
        result.merged += 1
        if record.record_type == "Volunteer":
            # Merged into an import for this programme: the person gets a place in it.
            member = join_by_import(session, session.get(Volunteer, record.record_id), program,
                                    row.data.get("capacity") or 1, today)
            if member is not None:
                imported.append({"record_type": "Membership", "record_id": member.id})
    session.flush()
    new_rows = [row for row, choice in plan if choice == "import"]
    if batch.kind == "volunteers":
        for chunk in _chunks(new_rows, 1000):
            for _user, volunteer_id in _new_volunteers(session, batch, program, organisation, [r.data for r in chunk],
                                                      today, link_for):
                imported.append({"record_type": "Volunteer", "record_id": volunteer_id})
        if new_rows:
            result.created["Volunteer"] = len(new_rows)
    elif batch.kind == "households":
        records, families = households.write(session, batch, program, organisation, by, new_rows, today)
        imported += records
        if families:
            result.created["Household"] = families
            result.created["HouseholdMember"] = len(new_rows)
    elif batch.kind == "pairs":
        imported += pairs.write(session, batch, program, new_rows, today)
        if new_rows:
            result.created["Match"] = len(new_rows)
    else:
        for row in new_rows:
            youth, request = _new_youth(session, batch, program, organisation, by, row.data, today)
            imported.append({"record_type": "Youth", "record_id": youth.id})
            imported.append({"record_type": "Request", "record_id": request.id, "version": request.version})
        session.flush()
        if new_rows:
            result.created["Youth"] = len(new_rows)
    for chunk in _chunks(imported, 1000):
        _bulk_plain(session, ImportedRecord, [{"batch_id": batch.id, "organisation_id": batch.organisation_id, **r}
                                        for r in chunk])
        _bulk_plain(session, AuditEvent, [{"organisation_id": batch.organisation_id, "user_id": batch.created_by_id,
                                     "action": "create", "record_type": r["record_type"], "record_id": r["record_id"],
                                     "detail": {"import_batch": batch.id}, "at": utcnow()}
                                    for r in chunk if r.get("created", True)])
    return result


def _new_volunteers(session: Session, batch: ImportBatch, program: Program, organisation: Organisation,
                    rows: list[dict], today: date, link_for: Callable[[User], str]) -> list[tuple[object, int]]:
    """Accounts (no password until they confirm), profiles and welcome e-mails of checked rows,
    as the file says: "approved" rows wait in the pool from the file's date, others are screened."""
    now = utcnow()
    user_ids = _bulk(session, User, [{"organisation_id": batch.organisation_id, "email": d["email"],
                                      "name": f"{d['first_name']} {d['last_name']}", "role": "volunteer",
                                      "password_hash": "", "phone": d["phone"], "locale": "da", "created_at": now}
                                     for d in rows])
    profiles = []
    for user_id, data in zip(user_ids, rows, strict=True):
        approved = data["status"] == "approved"
        pool_since = (date.fromisoformat(data["pool_since"]) if data["pool_since"] else today) if approved else None
        profiles.append({**vars(_details(data)), "organisation_id": batch.organisation_id, "program_id": program.id,
                         "user_id": user_id, "email": data["email"], "status": data["status"],
                         "approved_at": now if approved else None, "pool_since": pool_since, "created_at": now})
    volunteer_ids = _bulk(session, Volunteer, profiles)
    add_first_memberships(session, volunteer_ids, today)  # written in bulk: the per-row hook does not run
    steps = [{"volunteer_id": v_id, "step": step, "status": "pending"}
             for v_id, p in zip(volunteer_ids, profiles, strict=True) if p["status"] != "approved"
             for step in program.required_steps]
    if steps:
        session.execute(insert(ScreeningStep), [{**_defaults(ScreeningStep), **step} for step in steps])
    users = []
    mails = []
    for user_id, data in zip(user_ids, rows, strict=True):
        # A plain object for the link (its token signs the id and the empty password).
        user = SimpleNamespace(id=user_id, email=data["email"], password_hash="")
        users.append(user)
        subject, body = compose("import_welcome", "da", name=data["first_name"], program=program.name,
                                organisation=organisation.name, link=link_for(user))
        # No dedupe key: the users are new in this transaction, and the job writes once.
        mails.append({"organisation_id": batch.organisation_id, "to_email": data["email"], "subject": subject,
                      "body": body, "kind": "import_welcome", "created_at": now})
    _bulk_plain(session, OutboxMessage, mails)
    return list(zip(users, volunteer_ids, strict=True))


def _new_youth(session: Session, batch: ImportBatch, program: Program, organisation: Organisation, by: User,
               data: dict, today: date) -> tuple[Youth, Request]:
    profile, request_draft, consents = _youth_drafts(data, program, today)
    youth = Youth(organisation_id=batch.organisation_id, first_name=data["first_name"], last_name=data["last_name"],
                  birth_year=data["birth_year"], gender=data["gender"], postcode=data["postcode"],
                  languages=data["languages"], interests=data["interests"], availability=data["availability"],
                  notes=data["notes"], guardian_name=data["guardian_name"], guardian_phone=data["guardian_phone"],
                  guardian_email=data["guardian_email"], school=data["school"])
    session.add(youth)
    session.flush()
    age = today.year - data["birth_year"]
    for draft in consents:
        record = record_consent(session, by.id, batch.organisation_id, organisation.kind, "youth", youth.id, draft,
                                today, age=age)
        record.purpose = f"{record.purpose}:{IMPORTED_CONSENT_NOTE}"
        session.add(record)
    request = new_request(request_draft, batch.organisation_id, by, today, youth_id=youth.id)
    session.add(request)
    session.flush()
    return youth, request


_MERGE_FIELDS = {"Volunteer": ("phone", "interests_text", "experience_text", "motivation"),
                 "Youth": ("guardian_name", "guardian_phone", "guardian_email", "school", "notes")}


def _merge(session: Session, batch: ImportBatch, row: RowCheck) -> ImportedRecord:
    """Fill what the existing record lacks from the row (never overwrite), union interests and
    languages; the values before are kept so that undo can put them back."""
    kind = row.duplicate.record_type
    model = Volunteer if kind == "Volunteer" else Youth
    record = lock(session, model, row.duplicate.record_id)
    before = {}
    for name in _MERGE_FIELDS[kind]:
        if not getattr(record, name) and row.data.get(name):
            before[name] = getattr(record, name)
            setattr(record, name, row.data[name])
    interests = list(record.interests) + [i for i in row.data.get("interests", []) if i not in record.interests]
    if interests != list(record.interests):
        before["interests"] = list(record.interests)
        record.interests = interests
    languages = {**row.data.get("languages", {}), **record.languages}
    if languages != record.languages:
        before["languages"] = dict(record.languages)
        record.languages = languages
    if kind == "Volunteer" and before:
        record.version += 1
    session.add(record)
    record_audit(session, organisation_id=batch.organisation_id, user_id=batch.created_by_id, action="update",
                 record_type=kind, record_id=record.id, detail={"import_batch": batch.id, "merged_fields": len(before)})
    return ImportedRecord(batch_id=batch.id, organisation_id=batch.organisation_id, record_type=kind,
                          record_id=record.id, created=False, version=getattr(record, "version", 1),
                          before=before)


# --- undo -----------------------------------------------------------------------------------

def undo_blockers(session: Session, batch: ImportBatch, today: date) -> list[str]:
    """Why this import can no longer be undone (msgids); empty when it can."""
    if batch.status != "done":
        return [N_("Only a finished import can be undone.")]
    if batch.finished_at is None or today > (batch.finished_at.date() + timedelta(days=UNDO_DAYS)):
        return [N_("An import can be undone for %(days)s days; this one is older.")]
    records = list(session.exec(select(ImportedRecord).where(ImportedRecord.batch_id == batch.id)))
    ids = {kind: [r.record_id for r in records if r.record_type == kind] for kind in ("Volunteer", "Youth", "Request")}
    reasons = []
    versions = {(r.record_type, r.record_id): r.version for r in records}
    if any(r.confirmed_at for r in records):
        reasons.append(N_("Someone has confirmed their imported data since."))
    for chunk in _chunks(ids["Volunteer"], 500):
        for v in session.exec(select(Volunteer).where(Volunteer.id.in_(chunk))):
            if v.version != versions[("Volunteer", v.id)] or v.anonymised_at is not None:
                reasons.append(N_("An imported volunteer has been changed since."))
                break
        # Since the import: a merged volunteer's matches from before do not count.
        if session.exec(select(Proposal.id).where(Proposal.volunteer_id.in_(chunk),
                                                  Proposal.created_at > batch.finished_at).limit(1)).first() or \
                session.exec(select(Match.id).where(Match.volunteer_id.in_(chunk),
                                                    Match.created_at > batch.finished_at).limit(1)).first():
            reasons.append(N_("An imported person has been proposed or matched since."))
        users = select(Volunteer.user_id).where(Volunteer.id.in_(chunk))
        if session.exec(select(User.id).where(User.id.in_(users), User.last_login_at.is_not(None)).limit(1)).first():
            reasons.append(N_("An imported volunteer has signed in since."))
    for chunk in _chunks(ids["Request"], 500):
        for r in session.exec(select(Request).where(Request.id.in_(chunk))):
            if r.version != versions[("Request", r.id)] or r.status != "waiting":
                reasons.append(N_("An imported youth's request has been changed since."))
                break
        if session.exec(select(Proposal.id).where(Proposal.request_id.in_(chunk)).limit(1)).first() or \
                session.exec(select(Match.id).where(Match.request_id.in_(chunk)).limit(1)).first():
            reasons.append(N_("An imported person has been proposed or matched since."))
    ids["Household"] = [r.record_id for r in records if r.record_type == "Household"]
    reasons += pairs.undo_blockers(session, records)
    for kind in ("Volunteer", "Youth", "Household"):
        for chunk in _chunks(ids[kind], 500):
            changed = session.exec(select(AuditEvent.id).where(
                AuditEvent.record_type == kind, AuditEvent.record_id.in_(chunk),
                AuditEvent.action.in_(("update", "delete", "erase", "anonymise")),
                AuditEvent.at > batch.finished_at).limit(1)).first()
            if changed:
                reasons.append(N_("An imported person has been changed since."))
    return sorted(set(reasons))


@shared_write
def undo_import(session: Session, by: User, batch_id: int, today: date, submit_key: str | None = None) -> ImportBatch:
    """Remove everything the import created (and put merged values back), if nothing has
    happened to it since; the batch and the records are locked first, so a change at the
    same moment either comes first (and undo is refused) or waits and finds them gone."""
    begin_write(session)
    claim = claim_submission(session, submit_key, f"undo_import:{batch_id}", user_id=by.id, already=DONE)
    batch = lock(session, ImportBatch, batch_id)
    if batch is None or batch.organisation_id != by.organisation_id:
        raise NotFound(N_("There is no such import."))
    records = list(session.exec(select(ImportedRecord).where(ImportedRecord.batch_id == batch.id)))
    volunteer_ids = sorted(r.record_id for r in records if r.record_type == "Volunteer")
    youth_ids = sorted(r.record_id for r in records if r.record_type == "Youth")
    request_ids = sorted(r.record_id for r in records if r.record_type == "Request")
    household_ids = sorted(r.record_id for r in records if r.record_type == "Household")
    user_ids = sorted(u for u in session.exec(select(Volunteer.user_id).where(Volunteer.id.in_(volunteer_ids)))
                      if u) if volunteer_ids else []
    paired_volunteers, paired_requests = pairs.lock_targets(session, records)
    lock_all(session, User, user_ids)
    lock_all(session, Volunteer, sorted({*volunteer_ids, *paired_volunteers}))
    lock_all(session, Youth, youth_ids)
    lock_all(session, Household, household_ids)
    lock_all(session, Request, sorted({*request_ids, *paired_requests}))
    lock_all(session, Match, sorted(r.record_id for r in records if r.record_type == "Match"))
    blockers = undo_blockers(session, batch, today)
    if blockers:
        raise Conflict(blockers[0], days=UNDO_DAYS)
    created = [r for r in records if r.created]
    for record in records:
        if not record.created:
            model = Volunteer if record.record_type == "Volunteer" else Youth
            target = session.get(model, record.record_id)
            for name, value in record.before.items():
                setattr(target, name, value)
            session.add(target)
    new_volunteers = [r.record_id for r in created if r.record_type == "Volunteer"]
    new_youths = [r.record_id for r in created if r.record_type == "Youth"]
    new_requests = [r.record_id for r in created if r.record_type == "Request"]
    new_users = sorted(u for u in session.exec(select(Volunteer.user_id).where(Volunteer.id.in_(new_volunteers)))
                       if u) if new_volunteers else []
    pairs.delete_pairs(session, created)
    households.delete_households(session, [r.record_id for r in created if r.record_type == "Household"])
    memberships = [r.record_id for r in created if r.record_type == "Membership"]
    if memberships:
        session.exec(delete(Membership).where(Membership.id.in_(memberships)))
    for chunk in _chunks(new_volunteers, 500):
        session.exec(delete(ScreeningStep).where(ScreeningStep.volunteer_id.in_(chunk)))
        session.exec(delete(WaitingReason).where(WaitingReason.volunteer_id.in_(chunk)))
        session.exec(delete(ConsentRecord).where(ConsentRecord.subject_type == "volunteer",
                                                 ConsentRecord.subject_id.in_(chunk)))
        drop_memberships(session, chunk)
        session.exec(delete(Volunteer).where(Volunteer.id.in_(chunk)))
    for chunk in _chunks(new_requests, 500):
        session.exec(delete(WaitingReason).where(WaitingReason.request_id.in_(chunk)))
        session.exec(delete(Request).where(Request.id.in_(chunk)))
    for chunk in _chunks(new_youths, 500):
        session.exec(delete(ConsentRecord).where(ConsentRecord.subject_type == "youth",
                                                 ConsentRecord.subject_id.in_(chunk)))
        session.exec(delete(Youth).where(Youth.id.in_(chunk)))
    if new_users:
        emails = list(session.exec(select(User.email).where(User.id.in_(new_users))))
        for chunk in _chunks(emails, 500):
            # The welcome e-mails not sent yet are not sent at all.
            session.exec(delete(OutboxMessage).where(OutboxMessage.to_email.in_(chunk), OutboxMessage.sent_at.is_(None),
                                                     OutboxMessage.kind == "import_welcome"))
        for chunk in _chunks(new_users, 500):
            session.exec(update(AuditEvent).where(AuditEvent.user_id.in_(chunk)).values(user_id=None))
            session.exec(delete(User).where(User.id.in_(chunk)))
    session.exec(delete(ImportedRecord).where(ImportedRecord.batch_id == batch.id))
    batch.status, batch.undone_at, batch.undone_by_id = "undone", utcnow(), by.id
    session.add(batch)
    record_audit(session, organisation_id=batch.organisation_id, user_id=by.id, action="delete",
                 record_type="ImportBatch", record_id=batch.id,
                 detail={"file": batch.file_name, "sha256": batch.sha256, "undone": len(created),
                         "restored": len(records) - len(created)})
    note_result(claim, batch.id)
    session.commit()
    return batch


# --- confirming what came from the file -----------------------------------------------------

def imported_volunteer(session: Session, user: User) -> tuple[Volunteer, ImportedRecord] | None:
    volunteer = session.exec(select(Volunteer).where(Volunteer.user_id == user.id)).first()
    if volunteer is None:
        return None
    record = session.exec(select(ImportedRecord).where(ImportedRecord.record_type == "Volunteer",
                                                       ImportedRecord.record_id == volunteer.id,
                                                       ImportedRecord.created.is_(True))).first()
    return (volunteer, record) if record else None


def confirm_imported_volunteer(session: Session, user_id: int, password: str, today: date,
                               link_valid: Callable[[User], bool] = lambda _user: True) -> Volunteer:
    """The volunteer chose a password and confirmed their data and consent: from now on the
    matching may propose them. Opening the link twice confirms once."""
    check_password_strength(password)
    # Hashed before the transaction: slow on purpose, and no lock is held meanwhile.
    return _confirm_imported(session, user_id, hash_password(password), today, link_valid)


@shared_write
def _confirm_imported(session: Session, user_id: int, password_hash: str, today: date,
                      link_valid: Callable[[User], bool]) -> Volunteer:
    begin_write(session)
    user = lock(session, User, user_id)
    found = session.exec(select(Volunteer.id).where(Volunteer.user_id == user_id)).first()
    if found is None:
        raise NotFound(N_("The link is not valid any more. Ask the association for a new one."))
    volunteer = lock(session, Volunteer, found)
    record = session.exec(select(ImportedRecord).where(ImportedRecord.record_type == "Volunteer",
                                                       ImportedRecord.record_id == volunteer.id)).first()
    if record is None or record.confirmed_at is not None or not link_valid(user):
        raise Conflict(N_("You have confirmed already. Sign in with your e-mail and password."))
    program = session.get(Program, volunteer.program_id)
    user.password_hash = password_hash
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    session.add(user)
    session.add(ConsentRecord(organisation_id=volunteer.organisation_id, subject_type="volunteer",
                              subject_id=volunteer.id, given_by=user.name, relation="self", purpose="volunteer",
                              text_version=CONSENT_VERSION, text=volunteer_consent_text(session, program),
                              given_on=today))
    record.confirmed_at, record.confirmed_by_id = utcnow(), user.id
    session.add(record)
    volunteer.version += 1
    session.add(volunteer)
    record_audit(session, organisation_id=volunteer.organisation_id, user_id=user.id, action="update",
                 record_type="Volunteer", record_id=volunteer.id, detail={"import_confirmed": True})
    session.commit()
    return volunteer


def to_confirm(session: Session, organisation_id: int) -> object:
    """Imported youths whose consent, as the file stated it, the coordinator has not confirmed."""
    return (select(ImportedRecord, Youth).join(Youth, Youth.id == ImportedRecord.record_id)
            .where(ImportedRecord.organisation_id == organisation_id, ImportedRecord.record_type == "Youth",
                   ImportedRecord.created.is_(True), ImportedRecord.confirmed_at.is_(None))
            .order_by(Youth.last_name, Youth.first_name, Youth.id))


def households_to_confirm(session: Session, organisation_id: int) -> object:
    """Imported families whose consent, as the file stated it, the coordinator has not confirmed."""
    return (select(ImportedRecord, Household).join(Household, Household.id == ImportedRecord.record_id)
            .where(ImportedRecord.organisation_id == organisation_id, ImportedRecord.record_type == "Household",
                   ImportedRecord.created.is_(True), ImportedRecord.confirmed_at.is_(None))
            .order_by(Household.family_name, Household.id))


def confirm_imported_consent(session: Session, by: User, record_ids: list[int]) -> int:
    """The coordinator has checked the consent of these imported youths; audited per youth."""
    if not record_ids:
        raise DomainError(N_("Tick at least one youth."), field="records")
    begin_write(session)
    records = list(session.exec(select(ImportedRecord).where(
        ImportedRecord.id.in_(record_ids), ImportedRecord.organisation_id == by.organisation_id,
        ImportedRecord.record_type.in_(("Youth", "Household")), ImportedRecord.confirmed_at.is_(None))))
    for record in records:
        record.confirmed_at, record.confirmed_by_id = utcnow(), by.id
        session.add(record)
        subject = "youth" if record.record_type == "Youth" else "household"
        for consent in session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == subject,
                                                                ConsentRecord.subject_id == record.record_id)):
            consent.purpose = consent.purpose.removesuffix(f":{IMPORTED_CONSENT_NOTE}")
            session.add(consent)
        record_audit(session, organisation_id=by.organisation_id, user_id=by.id, action="update",
                     record_type=record.record_type, record_id=record.record_id,
                     detail={"imported_consent_confirmed": True})
    session.commit()
    return len(records)


def batches(organisation_id: int) -> object:
    return select(ImportBatch).where(ImportBatch.organisation_id == organisation_id) \
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())


def count(session: Session, stmt: object) -> int:
    return session.exec(select(func.count()).select_from(stmt.subquery())).one()



def recover_stale_imports(session: Session, now: object) -> dict[str, list[int]]:
    """Imports whose worker stopped: its transaction died with it (nothing was written), so a
    batch running for over 30 minutes is marked failed, "try again"; queued for over 10 minutes
    (a lost message) is sent again."""
    begin_write(session)
    stale = list(session.exec(select(ImportBatch.id).where(ImportBatch.status == "running",
                                                           ImportBatch.queued_at < now - timedelta(minutes=30))))
    if stale:
        session.exec(update(ImportBatch).where(ImportBatch.id.in_(stale), ImportBatch.status == "running")
                     .values(status="failed", error=N_("The import stopped before it finished; nothing was "
                                                       "imported. Try again.")))
    again = list(session.exec(select(ImportBatch.id).where(ImportBatch.status == "queued",
                                                           ImportBatch.queued_at < now - timedelta(minutes=10))))
    session.commit()
    return {"failed": stale, "to_enqueue": again}


def retry_failed(session: Session, by: User, batch_id: int) -> ImportBatch:
    """A failed import back to its mapping and preview, to be fixed and started again."""
    batch = get_batch(session, by, batch_id)
    begin_write(session)
    moved = session.exec(update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "failed")
                         .values(status="uploaded", error="", progress=0, result={}))
    session.commit()
    if moved.rowcount != 1:
        raise Conflict(N_("Only a failed import can be tried again."))
    session.refresh(batch)
    return batch


ABANDONED_DAYS = 30


def prune_import_files(session: Session, today: date) -> int:
    """The cells of imported files are personal data kept only for the preview and the undo:
    emptied once the undo window has passed (or 30 days after an upload nobody finished).
    What was imported stays in its own tables; the batch keeps its name, hash and counts."""
    from datetime import datetime as _dt
    from datetime import time as _time

    begin_write(session)
    finished_before = _dt.combine(today - timedelta(days=UNDO_DAYS), _time(), tzinfo=UTC)
    uploaded_before = _dt.combine(today - timedelta(days=ABANDONED_DAYS), _time(), tzinfo=UTC)
    ids = list(session.exec(select(ImportBatch.id).where(
        ((ImportBatch.status.in_(("done", "undone", "failed"))) & (func.coalesce(
            ImportBatch.undone_at, ImportBatch.finished_at, ImportBatch.created_at) < finished_before))
        | ((ImportBatch.status == "uploaded") & (ImportBatch.created_at < uploaded_before)))))
    pruned = 0
    for batch_id in ids:
        batch = session.get(ImportBatch, batch_id)
        if batch.rows:
            batch.result = {**batch.result, "rows": len(batch.rows)}
            batch.rows = []
            session.add(batch)
            pruned += 1
    session.commit()
    return pruned
