"""Every page of the app as each role sees it, with real records of the demo.

The crawling tests (360 px without sideways scroll, axe-core, Danish without raw codes) walk
this list. It is built from ``app.url_map``: a new GET page without sample arguments here fails
``test_every_page_is_in_the_crawl`` — deciding which records a page is shown with is part of
adding it, the same way ``tests/test_authorization.py`` ACCESS is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, url_for
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.matches import Match
from models.matchruns import MatchRun, Proposal
from models.mentees import Household, Request, Youth
from models.organisations import Organisation, Program
from models.users import User
from models.volunteers import Volunteer
from tests.test_authorization import ACCESS

DEMO_PASSWORD = "demo-crawl-2026"
# Outside probes re-run the crawl with other seeds: MAKKER_CRAWL_SEED=7 pytest tests/browser
DEMO_SEED = int(os.environ.get("MAKKER_CRAWL_SEED", "1"))

# GET endpoints that are not HTML pages a person reads (files, JSON, redirects).
NOT_PAGES = frozenset({
    "static", "api.health", "api.me", "auth.set_language", "signup.confirm", "coordinator.run_status",
    "admin.chart", "admin.dashboard_csv", "admin.relationships_csv", "admin.report", "admin.export_person", "volunteer.my_data",
    "imports.batch_status", "imports.export_status", "imports.export_download",
    "families.team_run_status",
})

ROLE_EMAILS = {
    "admin": "admin@roskilde.example.org",
    "coordinator": "koordinator@roskilde.example.org",
    "volunteer": "frivillig@roskilde.example.org",
    "referrer": "henviser@roskilde.example.org",  # referrals (issue 13)
}
CRAWL_ROLES = ("anonymous", "volunteer", "coordinator", "admin", "referrer")


@dataclass
class Crawl:
    """What the sample functions may use: the session, the signed-in user, the app."""

    session: Session
    user: User | None
    app: Flask

    def first(self, stmt) -> object | None:  # noqa: ANN001
        return self.session.exec(stmt.limit(1)).first()

    @property
    def org_id(self) -> int:
        org = self.session.exec(select(Organisation).where(Organisation.slug == "roskilde-mentor")).one()
        return org.id


def _ids(*records: object, key: str) -> list[dict]:
    seen, out = set(), []
    for r in records:
        if r is not None and r.id not in seen:  # type: ignore[attr-defined]
            seen.add(r.id)  # type: ignore[attr-defined]
            out.append({key: r.id})  # type: ignore[attr-defined]
    return out


def _matches_each_status(c: Crawl) -> list[dict]:
    found = [c.first(select(Match).where(Match.organisation_id == c.org_id, Match.status == s).order_by(Match.id))
             for s in ("introduced", "active", "paused", "closed")]
    return _ids(*found, key="match_id")


def _open_match(c: Crawl) -> list[dict]:
    return _ids(c.first(select(Match).where(Match.organisation_id == c.org_id, Match.status == "active")
                        .order_by(Match.id)), key="match_id")


def _own_matches(c: Crawl) -> list[dict]:
    volunteer = c.session.exec(select(Volunteer).where(Volunteer.user_id == c.user.id)).one()  # type: ignore[union-attr]
    return _ids(*c.session.exec(select(Match).where(Match.volunteer_id == volunteer.id, Match.status != "closed")),
                key="match_id")


def _volunteers(c: Crawl) -> list[dict]:
    found = [c.first(select(Volunteer).where(Volunteer.organisation_id == c.org_id, Volunteer.status == s)
                     .order_by(Volunteer.id)) for s in ("approved", "screening", "applicant", "declined")]
    return _ids(*found, key="volunteer_id")


def _in_screening(c: Crawl) -> list[dict]:
    return _ids(c.first(select(Volunteer).where(Volunteer.organisation_id == c.org_id,
                                                Volunteer.status.in_(("screening", "applicant"))).order_by(Volunteer.id)),
                key="volunteer_id")


def _youths(c: Crawl) -> list[dict]:
    matched = c.first(select(Youth).join(Request, Request.youth_id == Youth.id)
                      .where(Youth.organisation_id == c.org_id, Request.status == "matched").order_by(Youth.id))
    waiting = c.first(select(Youth).join(Request, Request.youth_id == Youth.id)
                      .where(Youth.organisation_id == c.org_id, Request.status == "waiting").order_by(Youth.id))
    return _ids(matched, waiting, key="youth_id")


def _households(c: Crawl) -> list[dict]:
    return _ids(c.first(select(Household).where(Household.organisation_id == c.org_id).order_by(Household.id)),
                key="household_id")


def _waiting_request(c: Crawl) -> list[dict]:
    return _ids(c.first(select(Request).where(Request.organisation_id == c.org_id, Request.status == "waiting")
                        .order_by(Request.id)), key="request_id")


def _runs(c: Crawl) -> list[dict]:
    found = [c.first(select(MatchRun).where(MatchRun.organisation_id == c.org_id, MatchRun.status == s)
                     .order_by(MatchRun.id)) for s in ("done", "running", "failed")]
    return _ids(*found, key="run_id")


def _open_proposal(c: Crawl) -> list[dict]:
    return _ids(c.first(select(Proposal).where(Proposal.organisation_id == c.org_id, Proposal.status == "proposed")
                        .order_by(Proposal.id)), key="proposal_id")


def _programs(c: Crawl) -> list[dict]:
    return _ids(*c.session.exec(select(Program).where(Program.organisation_id == c.org_id).order_by(Program.id)),
                key="program_id")


def _signup_forms(c: Crawl) -> list[dict]:
    org = c.session.get(Organisation, c.org_id)
    programs = c.session.exec(select(Program).where(Program.organisation_id == c.org_id, Program.active))
    return [{"org_slug": org.slug, "program_slug": p.slug} for p in programs]  # type: ignore[union-attr]


def _a_household_to_erase(c: Crawl) -> list[dict]:
    household = c.first(select(Household).where(Household.organisation_id == c.org_id).order_by(Household.id))
    return [{"kind": "household", "record_id": household.id}]  # type: ignore[union-attr]


def _token(purpose: str) -> Callable[[Crawl], list[dict]]:
    def sample(c: Crawl) -> list[dict]:
        from web.tokens import make_user_token

        user = c.session.exec(select(User).where(User.email == ROLE_EMAILS["coordinator"])).one()
        return [{"token": make_user_token(user, purpose)}, {"token": "not-a-valid-link"}]

    return sample


def _none(c: Crawl) -> list[dict]:
    return [{}]


# endpoint -> the arguments to show it with (one page per dict)
SAMPLES: dict[str, Callable[[Crawl], list[dict]]] = {
    "auth.index": _none, "auth.login": _none, "auth.forgot_password": _none,
    "auth.reset_password": _token("reset"), "auth.accept_invite": _token("invite"),
    "dev.mailbox": _none,
    "signup.programs": _none, "signup.form": _signup_forms, "signup.thanks": _none,
    "volunteer.home": _none, "volunteer.profile": _none, "volunteer.my_data": _none, "volunteer.delete_account": _none,
    "volunteer.log": _own_matches, "volunteer.ask_to_end": _own_matches,
    "coordinator.home": _none, "coordinator.new_youth": _none, "coordinator.new_household": _none,
    "coordinator.waiting_requests": _none, "coordinator.waiting_volunteers": _none, "coordinator.runs": _none,
    "coordinator.followup": _none,
    "coordinator.youth": _youths, "coordinator.household": _households, "coordinator.volunteer": _volunteers,
    "coordinator.screening": _in_screening, "coordinator.run": _runs, "coordinator.reject": _open_proposal,
    "coordinator.manual": _waiting_request, "coordinator.match": _matches_each_status,
    "coordinator.introduction": _matches_each_status, "coordinator.checkin": _open_match,
    "coordinator.pause": _open_match, "coordinator.close": _open_match,
    "admin.home": _none, "admin.dashboard": _none, "admin.relationships": _none, "admin.invite": _none,
    "admin.organisation": _none, "admin.audit": _none, "admin.people": _none,
    "admin.program_settings": _programs, "admin.erase_person": _a_household_to_erase,
}
# --- further pages: one line each, in their own block ---
SAMPLES["coordinator.matches"] = _none
SAMPLES["auth.account"] = _none  # hardening (issue 11): the account page with "sign out everywhere"


def _consent_subjects(c: Crawl) -> list[dict]:
    youth = c.first(select(Youth).where(Youth.organisation_id == c.org_id).order_by(Youth.id))
    household = c.first(select(Household).where(Household.organisation_id == c.org_id).order_by(Household.id))
    return [{"kind": "youth", "record_id": youth.id}, {"kind": "household", "record_id": household.id}]  # type: ignore[union-attr]


def _a_consent(c: Crawl) -> list[dict]:
    from models.consent import ConsentRecord

    consent = c.first(select(ConsentRecord).where(ConsentRecord.organisation_id == c.org_id,
                                                  ConsentRecord.subject_type == "youth",
                                                  ConsentRecord.withdrawn_at.is_(None)).order_by(ConsentRecord.id))
    return _ids(consent, key="consent_id")


# --- programme rules (issue 12): consents ---
SAMPLES["coordinator.add_person_consent"] = _consent_subjects
SAMPLES["coordinator.withdraw"] = _a_consent


# --- spreadsheet import (issue 17): an upload waiting for its choices, a finished volunteer
# import (its result, undo and an unconfirmed volunteer's welcome link), a youth import to confirm ---
def _crawl_imports(c: Crawl) -> dict[str, int]:
    from models.imports import operations as ops
    from models.imports.tables import ImportBatch
    from web.imports.links import welcome_link

    names = ("frivillige-rodet.csv", "frivillige-2025.csv", "unge-2025.csv", "frivillige-i-koe.csv",
             "familier-2025.csv", "makkerpar-rodet.csv")
    found = {b.file_name: b.id for b in c.session.exec(select(ImportBatch).where(
        ImportBatch.organisation_id == c.org_id, ImportBatch.file_name.in_(names)))}
    if len(found) == len(names):
        return found
    from models.clock import today

    coordinator = c.session.exec(select(User).where(User.email == ROLE_EMAILS["coordinator"])).one()
    program = c.session.exec(select(Program).where(Program.organisation_id == c.org_id, Program.serves != "family")
                             .order_by(Program.id)).first()
    known = c.session.exec(select(Volunteer).where(Volunteer.organisation_id == c.org_id).order_by(Volunteer.id)).first()
    head = "Navn;E-mail;Mobil;Fødselsår;Køn;Postnr;Interesser;Sprog;Status;Venter siden\r\n"
    messy = (head + "Mette Lund;mette.lund@regneark.dk;20304050;1980;Kvinde;4000;Fodbold, Kitesurfing;Dansk;Godkendt;"
             "01-03-2025\r\nJonas Berg;jonas.berg@regneark.dk;;1975;Mand;9999;Løb;Dansk;Godkendt;45658\r\n"
             f"{known.first_name} {known.last_name};{known.email};;{known.birth_year};K;{known.postcode};;Dansk;"
             "Godkendt;02.04.2025\r\n")
    c.session.rollback()
    ops.upload(c.session, coordinator, program.id, "volunteers", names[0], messy.encode())
    good = head + ("Sofie Holm;sofie.holm@regneark.dk;;1990;Kvinde;4000;Musik;Dansk;Godkendt;01-02-2025\r\n"
                   "Anders Krog;anders.krog@regneark.dk;;1969;Mand;4130;Madlavning;Dansk;Godkendt;01-05-2025\r\n")
    done = ops.upload(c.session, coordinator, program.id, "volunteers", names[1], good.encode())
    ops.start_import(c.session, coordinator, done.id, today())
    ops.run_import(c.session, done.id, today(), welcome_link)
    year = today().year
    youths = ("Fornavn;Efternavn;Fødselsår;Køn;Postnr;Samtykke givet af;Samtykke som;Samtykkedato\r\n"
              f"Emil;Friis;{year - 15};Dreng;4000;Lone Friis;Forælder;01-02-{year}\r\n")
    youth = ops.upload(c.session, coordinator, program.id, "youths", names[2], youths.encode())
    ops.start_import(c.session, coordinator, youth.id, today())
    ops.run_import(c.session, youth.id, today(), welcome_link)
    # One waiting for the worker: the page with its live progress.
    waiting = head + "Karen Dam;karen.dam@regneark.dk;;1984;Kvinde;4000;Musik;Dansk;Godkendt;01-06-2025\r\n"
    queued = ops.upload(c.session, coordinator, program.id, "volunteers", names[3], waiting.encode())
    ops.start_import(c.session, coordinator, queued.id, today())
    # A family list imported (the families among the consents to confirm), and a pairs sheet
    # waiting for its choices: one pair that breaks a rule, one whose volunteer is unknown.
    families = c.session.exec(select(Program).where(Program.organisation_id == c.org_id,
                                                    Program.serves != "youth").order_by(Program.id)).first()
    on = today().strftime("%d-%m-%Y")
    family = ("Familie;Navn;Rolle;Fødselsår;Køn;Postnr;Kontaktperson;E-mail;Behov;Samtykke givet af;Samtykkedato\r\n"
              f"Familien Krag;Lene;Mor;{year - 40};Kvinde;4000;Lene Krag;lene.krag@familie.dk;Lektiehjælp;Lene Krag;{on}\r\n"
              f"Familien Krag;Oskar;Barn;{year - 9};Dreng;;;;;;\r\n")
    imported = ops.upload(c.session, coordinator, families.id, "households", names[4], family.encode())
    ops.start_import(c.session, coordinator, imported.id, today())
    ops.run_import(c.session, imported.id, today(), welcome_link)
    pairs = ("Frivillig e-mail;Ung;Fødselsår;Postnr;Startdato\r\n"
             f"{known.email};Emil Friis;{year - 15};4000;{on}\r\n"
             f"ukendt@regneark.dk;Emil Friis;{year - 15};4000;{on}\r\n")
    ops.upload(c.session, coordinator, program.id, "pairs", names[5], pairs.encode())
    return _crawl_imports(c)


def _import_batches(c: Crawl) -> list[dict]:
    return [{"batch_id": batch_id} for batch_id in _crawl_imports(c).values()]


def _uploaded_import(c: Crawl) -> list[dict]:
    found = _crawl_imports(c)
    return [{"batch_id": found["frivillige-rodet.csv"]}, {"batch_id": found["makkerpar-rodet.csv"]}]


def _done_import(c: Crawl) -> list[dict]:
    return [{"batch_id": _crawl_imports(c)["frivillige-2025.csv"]}]


def _welcome_links(c: Crawl) -> list[dict]:
    from models.imports.tables import ImportedRecord
    from web.imports.links import PURPOSE
    from web.tokens import make_user_token

    _crawl_imports(c)
    record = c.first(select(ImportedRecord).where(ImportedRecord.organisation_id == c.org_id,
                                                  ImportedRecord.record_type == "Volunteer",
                                                  ImportedRecord.confirmed_at.is_(None)).order_by(ImportedRecord.id))
    user = c.session.get(User, c.session.get(Volunteer, record.record_id).user_id)  # type: ignore[union-attr]
    return [{"token": make_user_token(user, PURPOSE)}, {"token": "not-a-valid-link"}]


def _with_imports(c: Crawl) -> list[dict]:
    _crawl_imports(c)
    return [{}]


SAMPLES["imports.index"] = _with_imports
SAMPLES["imports.to_confirm"] = _with_imports
SAMPLES["imports.mapping"] = _uploaded_import
SAMPLES["imports.preview"] = _uploaded_import
SAMPLES["imports.batch"] = _import_batches
SAMPLES["imports.undo"] = _done_import
SAMPLES["imports_welcome.welcome"] = _welcome_links
SAMPLES["imports.export_page"] = _none


def _exports(c: Crawl) -> list[dict]:
    """The admin's exports: one ready to download and one waiting for the worker."""
    from models.clock import utcnow
    from models.imports.exports import request_export, run_export
    from models.imports.tables import ExportFile

    admin = c.session.exec(select(User).where(User.email == ROLE_EMAILS["admin"])).one()
    found = list(c.session.exec(select(ExportFile).where(ExportFile.requested_by_id == admin.id)
                                .order_by(ExportFile.id)))
    if len(found) < 2:
        c.session.rollback()
        done = request_export(c.session, admin, "json")
        run_export(c.session, done.id, utcnow())
        request_export(c.session, admin, "xlsx")  # stays queued: nobody runs the job here
        return _exports(c)
    return [{"export_id": e.id} for e in found]


SAMPLES["imports.export_status_page"] = _exports
# --- referrals (issue 13): the referrer's, the coordinator's and the administrator's pages ---
NOT_PAGES = NOT_PAGES | {"admin.referral_dashboard_csv"}


def _referrals(c: Crawl, *statuses: str, own: bool = False) -> list:
    from models.referrals.tables import Referral

    stmt = select(Referral).where(Referral.organisation_id == c.org_id).order_by(Referral.id)
    if own:
        stmt = stmt.where(Referral.referrer_id == c.user.id)  # type: ignore[union-attr]
    found = list(c.session.exec(stmt))
    if not statuses:
        return found
    return [next(r for r in found if r.status == s) for s in statuses if any(r.status == s for r in found)]


def _referral_each_status(c: Crawl) -> list[dict]:
    """One referral of each status, and the family one (it shows the members)."""
    own = c.user is not None and c.user.role == "referrer"
    each = _referrals(c, "received", "needs_info", "declined", "withdrawn", "accepted", own=own)
    family = [r for r in _referrals(c, own=own) if r.kind == "family"][:1]
    return _ids(*each, *family, key="referral_id")


def _own_open_referrals(c: Crawl) -> list[dict]:
    open_ = [r for r in _referrals(c, own=True) if r.status in ("received", "needs_info")]
    youth = [r for r in open_ if r.kind == "youth"][:1]
    family = [r for r in open_ if r.kind == "family"][:1]
    return _ids(*youth, *family, key="referral_id")


def _own_open_referral(c: Crawl) -> list[dict]:
    return _own_open_referrals(c)[:1]


def _own_accepted_referral(c: Crawl) -> list[dict]:
    return _ids(*_referrals(c, "accepted", own=True), key="referral_id")


def _own_sent_status(c: Crawl) -> list[dict]:
    from models.referrals.tables import ReferralStatus

    for referral in _referrals(c, own=True):
        report = c.first(select(ReferralStatus).where(ReferralStatus.referral_id == referral.id,
                                                      ReferralStatus.sent_at.is_not(None)).order_by(ReferralStatus.id))
        if report is not None:
            return [{"referral_id": referral.id, "status_id": report.id}]
    return []


def _referable(c: Crawl) -> list[dict]:
    from models.referrals.operations import referable_programs

    out = []
    for program in referable_programs(c.session, c.user):  # type: ignore[arg-type]
        if program.serves in ("youth", "both"):
            out.append({"program_id": program.id, "kind": "ung"})
        if program.serves in ("family", "both"):
            out.append({"program_id": program.id, "kind": "familie"})
    return out


def _consent_form_programs(c: Crawl) -> list[dict]:
    if c.user is not None and c.user.role == "referrer":
        return _ids(*[c.session.get(Program, a["program_id"]) for a in _referable(c)], key="program_id")
    return _programs(c)[:1]


def _an_open_referral(c: Crawl) -> list[dict]:
    return _ids(*_referrals(c, "received"), key="referral_id")


def _an_accepted_referral_with_a_match(c: Crawl) -> list[dict]:
    from models.referrals.tables import ReferralStatus

    accepted = [r for r in _referrals(c) if r.status == "accepted"]
    with_status = [r for r in accepted if c.first(select(ReferralStatus).where(ReferralStatus.referral_id == r.id))]
    return _ids(*(with_status[:1] or accepted[:1]), key="referral_id")


def _a_declined_referral(c: Crawl) -> list[dict]:
    return _ids(*_referrals(c, "declined"), key="referral_id")


def _referrers_with_referrals(c: Crawl) -> list[dict]:
    return [{"user_id": i} for i in sorted({r.referrer_id for r in _referrals(c)})[:1]]


def _units(c: Crawl) -> list[dict]:
    from models.referrals.tables import ReferringUnit

    return _ids(*c.session.exec(select(ReferringUnit).where(ReferringUnit.organisation_id == c.org_id)
                                .order_by(ReferringUnit.id)), key="unit_id")


SAMPLES.update({
    "referrer.home": _none, "referrer.start": _none, "referrer.new": _referable,
    "referrer.referral": _referral_each_status, "referrer.edit": _own_open_referrals,
    "referrer.withdraw": _own_open_referral, "referrer.stop_status": _own_accepted_referral,
    "referrer.status": _own_sent_status, "referrer.consent_form": _consent_form_programs,
    "coordinator.referrals": _none, "coordinator.referral_statuses": _none,
    "coordinator.referral": _referral_each_status, "coordinator.decline": _an_open_referral,
    "coordinator.referral_status": _an_accepted_referral_with_a_match,
    "coordinator.referral_stop_status": _an_accepted_referral_with_a_match,
    "admin.referral_units": _none, "admin.new_referral_unit": _none, "admin.referral_unit": _units,
    "admin.referrers": _none, "admin.invite_referrer": _none, "admin.program_referrals": _programs,
    "admin.referral_dashboard": _none, "admin.erase_referral": _a_declined_referral,
    "admin.hand_over": _referrers_with_referrals,
})


# Forms that an empty submission sends back with errors: their error state is crawled too.
# (Not the ones where an empty form is a valid choice that changes something, like asking to end.)
ERROR_FORMS = frozenset({
    "auth.login", "auth.forgot_password", "auth.reset_password", "auth.accept_invite", "signup.form",
    "volunteer.log", "volunteer.profile", "volunteer.delete_account", "coordinator.new_youth",
    "coordinator.new_household", "coordinator.screening", "coordinator.reject", "coordinator.manual",
    "coordinator.introduction", "coordinator.checkin", "coordinator.pause", "coordinator.close", "admin.invite",
    "admin.organisation", "admin.program_settings", "admin.erase_person", "coordinator.add_person_consent",
    "coordinator.withdraw", "imports.index", "imports.undo", "imports.to_confirm", "imports_welcome.welcome",
    # referrals (issue 13)
    "referrer.new", "referrer.edit", "referrer.withdraw", "referrer.stop_status", "coordinator.decline",
    "coordinator.referral_stop_status", "admin.new_referral_unit", "admin.referral_unit", "admin.invite_referrer",
    "admin.erase_referral", "admin.hand_over",
})


def page_endpoints(app: Flask) -> set[str]:
    """Every GET endpoint that answers with an HTML page."""
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and rule.endpoint not in NOT_PAGES}


def build_crawl_world(engine: Engine, today: date) -> None:
    """The demo, plus what a coordinator has done by the time every page has something to show:
    a finished match run (one proposal approved, one rejected), one run still running and one that
    failed, a screening step, a note, a pause and a closure: the history and audit pages then show
    the codes those steps store."""
    from matching.run import execute_run, start_run
    from models.followup import Closure, close_match, pause_match
    from models.notes import add_note
    from models.proposals import approve_proposal, reject_proposal
    from models.screening import record_step
    from seed.demo import build_demo

    build_demo(engine, seed=DEMO_SEED, password=DEMO_PASSWORD, today=today)
    with Session(engine, expire_on_commit=False) as session:
        coordinator = session.exec(select(User).where(User.email == ROLE_EMAILS["coordinator"])).one()
        org_id, coordinator_id = coordinator.organisation_id, coordinator.id
        programs = list(session.exec(select(Program).where(Program.organisation_id == org_id).order_by(Program.id)))
        last_program_id = programs[-1].id
        done = start_run(session, programs[0], coordinator.id, parameters={"source": "web"})
        session.commit()
        done_id = done.id
    execute_run(engine, done_id, today)
    with Session(engine, expire_on_commit=False) as session:
        coordinator = session.get(User, coordinator_id)
        for status, progress, error in (("running", "scoring", ""),
                                        ("failed", "failed", "ValueError: the pool could not be read")):
            session.add(MatchRun(organisation_id=org_id, program_id=last_program_id, started_by_id=coordinator_id,
                                 status=status, progress=progress, error=error,
                                 stats={"requests": 12, "volunteers": 40} if status == "running" else {}))
        session.commit()
        proposals = list(session.exec(select(Proposal).where(Proposal.run_id == done_id, Proposal.rank == 1)
                                      .order_by(Proposal.score.desc(), Proposal.id)))
        if len(proposals) >= 3:
            # The first stays open for the proposals page; the next two are decided.
            approve_proposal(session, proposals[1].id, coordinator, today, intro_note="Mødes på biblioteket",
                             reply_link="http://127.0.0.1/frivillig/", intro_on=today + timedelta(days=3))
            reject_proposal(session, proposals[2].id, coordinator, "Bor for langt fra hinanden")
        screening = c_first(session, select(Volunteer).where(Volunteer.organisation_id == org_id,
                                                             Volunteer.status == "screening").order_by(Volunteer.id))
        if screening is not None:
            record_step(session, screening, "interview", "approved", coordinator, today, "God samtale", today,
                        step_label="Samtale", status_label="Godkendt")
        youth = c_first(session, select(Youth).where(Youth.organisation_id == org_id).order_by(Youth.id))
        add_note(session, coordinator, "Youth", youth.id, "Ringede til mor om næste skridt")  # type: ignore[union-attr]
        session.commit()
        active = list(session.exec(select(Match).where(Match.organisation_id == org_id, Match.status == "active")
                                   .order_by(Match.id.desc()).limit(2)))
        if len(active) == 2:
            start = active[0].started_on or today
            close_match(session, active[0].id, coordinator, today,
                        Closure(closed_on=max(start, today - timedelta(days=1)), reason="moved", note="Flyttet til Aarhus",
                                outcome={"education_or_work": "yes", "leisure_activity": "unknown",
                                         "social_case": "no", "own_words": "Det gik godt"}))
            pause_match(session, active[1].id, coordinator, today, on=today, until=today + timedelta(days=30),
                        reason="Eksamen")


def c_first(session: Session, stmt):  # noqa: ANN001, ANN201
    return session.exec(stmt.limit(1)).first()


def crawl_urls(app: Flask, engine: Engine, role: str) -> Iterator[tuple[str, str]]:
    """(endpoint, path) of every page ``role`` may open, each with its sample records."""
    with Session(engine) as session, app.test_request_context():
        user = None if role == "anonymous" else session.exec(select(User).where(User.email == ROLE_EMAILS[role])).one()
        crawl = Crawl(session, user, app)
        for endpoint in sorted(page_endpoints(app)):
            allowed, _args = ACCESS[endpoint]
            if role not in allowed:
                continue
            for args in SAMPLES[endpoint](crawl):
                yield endpoint, url_for(endpoint, **args)


# --- safeguarding papers (issue 15): the texts, the worried page, the børneattest ---
def _text_kinds(c: Crawl) -> list[dict]:
    from models.safeguard.tables import TEXT_KINDS

    return [{"kind": kind} for kind in TEXT_KINDS]


def _certificates(c: Crawl) -> list[dict]:
    """An approved volunteer, one in screening, and the one whose børneattest has run out."""
    from models.safeguard.queries import CERTIFICATE_STEP
    from models.volunteers import ScreeningStep

    expired = c.first(select(Volunteer).join(ScreeningStep, ScreeningStep.volunteer_id == Volunteer.id)
                      .where(Volunteer.organisation_id == c.org_id, Volunteer.status == "approved",
                             ScreeningStep.step == CERTIFICATE_STEP)
                      .order_by(ScreeningStep.step_date, Volunteer.id))
    return _volunteers(c)[:2] + _ids(expired, key="volunteer_id")


SAMPLES["safeguard.papers"] = _none
SAMPLES["safeguard.worried"] = _none
SAMPLES["safeguard.certificate"] = _certificates
SAMPLES["safeguard.texts"] = _none
SAMPLES["safeguard.edit_text"] = _text_kinds
ERROR_FORMS = ERROR_FORMS | {"safeguard.worried", "safeguard.certificate", "safeguard.edit_text"}

# --- events (issue 15): the demo's coming and past events ---
def _events(when: str) -> Callable[[Crawl], list[dict]]:
    def sample(c: Crawl) -> list[dict]:
        from models.clock import utcnow
        from models.events.tables import Event

        now = utcnow()
        stmt = select(Event).where(Event.organisation_id == c.org_id)
        stmt = stmt.where(Event.starts_at > now).order_by(Event.starts_at) if when == "coming" else \
            stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc())
        return _ids(c.first(stmt), key="event_id")
    return sample


def _both_events(c: Crawl) -> list[dict]:
    return _events("coming")(c) + _events("past")(c)


def _volunteer_events(c: Crawl) -> list[dict]:
    from models.clock import utcnow
    from models.events.queries import upcoming_for_volunteer

    volunteer = c.session.exec(select(Volunteer).where(Volunteer.user_id == c.user.id)).one()  # type: ignore[union-attr]
    return [{"event_id": item.event.id} for item in upcoming_for_volunteer(c.session, volunteer, utcnow())[:3]]

# --- families (issue 14): a family with a plan and a team, the volunteer's family, the admin's lists ---
def _planned_households(c: Crawl) -> list[dict]:
    from models.families.tables import FamilyPlan, FamilyTeam

    with_team = c.first(select(Household).join(FamilyTeam, FamilyTeam.household_id == Household.id)
                        .where(Household.organisation_id == c.org_id).order_by(Household.id))
    without_plan = c.first(select(Household).where(Household.organisation_id == c.org_id,
                                                   Household.id.not_in(select(FamilyPlan.household_id)))
                           .order_by(Household.id))
    return _ids(with_team, without_plan, key="household_id")


def _own_families(c: Crawl) -> list[dict]:
    from models.families.queries import volunteer_teams

    volunteer = c.session.exec(select(Volunteer).where(Volunteer.user_id == c.user.id)).one()  # type: ignore[union-attr]
    return _ids(*volunteer_teams(c.session, volunteer.id), key="household_id")


def _professionals(c: Crawl) -> list[dict]:
    from models.families.tables import Professional

    return _ids(c.first(select(Professional).where(Professional.organisation_id == c.org_id)
                        .order_by(Professional.id)), key="professional_id")


def _approved_volunteer(c: Crawl) -> list[dict]:
    return _ids(c.first(select(Volunteer).where(Volunteer.organisation_id == c.org_id, Volunteer.status == "approved")
                        .order_by(Volunteer.id)), key="volunteer_id")


SAMPLES["events.index"] = lambda c: [{}, {"vis": "past"}]
SAMPLES["events.new"] = _none
SAMPLES["events.show"] = _both_events
SAMPLES["events.attendance"] = _events("past")
SAMPLES["events.cancel"] = _events("coming")
SAMPLES["events.mine"] = _none
SAMPLES["events.volunteer_event"] = _volunteer_events
SAMPLES["events.calendar_feed"] = _none
SAMPLES["events.volunteer_left"] = _approved_volunteer
SAMPLES["events.retention"] = _none
NOT_PAGES = NOT_PAGES | {"events.event_ics", "events.feed", "events.retention_csv"}
ERROR_FORMS = ERROR_FORMS | {"events.new", "events.cancel", "events.volunteer_left"}

SAMPLES["families.index"] = _none
SAMPLES["families.plan"] = _planned_households
SAMPLES["families.team"] = _planned_households
SAMPLES["families.meeting"] = _planned_households
SAMPLES["families.progress"] = _planned_households
SAMPLES["families.volunteer_competences"] = _approved_volunteer
SAMPLES["families.professionals"] = _none
SAMPLES["families.new_professional"] = _none
SAMPLES["families.professional"] = _professionals
SAMPLES["families.competences"] = _none
SAMPLES["families.program_measures"] = _programs
SAMPLES["families.volunteer_plan"] = _own_families
NOT_PAGES = NOT_PAGES | {"families.plan_pdf"}
ERROR_FORMS = ERROR_FORMS | {"families.meeting", "families.progress", "families.new_professional",
                             "families.competences"}


# --- one person, several programmes (issue 15): the demo volunteer is in both programmes;
# another volunteer has applied to the second and waits for approval ---
def _two_programmes(c: Crawl) -> list[dict]:
    from models.members.tables import Membership

    rows = c.session.exec(select(Membership).where(Membership.organisation_id == c.org_id,
                                                   Membership.status.in_(("active", "applied")))
                          .order_by(Membership.id)).all()
    firsts = {v.id: v.program_id for v in c.session.exec(select(Volunteer).where(Volunteer.id.in_(
        [m.volunteer_id for m in rows])))}
    second = [m for m in rows if m.program_id != firsts.get(m.volunteer_id)]
    applied = next((m for m in second if m.status == "applied"), None)
    active = next((m for m in second if m.status == "active"), None)
    return [{"volunteer_id": m.volunteer_id, "program_id": m.program_id} for m in (active, applied) if m]


def _own_second_programme(c: Crawl) -> list[dict]:
    from models.members.tables import Membership

    volunteer = c.session.exec(select(Volunteer).where(Volunteer.user_id == c.user.id)).one()  # type: ignore[union-attr]
    member = c.first(select(Membership).where(Membership.volunteer_id == volunteer.id,
                                              Membership.program_id != volunteer.program_id,
                                              Membership.status != "left"))
    return [{"program_id": member.program_id}] if member else []  # type: ignore[attr-defined]


SAMPLES["members.apply"] = _none
SAMPLES["members.leave"] = _own_second_programme
SAMPLES["members.manage"] = lambda c: [{"volunteer_id": s["volunteer_id"]} for s in _two_programmes(c)]
SAMPLES["members.end"] = lambda c: _two_programmes(c)[:1]
ERROR_FORMS = ERROR_FORMS | {"members.apply", "members.leave", "members.manage", "members.end"}
