"""Every state-changing operation on shared rows, raced against itself and its rivals.

A case builds a small world (its own organisation, so groups never share rows), returns the
attempts to fire at once, and may add its own checks (duplicates, lost changes) to the
whole-database invariants of ``invariants.broken_states``.

To cover a new operation, add a case with ``@case("name")``: a function that takes a ``Kit``
(the group's organisation, program and staff) and returns a ``Race`` (its attempts, and
optionally ``expect`` — how many may win — and ``check`` — more problems to look for).
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import clock
from seed import builders as b
from tests.concurrency.harness import Attempt, Outcome

TODAY = clock.today()


@dataclass
class Kit:
    """One group's world: its own organisation with a program, two admins and two coordinators."""

    engine: Engine
    session: Session
    organisation: Any
    program: Any
    admin: Any
    admin2: Any
    coordinator: Any
    coordinator2: Any
    serial: int

    def volunteer(self, capacity: int = 1, status: str = "approved", with_user: bool = False, **fields: Any) -> Any:
        user = b.make_user(self.session, self.organisation, "volunteer") if with_user else None
        return b.make_volunteer(self.session, self.program, user=user, status=status, capacity=capacity, **fields)

    def request(self, **fields: Any) -> Any:
        youth = b.make_youth(self.session, self.organisation)
        return b.make_request(self.session, self.program, youth=youth, **fields)

    def match(self, request: Any, volunteer: Any, status: str = "active", **fields: Any) -> Any:
        from models.lifecycle import schedule_checkins, update_volunteer_pool_state

        match = b.make_match(self.session, request, volunteer, status=status, **fields)
        if status != "closed":
            schedule_checkins(self.session, match, self.program, match.started_on or TODAY)
        self.session.flush()
        update_volunteer_pool_state(self.session, volunteer, TODAY)
        return match

    def proposal(self, request: Any, volunteer: Any, run: Any = None) -> Any:
        from models.matchruns import MatchRun, Proposal

        if run is None:
            run = MatchRun(organisation_id=self.organisation.id, program_id=self.program.id, status="done")
            self.session.add(run)
            self.session.flush()
        proposal = Proposal(organisation_id=self.organisation.id, run_id=run.id, request_id=request.id,
                            volunteer_id=volunteer.id, score=0.8, breakdown={"components": []})
        self.session.add(proposal)
        self.session.flush()
        return proposal


@dataclass
class Race:
    attempts: list[Attempt]
    # How many attempts may succeed: None = any number (the invariants decide).
    winners: int | tuple[int, ...] | None = 1
    check: Callable[[Session, Outcome], list[str]] | None = None


@dataclass
class Case:
    name: str
    build: Callable[[Kit], Race]
    databases: tuple[str, ...] = ("sqlite", "postgresql")
    tags: set[str] = field(default_factory=set)


CASES: dict[str, Case] = {}


def case(name: str, **options: Any) -> Callable[[Callable[[Kit], Race]], Callable[[Kit], Race]]:
    def register(build: Callable[[Kit], Race]) -> Callable[[Kit], Race]:
        CASES[name] = Case(name, build, **options)
        return build

    return register


def make_kit(engine: Engine, session: Session, serial: int) -> Kit:
    org = b.make_organisation(session)
    program = b.make_program(session, org, checkin_plan_days=[14, 30, 90])
    admin = b.make_user(session, org, "admin")
    admin2 = b.make_user(session, org, "admin")
    coordinator = b.make_user(session, org, "coordinator")
    coordinator2 = b.make_user(session, org, "coordinator")
    return Kit(engine, session, org, program, admin, admin2, coordinator, coordinator2, serial)


def key() -> str:
    """A fresh form token: what one rendered form carries (a double click sends it twice)."""
    return uuid.uuid4().hex


def call(operation: Callable[..., Any], *args: Any, submit_key: str | None = None, **kwargs: Any) -> Any:
    """Call ``operation``, passing the form token where the operation takes one."""
    if submit_key is not None and "submit_key" in inspect.signature(operation).parameters:
        kwargs["submit_key"] = submit_key
    return operation(*args, **kwargs)


def count(session: Session, model: Any, *where: Any) -> int:
    session.rollback()
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def _get(session: Session, model: Any, record_id: int) -> Any:
    return session.get(model, record_id)


# --- proposals ----------------------------------------------------------------------------

@case("approve rival proposals of one request")
def _approve_rivals(kit: Kit) -> Race:
    from models.proposals import approve_proposal

    request = kit.request()
    p1 = kit.proposal(request, kit.volunteer())
    p2 = kit.proposal(request, kit.volunteer())
    return Race([lambda s: approve_proposal(s, p1.id, kit.coordinator, TODAY),
                 lambda s: approve_proposal(s, p2.id, kit.coordinator2, TODAY)])


@case("approve proposals that share a volunteer")
def _approve_shared_volunteer(kit: Kit) -> Race:
    from models.proposals import approve_proposal

    volunteer = kit.volunteer()
    p1, p2 = kit.proposal(kit.request(), volunteer), kit.proposal(kit.request(), volunteer)
    return Race([lambda s: approve_proposal(s, p1.id, kit.coordinator, TODAY),
                 lambda s: approve_proposal(s, p2.id, kit.coordinator2, TODAY)])


@case("approve three proposals for the last place of a volunteer of capacity two")
def _approve_capacity(kit: Kit) -> Race:
    from models.proposals import approve_proposal

    volunteer = kit.volunteer(capacity=2)
    kit.match(kit.request(), volunteer)
    proposals = [kit.proposal(kit.request(), volunteer) for _ in range(3)]
    return Race([lambda s, p=p: approve_proposal(s, p.id, kit.coordinator, TODAY) for p in proposals])


@case("approve one proposal twice (double click)")
def _approve_double(kit: Kit) -> Race:
    from models.proposals import approve_proposal

    proposal = kit.proposal(kit.request(), kit.volunteer())
    return Race([lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY)] * 2)


@case("approve and reject one proposal")
def _approve_vs_reject(kit: Kit) -> Race:
    from models.proposals import approve_proposal, reject_proposal

    proposal = kit.proposal(kit.request(), kit.volunteer())
    return Race([lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY),
                 lambda s: reject_proposal(s, proposal.id, kit.coordinator2, "Passer ikke")])


@case("reject one proposal twice")
def _reject_double(kit: Kit) -> Race:
    from models.proposals import reject_proposal

    proposal = kit.proposal(kit.request(), kit.volunteer())
    return Race([lambda s: reject_proposal(s, proposal.id, kit.coordinator, "Passer ikke"),
                 lambda s: reject_proposal(s, proposal.id, kit.coordinator2, "Anden grund")])


@case("match by hand while a proposal of the same request is approved")
def _manual_vs_approve(kit: Kit) -> Race:
    from models.proposals import approve_proposal, manual_match

    request = kit.request()
    proposal = kit.proposal(request, kit.volunteer())
    other = kit.volunteer()
    return Race([lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY),
                 lambda s: manual_match(s, request.id, other.id, kit.coordinator2, TODAY, confirm_soft=True)])


# --- follow-up ----------------------------------------------------------------------------

def _closure() -> Any:
    from models.followup import Closure

    return Closure(closed_on=TODAY, reason="goal_reached",
                   outcome={"education_or_work": "yes", "leisure_activity": "yes", "social_case": "no"})


def _close(kit: Kit, match: Any, by: Any, seen: int | None, submit_key: str | None = None) -> Attempt:
    from models.followup import close_match

    return lambda s: call(close_match, s, match.id, by, TODAY, _closure(), seen_version=seen, submit_key=submit_key)


@case("close one match twice (double click)")
def _close_double(kit: Kit) -> Race:
    match = kit.match(kit.request(), kit.volunteer())
    token = key()
    return Race([_close(kit, match, kit.coordinator, match.version, token)] * 2)


@case("two coordinators close the same match")
def _close_vs_close(kit: Kit) -> Race:
    match = kit.match(kit.request(), kit.volunteer())
    return Race([_close(kit, match, kit.coordinator, None), _close(kit, match, kit.coordinator2, None)])


@case("close and pause the same match")
def _close_vs_pause(kit: Kit) -> Race:
    from models.followup import pause_match

    match = kit.match(kit.request(), kit.volunteer())
    return Race([_close(kit, match, kit.coordinator, None),
                 lambda s: pause_match(s, match.id, kit.coordinator2, TODAY, on=TODAY, until=None, reason="Eksamen")],
                winners=None)  # pause, then close, is a fine order


@case("close and resume the same paused match")
def _close_vs_resume(kit: Kit) -> Race:
    from models.followup import resume_match

    match = kit.match(kit.request(), kit.volunteer(), status="paused")
    return Race([_close(kit, match, kit.coordinator, None),
                 lambda s: resume_match(s, match.id, kit.coordinator2, TODAY, on=TODAY)], winners=None)


@case("pause one match twice")
def _pause_double(kit: Kit) -> Race:
    from models.followup import pause_match

    match = kit.match(kit.request(), kit.volunteer())
    return Race([lambda s, by=by: pause_match(s, match.id, by, TODAY, on=TODAY, until=None, reason="Eksamen")
                 for by in (kit.coordinator, kit.coordinator2)])


@case("resume one match twice")
def _resume_double(kit: Kit) -> Race:
    from models.followup import resume_match

    match = kit.match(kit.request(), kit.volunteer(), status="paused")
    return Race([lambda s, by=by: resume_match(s, match.id, by, TODAY, on=TODAY)
                 for by in (kit.coordinator, kit.coordinator2)])


def _answers() -> Any:
    from models.followup import CheckInAnswers

    return CheckInAnswers(done_on=TODAY, contacted=["volunteer"], rating=4, concerns="Ingen")


@case("record one check-in twice (double click)")
def _checkin_double(kit: Kit) -> Race:
    from models.followup import record_checkin
    from models.matches import CheckIn

    match = kit.match(kit.request(), kit.volunteer(), started_on=TODAY - timedelta(days=5))
    token = key()

    def check(session: Session, outcome: Outcome) -> list[str]:
        done = count(session, CheckIn, CheckIn.match_id == match.id, CheckIn.done_on.is_not(None))
        return [f"{done} check-ins recorded from one form"] if done != 1 else []

    return Race([lambda s: call(record_checkin, s, match.id, kit.coordinator, TODAY, _answers(),
                                seen_version=match.version, submit_key=token)] * 2, check=check)


@case("two coordinators record the same planned check-in")
def _checkin_planned(kit: Kit) -> Race:
    from models.followup import record_checkin

    match = kit.match(kit.request(), kit.volunteer(), started_on=TODAY - timedelta(days=20))
    from models.matches import CheckIn

    planned = kit.session.exec(select(CheckIn).where(CheckIn.match_id == match.id).order_by(CheckIn.due_on)).first()
    return Race([lambda s, by=by: record_checkin(s, match.id, by, TODAY, _answers(), checkin_id=planned.id)
                 for by in (kit.coordinator, kit.coordinator2)])


@case("record a check-in while the match is closed")
def _checkin_vs_close(kit: Kit) -> Race:
    from models.followup import record_checkin

    match = kit.match(kit.request(), kit.volunteer(), started_on=TODAY - timedelta(days=20))
    return Race([_close(kit, match, kit.coordinator, None),
                 lambda s: record_checkin(s, match.id, kit.coordinator2, TODAY, _answers())], winners=None)


@case("mark a volunteer's 'talk to me' handled twice")
def _contact_handled(kit: Kit) -> Race:
    from models.followup import mark_contact_handled
    from models.matches import MeetingLog

    volunteer = kit.volunteer()
    match = kit.match(kit.request(), volunteer)
    kit.session.add(MeetingLog(match_id=match.id, volunteer_id=volunteer.id, met_on=TODAY, minutes=60, rating=3,
                               needs_contact=True))
    return Race([lambda s, by=by: mark_contact_handled(s, match.id, by) for by in (kit.coordinator, kit.coordinator2)],
                winners=None)


@case("reactivate an inactive volunteer twice")
def _reactivate_double(kit: Kit) -> Race:
    from models.followup import reactivate_volunteer

    volunteer = kit.volunteer(status="inactive")
    return Race([lambda s, by=by: reactivate_volunteer(s, volunteer.id, by, TODAY)
                 for by in (kit.coordinator, kit.coordinator2)])


# --- the volunteer's side -----------------------------------------------------------------

def _meeting(volunteer_id: int, match_id: int, token: str) -> Attempt:
    from models.matches import Match
    from models.meetings import log_meeting
    from models.volunteers import Volunteer

    return lambda s: call(log_meeting, s, _get(s, Match, match_id), _get(s, Volunteer, volunteer_id), TODAY,
                          met_on=TODAY, minutes=60, activities=["talk"], note="Godt", rating=4, needs_contact=False,
                          submit_key=token)


@case("log one meeting twice (double click)")
def _meeting_double(kit: Kit) -> Race:
    from models.matches import MeetingLog

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer)
    token = key()

    def check(session: Session, outcome: Outcome) -> list[str]:
        logs = count(session, MeetingLog, MeetingLog.match_id == match.id)
        return [f"{logs} meetings logged from one form"] if logs != 1 else []

    return Race([_meeting(volunteer.id, match.id, token)] * 3, check=check)


@case("the volunteer says no while the introduction is recorded")
def _decline_vs_intro(kit: Kit) -> Race:
    from models.introductions import record_introduction
    from models.meetings import decline_match
    from models.volunteers import Volunteer

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer, status="introduced")
    return Race([lambda s: decline_match(s, match.id, _get(s, Volunteer, volunteer.id), TODAY, "Har ikke tid"),
                 lambda s: record_introduction(s, match.id, kit.coordinator, TODAY, TODAY, True, True)])


@case("the volunteer says no twice")
def _decline_double(kit: Kit) -> Race:
    from models.meetings import decline_match
    from models.volunteers import Volunteer

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer, status="introduced")
    return Race([lambda s: decline_match(s, match.id, _get(s, Volunteer, volunteer.id), TODAY, "Har ikke tid")] * 2)


@case("the volunteer asks to end while the coordinator closes")
def _request_end_vs_close(kit: Kit) -> Race:
    from models.matches import Match
    from models.meetings import request_end
    from models.volunteers import Volunteer

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer)
    return Race([_close(kit, match, kit.coordinator, None),
                 lambda s: request_end(s, _get(s, Match, match.id), _get(s, Volunteer, volunteer.id), "Flytter")],
                winners=None)


@case("the volunteer lowers their capacity while a second match is approved")
def _capacity_vs_approve(kit: Kit) -> Race:
    from models.proposals import approve_proposal
    from models.signup import VolunteerDetails
    from models.volunteer_profile import update_profile
    from models.volunteers import Volunteer

    volunteer = kit.volunteer(capacity=2, with_user=True)
    kit.match(kit.request(), volunteer)
    proposal = kit.proposal(kit.request(), volunteer)
    fields = {k: getattr(volunteer, k) for k in VolunteerDetails.__dataclass_fields__}
    details = VolunteerDetails(**{**fields, "capacity": 1})
    user_id = volunteer.user_id

    def lower(s: Session) -> Any:
        from models.users import User

        return update_profile(s, _get(s, Volunteer, volunteer.id), details, TODAY, _get(s, User, user_id))

    return Race([lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY), lower], winners=None)


# --- introductions ------------------------------------------------------------------------

@case("record one introduction twice")
def _intro_double(kit: Kit) -> Race:
    from models.introductions import record_introduction

    match = kit.match(kit.request(), kit.volunteer(), status="introduced")
    return Race([lambda s, by=by: record_introduction(s, match.id, by, TODAY, TODAY, True, True)
                 for by in (kit.coordinator, kit.coordinator2)])


@case("record the introduction while the match is closed")
def _intro_vs_close(kit: Kit) -> Race:
    from models.introductions import record_introduction

    match = kit.match(kit.request(), kit.volunteer(), status="introduced")
    return Race([_close(kit, match, kit.coordinator, None),
                 lambda s: record_introduction(s, match.id, kit.coordinator2, TODAY, TODAY, True, True)],
                winners=None)


# --- screening ----------------------------------------------------------------------------

@case("record one screening step twice (double click)")
def _step_double(kit: Kit) -> Race:
    from models.outbox import OutboxMessage
    from models.screening import record_step
    from models.volunteers import Volunteer

    volunteer = kit.volunteer(status="screening")
    step = kit.program.required_steps[-1]
    token = key()

    def check(session: Session, outcome: Outcome) -> list[str]:
        mails = count(session, OutboxMessage, OutboxMessage.to_email == volunteer.email,
                      OutboxMessage.kind == "screening_update")
        return [f"{mails} e-mails about one screening step"] if mails != 1 else []

    return Race([lambda s: call(record_step, s, _get(s, Volunteer, volunteer.id), step, "approved", kit.coordinator,
                                TODAY, "", TODAY, submit_key=token)] * 2, winners=None, check=check)


def _screened(kit: Kit) -> Any:
    from models.volunteers import ScreeningStep

    volunteer = kit.volunteer(status="screening")
    for step in kit.session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == volunteer.id)):
        step.status = "approved"
        kit.session.add(step)
    from seed.builders import sign_papers

    sign_papers(kit.session, volunteer, TODAY)  # the papers a volunteer signs before approval
    return volunteer


@case("approve one volunteer twice")
def _approve_volunteer_double(kit: Kit) -> Race:
    from models.screening import approve_volunteer
    from models.volunteers import Volunteer

    volunteer = _screened(kit)
    return Race([lambda s, by=by: approve_volunteer(s, _get(s, Volunteer, volunteer.id), by, TODAY)
                 for by in (kit.coordinator, kit.coordinator2)])


@case("approve and decline one volunteer")
def _approve_vs_decline(kit: Kit) -> Race:
    from models.outbox import OutboxMessage
    from models.screening import approve_volunteer, decline_volunteer
    from models.volunteers import Volunteer

    volunteer = _screened(kit)

    def check(session: Session, outcome: Outcome) -> list[str]:
        kinds = set(session.exec(select(OutboxMessage.kind).where(OutboxMessage.to_email == volunteer.email)))
        both = {"volunteer_approved", "volunteer_declined"} <= kinds
        return ["the volunteer was told both approved and declined"] if both else []

    return Race([lambda s: approve_volunteer(s, _get(s, Volunteer, volunteer.id), kit.coordinator, TODAY),
                 lambda s: decline_volunteer(s, _get(s, Volunteer, volunteer.id), kit.coordinator2, TODAY, "Nej")],
                check=check)


# --- staff and settings -------------------------------------------------------------------

@case("invite the same person twice (double click)")
def _invite_double(kit: Kit) -> Race:
    from models.staff import invite_staff

    email = f"ny{kit.serial}-{uuid.uuid4().hex[:6]}@example.org"
    token = key()
    return Race([lambda s: call(invite_staff, s, kit.admin, name="Ny Koordinator", email=email, role="coordinator",
                                link_for=lambda user: "http://makker.test/invitation", submit_key=token)] * 2)


@case("two admins deactivate each other")
def _admins_deactivate(kit: Kit) -> Race:
    from models.staff import set_active

    return Race([lambda s: set_active(s, kit.admin, kit.admin2.id, False),
                 lambda s: set_active(s, kit.admin2, kit.admin.id, False)])


@case("two admins make each other coordinators")
def _admins_demote(kit: Kit) -> Race:
    from models.staff import change_role

    return Race([lambda s: change_role(s, kit.admin, kit.admin2.id, "coordinator"),
                 lambda s: change_role(s, kit.admin2, kit.admin.id, "coordinator")])


@case("save a program's settings twice from the same form")
def _settings_double(kit: Kit) -> Race:
    from models.organisations import Program
    from models.program_settings import ProgramChanges, program_version, update_program

    program = kit.program
    seen = program_version(program)
    fields = {k: getattr(program, k) for k in ProgramChanges.__dataclass_fields__}
    first = ProgramChanges(**{**fields, "waiting_target_days": 41})
    second = ProgramChanges(**{**fields, "inactivity_days": 43})

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        session.expire_all()
        stored = session.get(Program, program.id)
        kept = int(stored.waiting_target_days == 41) + int(stored.inactivity_days == 43)
        return [f"{len(outcome.winners)} saves succeeded but {kept} changes are stored"] \
            if kept != len(outcome.winners) else []

    return Race([lambda s: update_program(s, _get(s, Program, program.id), first, kit.admin, seen_version=seen),
                 lambda s: update_program(s, _get(s, Program, program.id), second, kit.admin2, seen_version=seen)],
                check=check)


# --- sign-up ------------------------------------------------------------------------------

def _details(kit: Kit) -> Any:
    from models.signup import VolunteerDetails

    return VolunteerDetails(first_name="Sofie", last_name="Berg", phone="12345678", birth_year=TODAY.year - 30,
                            gender="female", postcode="4000", languages={"da": 3}, interests=["fodbold"],
                            availability=1)


@case("sign up with the same e-mail four times at once")
def _signup_same_email(kit: Kit) -> Race:
    from models.organisations import Program
    from models.signup import register_volunteer

    email = f"sofie{kit.serial}-{uuid.uuid4().hex[:6]}@example.org"

    def signup(s: Session) -> Any:
        result = register_volunteer(s, _get(s, Program, kit.program.id), email, "et langt kodeord", _details(kit), TODAY)
        s.commit()
        return result

    return Race([signup] * 4)


@case("confirm the same e-mail twice")
def _confirm_double(kit: Kit) -> Race:
    from models.signup import confirm_email
    from models.users import User

    user = b.make_user(kit.session, kit.organisation, "volunteer")
    user.email_confirmed_at = None
    b.make_volunteer(kit.session, kit.program, user=user, status="applicant")
    return Race([lambda s: confirm_email(s, _get(s, User, user.id))] * 2, winners=None)


# --- erasure ------------------------------------------------------------------------------

@case("the volunteer deletes their account while the coordinator closes their match")
def _erase_volunteer_vs_close(kit: Kit) -> Race:
    from models.users import User
    from models.volunteer_profile import erase_volunteer
    from models.volunteers import Volunteer

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer)
    user_id = volunteer.user_id
    return Race([_close(kit, match, kit.coordinator, None),
                 lambda s: erase_volunteer(s, _get(s, Volunteer, volunteer.id), _get(s, User, user_id), TODAY)],
                winners=None)


@case("a youth is erased while the coordinator closes their match")
def _erase_mentee_vs_close(kit: Kit) -> Race:
    from models.retention import erase_mentee

    request = kit.request()
    match = kit.match(request, kit.volunteer())
    return Race([_close(kit, match, kit.coordinator, None),
                 lambda s: erase_mentee(s, "Youth", request.youth_id, kit.admin, TODAY)], winners=None)


@case("a volunteer deletes their account twice")
def _erase_volunteer_double(kit: Kit) -> Race:
    from models.users import User
    from models.volunteer_profile import erase_volunteer
    from models.volunteers import Volunteer

    volunteer = kit.volunteer(with_user=True)
    kit.match(kit.request(), volunteer)
    user_id = volunteer.user_id
    return Race([lambda s: erase_volunteer(s, _get(s, Volunteer, volunteer.id), _get(s, User, user_id), TODAY)] * 2,
                winners=None)


# --- notes --------------------------------------------------------------------------------

@case("add one note twice (double click)")
def _note_double(kit: Kit) -> Race:
    from models.notes import Note, add_note

    volunteer = kit.volunteer()
    token = key()

    def check(session: Session, outcome: Outcome) -> list[str]:
        notes = count(session, Note, Note.subject_id == volunteer.id, Note.subject_type == "Volunteer")
        return [f"{notes} notes from one form"] if notes != 1 else []

    return Race([lambda s: call(add_note, s, kit.coordinator, "Volunteer", volunteer.id, "Ringede", submit_key=token)]
                * 2, winners=None, check=check)


# --- match runs ---------------------------------------------------------------------------

@case("a match run stores its proposals while an older proposal is approved")
def _run_vs_approve(kit: Kit) -> Race:
    from matching.run import execute_run, start_run
    from models.organisations import Program
    from models.proposals import approve_proposal

    request, volunteer = kit.request(), kit.volunteer()
    kit.request()
    kit.volunteer()
    proposal = kit.proposal(request, volunteer)
    kit.session.commit()
    run = start_run(kit.session, kit.session.get(Program, kit.program.id), kit.coordinator.id)
    return Race([lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY),
                 lambda s: execute_run(kit.engine, run.id, TODAY)], winners=None)


# --- more double submits and rivals ---------------------------------------------------------

@case("sign up twice from the same form (double click)")
def _signup_double(kit: Kit) -> Race:
    from models.organisations import Program
    from models.signup import register_volunteer
    from models.users import User

    email = f"dobbelt{kit.serial}-{uuid.uuid4().hex[:6]}@example.org"
    token = key()

    def signup(s: Session) -> Any:
        result = call(register_volunteer, s, _get(s, Program, kit.program.id), email, "et langt kodeord",
                      _details(kit), TODAY, submit_key=token)
        s.commit()
        return result

    def check(session: Session, outcome: Outcome) -> list[str]:
        users = count(session, User, User.email == email)
        return [f"{users} accounts from one sign-up form"] if users != 1 else []

    return Race([signup] * 3, check=check)


@case("register the same youth twice from one form (double click)")
def _intake_double(kit: Kit) -> Race:
    from models.intake import ConsentDraft, MenteeDraft, RequestDraft, register_youth
    from models.mentees import Youth

    surname = f"Dobbelt{kit.serial}{uuid.uuid4().hex[:4]}"
    token = key()

    def register(s: Session) -> Any:
        return call(register_youth, s, kit.coordinator, TODAY, first_name="Ali", last_name=surname,
                    birth_year=TODAY.year - 15, gender="male",
                    profile=MenteeDraft(postcode="4000", languages={"da": 3}, availability=1),
                    consent=ConsentDraft("Mor", "guardian", TODAY),
                    request=RequestDraft(program=kit.program, need="En voksenven"), submit_key=token)

    def check(session: Session, outcome: Outcome) -> list[str]:
        youths = count(session, Youth, Youth.last_name == surname)
        return [f"{youths} youths from one intake form"] if youths != 1 else []

    return Race([register] * 2, check=check)


@case("accept one invitation in two tabs at once")
def _accept_invitation_twice(kit: Kit) -> Race:
    from models.links import choose_password_from_link

    invited = b.make_user(kit.session, kit.organisation, "coordinator")
    invited.password_hash = ""
    invited.email_confirmed_at = None
    kit.session.add(invited)

    def accept(password: str) -> Attempt:
        # The link's fingerprint was made from the empty password: it fits until a password is set.
        return lambda s: choose_password_from_link(s, invited.id, lambda u: u.password_hash == "", password,
                                                   confirm_email=True)

    return Race([accept("første kodeord 123"), accept("andet kodeord 456")])


@case("fail a screening step while the volunteer is approved")
def _step_vs_approve(kit: Kit) -> Race:
    from models.screening import approve_volunteer, record_step
    from models.volunteers import Volunteer

    volunteer = _screened(kit)
    step = kit.program.required_steps[0]
    return Race([lambda s: approve_volunteer(s, _get(s, Volunteer, volunteer.id), kit.coordinator, TODAY),
                 lambda s: record_step(s, _get(s, Volunteer, volunteer.id), step, "failed", kit.coordinator2, TODAY,
                                       "", TODAY)])


@case("erase one youth twice")
def _erase_mentee_double(kit: Kit) -> Race:
    from models.retention import erase_mentee

    request = kit.request()
    kit.match(request, kit.volunteer())
    return Race([lambda s, by=by: erase_mentee(s, "Youth", request.youth_id, by, TODAY)
                 for by in (kit.admin, kit.admin2)])


@case("a youth is erased while a proposal of theirs is approved")
def _erase_mentee_vs_approve(kit: Kit) -> Race:
    from models.proposals import approve_proposal
    from models.retention import erase_mentee

    request = kit.request()
    proposal = kit.proposal(request, kit.volunteer())
    return Race([lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY),
                 lambda s: erase_mentee(s, "Youth", request.youth_id, kit.admin, TODAY)], winners=None)


@case("a volunteer deletes their account while a proposal of theirs is approved")
def _erase_volunteer_vs_approve(kit: Kit) -> Race:
    from models.proposals import approve_proposal
    from models.users import User
    from models.volunteer_profile import erase_volunteer
    from models.volunteers import Volunteer

    volunteer = kit.volunteer(with_user=True)
    proposal = kit.proposal(kit.request(), volunteer)
    user_id = volunteer.user_id
    return Race([lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY),
                 lambda s: erase_volunteer(s, _get(s, Volunteer, volunteer.id), _get(s, User, user_id), TODAY)],
                winners=None)


@case("an admin is deactivated while inviting someone")
def _deactivate_vs_invite(kit: Kit) -> Race:
    from models.staff import invite_staff, set_active

    email = f"inviteret{kit.serial}-{uuid.uuid4().hex[:6]}@example.org"
    return Race([lambda s: set_active(s, kit.admin, kit.admin2.id, False),
                 lambda s: invite_staff(s, kit.admin2, name="Ny", email=email, role="admin",
                                        link_for=lambda user: "http://makker.test/invitation")], winners=None)


# --- consent and meeting rhythm (programme rules, issue 12) --------------------------------

def _consent_of(kit: Kit, youth_id: int) -> Any:
    from models.consent import ConsentRecord

    return kit.session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "youth",
                                                        ConsentRecord.subject_id == youth_id)).one()


def _withdraw(kit: Kit, consent_id: int, by: Any) -> Attempt:
    from models.consent import withdraw_consent

    return lambda s: withdraw_consent(s, consent_id, by, TODAY, withdrawn_on=TODAY, withdrawn_by="Mor")


@case("withdraw one consent twice")
def _withdraw_double(kit: Kit) -> Race:
    consent = _consent_of(kit, kit.request().youth_id)
    return Race([_withdraw(kit, consent.id, kit.coordinator), _withdraw(kit, consent.id, kit.coordinator2)])


@case("record one further consent twice (double click)")
def _add_consent_double(kit: Kit) -> Race:
    from models.consent import ConsentDraft, ConsentRecord, add_consent

    youth_id = kit.request().youth_id
    token = key()

    def record(s: Session) -> Any:
        return add_consent(s, kit.coordinator, "youth", youth_id, ConsentDraft("Far", "guardian", TODAY), TODAY,
                           submit_key=token)

    def check(session: Session, outcome: Outcome) -> list[str]:
        records = count(session, ConsentRecord, ConsentRecord.subject_type == "youth",
                        ConsentRecord.subject_id == youth_id, ConsentRecord.given_by == "Far")
        return [f"{records} consents from one form"] if records != 1 else []

    return Race([record] * 2, check=check)


@case("consent is withdrawn while a proposal of the youth is approved")
def _withdraw_vs_approve(kit: Kit) -> Race:
    from models.mentees import Request
    from models.proposals import approve_proposal

    request = kit.request()
    proposal = kit.proposal(request, kit.volunteer())
    consent = _consent_of(kit, request.youth_id)

    def check(session: Session, outcome: Outcome) -> list[str]:
        from models.matches import Match

        session.rollback()
        status = session.get(Request, request.id, populate_existing=True).status
        opened = [m.id for m in session.exec(select(Match).where(Match.request_id == request.id))]
        withdrawal = outcome.answers[0].value
        if status == "consent_withdrawn" and opened:
            return [f"request {request.id} paused for withdrawn consent but matched {opened}"]
        if withdrawal is not None and opened and withdrawal.open_matches != opened:
            # The approval won: the coordinator must be told which match to close.
            return [f"withdrawal named {withdrawal.open_matches}, open matches {opened}"]
        return []

    return Race([_withdraw(kit, consent.id, kit.coordinator),
                 lambda s: approve_proposal(s, proposal.id, kit.coordinator2, TODAY)], winners=(1, 2), check=check)


@case("set the meeting rhythm while the match is closed")
def _rhythm_vs_close(kit: Kit) -> Race:
    from models.meetings import set_meeting_rhythm

    match = kit.match(kit.request(), kit.volunteer())
    rhythm = "weekly"
    return Race([lambda s: set_meeting_rhythm(s, match.id, kit.coordinator.id, rhythm),
                 _close(kit, match, kit.coordinator2, None)], winners=(1, 2))


# --- the task queue's claims (issue 16) -----------------------------------------------------

def lost_when_false(claim: Attempt) -> Attempt:
    """A claim that answers False (someone else holds it) is a lost race: the harness counts winners."""
    from models.errors import Conflict

    def attempt(s: Session) -> Any:
        result = claim(s)
        if result is False or result is None:
            raise Conflict("Someone else has it.")
        return result

    return attempt


@case("two coordinators start the same program's match run at once")
def _queue_run_twice(kit: Kit) -> Race:
    from models.matchruns import ACTIVE_RUN_STATUSES, MatchRun, queue_run
    from models.organisations import Program

    def start(s: Session) -> Any:
        return queue_run(s, s.get(Program, kit.program.id), kit.coordinator.id)

    def check(session: Session, outcome: Outcome) -> list[str]:
        runs = count(session, MatchRun, MatchRun.program_id == kit.program.id,
                     MatchRun.status.in_(ACTIVE_RUN_STATUSES))
        return [f"{runs} active runs of one program"] if runs != 1 else []

    return Race([start] * 3, check=check)


@case("two workers claim the same queued match run")
def _claim_run_twice(kit: Kit) -> Race:
    from models.clock import utcnow
    from models.matchruns import MatchRun, claim_run

    run = MatchRun(organisation_id=kit.organisation.id, program_id=kit.program.id, status="queued")
    kit.session.add(run)
    kit.session.flush()
    now = utcnow()
    return Race([lost_when_false(lambda s, w=w: claim_run(s, run.id, f"worker{w}", now)) for w in range(3)])


@case("two senders claim the same e-mail")
def _claim_message_twice(kit: Kit) -> Race:
    from models.clock import utcnow
    from models.outbox import claim_message, queue_email

    message = queue_email(kit.session, to=f"modtager{kit.serial}@example.org", subject="Hej", body="Hej",
                          kind="test", organisation_id=kit.organisation.id)
    kit.session.flush()
    now = utcnow()
    return Race([lost_when_false(lambda s: claim_message(s, message.id, now))] * 3)


@case("two schedulers take the same periodic slot")
def _take_slot_twice(kit: Kit) -> Race:
    from models.clock import utcnow
    from models.jobs.operations import take_slot

    slot = f"{TODAY.isoformat()}-{kit.serial}-{uuid.uuid4().hex[:6]}"
    now = utcnow()
    return Race([lost_when_false(lambda s: take_slot(s, "race-test", slot, now))] * 3)


# --- safeguarding papers (issue 15) ---------------------------------------------------------

@case("sign one text twice at once")
def _sign_twice(kit: Kit) -> Race:
    from models.safeguard.operations import sign_text
    from models.safeguard.tables import SafeguardText, Signature

    volunteer = kit.volunteer(status="screening", with_user=True)
    user = kit.session.get(type(kit.coordinator), volunteer.user_id)

    def check(session: Session, outcome: Outcome) -> list[str]:
        problems = []
        if count(session, Signature, Signature.volunteer_id == volunteer.id) != 1:
            problems.append("the volunteer signed the same version twice")
        if count(session, SafeguardText, SafeguardText.organisation_id == kit.organisation.id) != 1:
            problems.append("the default text was stored twice")
        return problems

    return Race([lambda s: sign_text(s, volunteer.id, "confidentiality", 1, volunteer.name, user, TODAY)] * 2,
                check=check)


@case("two volunteers sign the default text at once")
def _first_signers(kit: Kit) -> Race:
    from models.safeguard.operations import sign_text
    from models.safeguard.tables import SafeguardText, Signature

    volunteers = [kit.volunteer(status="screening", with_user=True) for _ in range(2)]

    def check(session: Session, outcome: Outcome) -> list[str]:
        texts = count(session, SafeguardText, SafeguardText.organisation_id == kit.organisation.id)
        signed = count(session, Signature, Signature.organisation_id == kit.organisation.id)
        return [f"{texts} stored defaults, {signed} signatures (want 1 and 2)"] if (texts, signed) != (1, 2) else []

    return Race([lambda s, v=v: sign_text(s, v.id, "agreement", 1, v.name, kit.admin, TODAY) for v in volunteers],
                winners=2, check=check)


@case("publish a new version while a volunteer signs the old one")
def _publish_vs_sign(kit: Kit) -> Race:
    from models.safeguard.operations import publish_text, sign_text
    from models.safeguard.tables import SafeguardText, Signature

    volunteer = kit.volunteer(status="screening")

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        versions = sorted(session.exec(select(SafeguardText.version).where(
            SafeguardText.organisation_id == kit.organisation.id)))
        signed = session.exec(select(Signature).where(Signature.volunteer_id == volunteer.id)).all()
        problems = [] if versions == [1, 2] else [f"text versions {versions} (want the default and one new)"]
        if any(s.version != 1 for s in signed):
            problems.append("a signature names a version the volunteer never read")
        return problems

    return Race([lambda s: sign_text(s, volunteer.id, "agreement", 1, volunteer.name, kit.admin, TODAY),
                 lambda s: publish_text(s, kit.organisation.id, "agreement", "Frivilligaftale",
                                        "En ny aftale om, hvad frivillige gør og ikke gør.", kit.admin2)],
                winners=None, check=check)


@case("two admins publish a new version at once")
def _publish_twice(kit: Kit) -> Race:
    from models.safeguard.operations import publish_text
    from models.safeguard.tables import SafeguardText

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        versions = sorted(session.exec(select(SafeguardText.version).where(
            SafeguardText.organisation_id == kit.organisation.id)))
        return [] if versions == list(range(1, len(versions) + 1)) else [f"versions with gaps or twins: {versions}"]

    return Race([lambda s, a=a, n=n: publish_text(s, kit.organisation.id, "confidentiality", "Tavshedserklæring",
                                                  f"Tavshedspligt, udgave skrevet af administrator {n}.", a)
                 for n, a in enumerate((kit.admin, kit.admin2))], winners=None, check=check)


@case("record one børneattest twice (a double click)")
def _certificate_double(kit: Kit) -> Race:
    from models.safeguard.operations import record_certificate

    volunteer = kit.volunteer()
    token = key()
    return Race([lambda s, by=by: record_certificate(s, volunteer.id, TODAY, "done", by, TODAY, submit_key=token)
                 for by in (kit.coordinator, kit.coordinator)])


@case("raise a concern while the coordinator marks the concerns handled")
def _concern_vs_handled(kit: Kit) -> Race:
    from models.risk_state import MatchRiskState
    from models.safeguard.operations import handle_concerns, raise_concern
    from models.safeguard.tables import Concern

    volunteer = kit.volunteer(with_user=True)
    match = kit.match(kit.request(), volunteer)
    kit.session.add(Concern(organisation_id=kit.organisation.id, volunteer_id=volunteer.id, match_id=match.id))
    kit.session.flush()
    user = kit.session.get(type(kit.coordinator), volunteer.user_id)

    def check(session: Session, outcome: Outcome) -> list[str]:
        # The stored at-risk flag must follow the committed concerns, whatever the order.
        open_ = count(session, Concern, Concern.match_id == match.id, Concern.handled_at.is_(None))
        row = session.get(MatchRiskState, match.id)
        flagged = row is not None and any(f[0] == "worried" for f in row.flags)
        return [f"{open_} open concerns but the at-risk flag says {flagged}"] if bool(open_) != flagged else []

    return Race([lambda s: raise_concern(s, volunteer.id, match.id, "", user, TODAY, "http://x", submit_key=key()),
                 lambda s: handle_concerns(s, match.id, kit.coordinator, TODAY)], winners=None, check=check)


# --- events (issue 15) ------------------------------------------------------------------------

def _event_kit(kit: Kit, capacity: int, volunteers: int) -> tuple[Any, list[Any]]:
    event = b.make_event(kit.session, [kit.program], capacity=capacity, audience="all")
    return event, [kit.volunteer() for _ in range(volunteers)]


def _places(event_id: int, expect_taken: int, expect_waiting: int) -> Callable[[Session, Outcome], list[str]]:
    def check(session: Session, _outcome: Outcome) -> list[str]:
        from models.events.tables import EventSignup

        taken = count(session, EventSignup, EventSignup.event_id == event_id, EventSignup.status == "signed_up")
        waiting = count(session, EventSignup, EventSignup.event_id == event_id, EventSignup.status == "waiting")
        if (taken, waiting) != (expect_taken, expect_waiting):
            return [f"event {event_id}: {taken} places and {waiting} waiting, expected {expect_taken} and "
                    f"{expect_waiting}"]
        return []
    return check


@case("two volunteers take the last place of an event")
def _event_last_place(kit: Kit) -> Race:
    from models.clock import utcnow
    from models.events.operations import sign_up

    event, (first, second) = _event_kit(kit, capacity=1, volunteers=2)
    now = utcnow()
    # Both are answered: one gets the place, the other the first place on the waiting list.
    return Race([lambda s, v=v: sign_up(s, event.id, v.id, now) for v in (first, second)], winners=2,
                check=_places(event.id, 1, 1))


@case("a place is given back while another volunteer signs up for the full event")
def _event_cancel_vs_sign_up(kit: Kit) -> Race:
    from models.clock import utcnow
    from models.events.operations import cancel_signup, sign_up

    event, (holder, next_in_line, newcomer) = _event_kit(kit, capacity=1, volunteers=3)
    b.make_signup(kit.session, event, holder)
    b.make_signup(kit.session, event, next_in_line, status="waiting")
    now = utcnow()

    def check(session: Session, outcome: Outcome) -> list[str]:
        from models.events.queries import signup_of

        problems = _places(event.id, 1, 1)(session, outcome)
        moved = signup_of(session, event.id, next_in_line.id)
        if moved is None or moved.status != "signed_up":
            problems.append(f"the first on the waiting list of event {event.id} did not get the free place")
        return problems

    return Race([lambda s: cancel_signup(s, event.id, holder.id, now),
                 lambda s: sign_up(s, event.id, newcomer.id, now)], winners=2, check=check)


@case("sign up for an event twice (double click)")
def _event_double_sign_up(kit: Kit) -> Race:
    from models.clock import utcnow
    from models.events.operations import sign_up

    event, (volunteer,) = _event_kit(kit, capacity=5, volunteers=1)
    token, now = key(), utcnow()
    return Race([lambda s: sign_up(s, event.id, volunteer.id, now, submit_key=token)] * 2,
                check=_places(event.id, 1, 0))


@case("attendance saved twice while a volunteer gives the place back")
def _event_attendance_vs_cancel(kit: Kit) -> Race:
    from models.events.operations import cancel_signup, record_attendance

    event = b.make_event(kit.session, [kit.program], kind="intro_course", days_ahead=0, hour=0, hours=1,
                         audience="new")
    volunteer = kit.volunteer(status="screening")
    signup = b.make_signup(kit.session, event, volunteer)
    from models.clock import utcnow

    now = utcnow()
    # The event began at midnight: the place can no longer be given back; attendance is recorded once.
    return Race([lambda s: record_attendance(s, event.id, {signup.id: 60}, kit.coordinator, TODAY),
                 lambda s: record_attendance(s, event.id, {signup.id: 60}, kit.coordinator2, TODAY),
                 lambda s: cancel_signup(s, event.id, volunteer.id, now)], winners=2)

# --- families (issue 14): the team around a family ------------------------------------------------

def _team_world(kit: Kit, families: int, capacity: int) -> tuple[list[Any], Any]:
    from models.families.tables import Professional

    households = [b.make_household(kit.session, kit.organisation) for _ in range(families)]
    professional = Professional(organisation_id=kit.organisation.id, name=f"Fagperson {kit.serial}",
                                capacity=capacity)
    kit.session.add(professional)
    kit.session.flush()
    return households, professional


@case("two coordinators give the last place of a professional to two families")
def _team_last_place(kit: Kit) -> Race:
    from models.families.tables import TeamMember
    from models.families.teams import set_team

    households, professional = _team_world(kit, 3, capacity=2)
    key_ = f"professional:{professional.id}"

    def check(session: Session, outcome: Outcome) -> list[str]:
        n = count(session, TeamMember, TeamMember.professional_id == professional.id)
        return [f"professional of capacity 2 is on {n} teams"] if n > 2 else []

    return Race([lambda s, h=h, c=c: set_team(s, c, h.id, [key_], key_, TODAY)
                 for h, c in zip(households, (kit.coordinator, kit.coordinator2, kit.coordinator), strict=True)],
                winners=2, check=check)


@case("two coordinators compose one family's team at once")
def _team_same_family(kit: Kit) -> Race:
    from models.families.tables import FamilyTeam, TeamMember
    from models.families.teams import set_team

    (household,), professional = _team_world(kit, 1, capacity=5)
    volunteer = kit.volunteer(supports="family")
    team = FamilyTeam(organisation_id=kit.organisation.id, household_id=household.id)
    kit.session.add(team)
    kit.session.flush()
    seen = team.version
    p_key, v_key = f"professional:{professional.id}", f"volunteer:{volunteer.id}"

    def check(session: Session, outcome: Outcome) -> list[str]:
        primaries = count(session, TeamMember, TeamMember.team_id == team.id, TeamMember.primary)
        return [f"{primaries} primary contacts on one team"] if primaries != 1 else []

    return Race([lambda s: set_team(s, kit.coordinator, household.id, [p_key], p_key, TODAY, expected_version=seen),
                 lambda s: set_team(s, kit.coordinator2, household.id, [p_key, v_key], v_key, TODAY,
                                    expected_version=seen)], check=check)


@case("two coordinators ask for a team proposal for the same family at once")
def _team_run_once(kit: Kit) -> Race:
    from models.families.tables import FamilyTeamRun
    from models.families.team_runs import queue_team_run

    (household,), _professional = _team_world(kit, 1, capacity=5)

    def check(session: Session, outcome: Outcome) -> list[str]:
        n = count(session, FamilyTeamRun, FamilyTeamRun.household_id == household.id,
                  FamilyTeamRun.status.in_(("queued", "running")))
        return [f"{n} team runs going for one family"] if n != 1 else []

    return Race([lambda s: queue_team_run(s, kit.coordinator, household.id),
                 lambda s: queue_team_run(s, kit.coordinator2, household.id)], check=check)


@case("two coordinators record progress of two families at once")
def _progress_marks_figures(kit: Kit) -> Race:
    from models.families.operations import ensure_catalogue, record_progress
    from models.families.tables import FamilyFiguresState, Measure
    from models.mentees import HouseholdMember

    households = [b.make_household(kit.session, kit.organisation) for _ in range(2)]
    ensure_catalogue(kit.session, kit.organisation.id)
    measure = kit.session.exec(select(Measure).where(Measure.organisation_id == kit.organisation.id,
                                                     Measure.code == "danish_network")).one()
    answers = []
    for h in households:
        member = kit.session.exec(select(HouseholdMember).where(HouseholdMember.household_id == h.id)).first()
        answers.append((h, {(member.id, measure.id): True}))

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        state = session.get(FamilyFiguresState, kit.organisation.id, populate_existing=True)
        wins = len(outcome.winners)
        if state is None or state.version != wins or state.stale_since is None:
            return [f"figures state {state and state.version} after {wins} recorded progress"]
        return []

    return Race([lambda s, h=h, v=v, c=c: record_progress(s, c, h.id, "entry", TODAY, v, TODAY)
                 for (h, v), c in zip(answers, (kit.coordinator, kit.coordinator2), strict=True)],
                winners=2, check=check)


@case("a volunteer marks an agreement done twice while the coordinator drops it")
def _agreement_done_vs_dropped(kit: Kit) -> Race:
    from models.families.operations import set_agreement_status, volunteer_marks_done
    from models.families.tables import FamilyAgreement, FamilyPlan, FamilyTeam, TeamMember

    household = b.make_household(kit.session, kit.organisation)
    volunteer = kit.volunteer(with_user=True, supports="family")
    user = kit.session.get(type(kit.coordinator), volunteer.user_id)
    plan = FamilyPlan(organisation_id=kit.organisation.id, household_id=household.id)
    team = FamilyTeam(organisation_id=kit.organisation.id, household_id=household.id)
    kit.session.add_all([plan, team])
    kit.session.flush()
    kit.session.add(TeamMember(organisation_id=kit.organisation.id, team_id=team.id, volunteer_id=volunteer.id,
                               primary=True, added_on=TODAY))
    agreement = FamilyAgreement(organisation_id=kit.organisation.id, plan_id=plan.id, text="Ring til skolen",
                                owner_kind="volunteer", owner_volunteer_id=volunteer.id)
    kit.session.add(agreement)
    kit.session.flush()

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        row = session.get(FamilyAgreement, agreement.id)
        if row.status == "done" and (row.done_on is None or row.done_by_id is None):
            return ["a done agreement without who and when"]
        if row.status == "dropped" and row.done_on is not None:
            return ["a dropped agreement with a done date"]
        return []

    return Race([lambda s: volunteer_marks_done(s, user, agreement.id, TODAY),
                 lambda s: volunteer_marks_done(s, user, agreement.id, TODAY),
                 lambda s: set_agreement_status(s, kit.coordinator, agreement.id, "dropped", TODAY)],
                winners=None, check=check)


# --- spreadsheet import (issue 17) ---

def _imported_volunteers(kit: Kit, n: int = 3) -> Any:
    """A finished import of ``n`` volunteers into the kit's program (its own e-mail domain)."""
    from models.imports import operations as ops

    head = "Navn;E-mail;Fødselsår;Køn;Postnr;Status\r\n"
    rows = "".join(f"Race{i} Person{i};race{kit.serial}x{i}@import{kit.serial}.dk;1980;K;4000;Godkendt\r\n"
                   for i in range(n))
    kit.session.commit()
    batch = ops.upload(kit.session, kit.coordinator, kit.program.id, "volunteers", "race.csv", (head + rows).encode())
    ops.start_import(kit.session, kit.coordinator, batch.id, TODAY)
    ops.run_import(kit.session, batch.id, TODAY, lambda user: f"http://race/{user.id}")
    return batch


def _plain(kit: Kit, user: Any) -> Any:
    """A copy of a staff user bound to no session: the attempts read it from several threads,
    and the import's own commits have expired the kit's objects."""
    from models.users import User

    kit.session.refresh(user)
    return User(**user.model_dump())


def _imported_left(kit: Kit) -> Callable[[Session, Outcome], list[str]]:
    from models.imports.tables import ImportBatch, ImportedRecord
    from models.volunteers import Volunteer

    def check(s: Session, _outcome: Outcome) -> list[str]:
        s.rollback()
        batch = s.exec(select(ImportBatch).where(ImportBatch.organisation_id == kit.organisation.id)).one()
        people = count(s, Volunteer, Volunteer.email.like(f"%@import{kit.serial}.dk"))
        records = count(s, ImportedRecord, ImportedRecord.batch_id == batch.id)
        if batch.status == "undone" and (people or records):
            return [f"undone import left {people} volunteers and {records} records"]
        if batch.status == "done" and people != records:
            return [f"import done with {people} volunteers but {records} records"]
        return []


def _imported(outcome: Any) -> Any:
    """The job returns None when the batch failed with a reason on it: as the user sees it,
    that import did not happen (the batch page says why)."""
    from models.errors import DomainError

    if outcome is None:
        raise DomainError("The import failed; nothing was imported.")
    return outcome


@case("two files with the same volunteers imported at once")
def _two_imports_same_people(kit: Kit) -> Race:
    """The duplicate check runs under the organisation's lock right before the write: the
    second import finds the first one's people and stops (nothing half-imported), never a 500."""
    from models.imports import operations as ops
    from models.volunteers import Volunteer

    head = "Navn;E-mail;Fødselsår;Køn;Postnr;Status\r\n"
    rows = "".join(f"Twice{i} Person{i};twice{kit.serial}x{i}@import{kit.serial}.dk;1980;K;4000;Godkendt\r\n"
                   for i in range(3))
    kit.session.commit()
    batches = []
    for by in (kit.coordinator, kit.coordinator2):
        batch = ops.upload(kit.session, by, kit.program.id, "volunteers", "same.csv", (head + rows).encode())
        ops.start_import(kit.session, by, batch.id, TODAY)
        batches.append(batch.id)

    def check(s: Session, _outcome: Outcome) -> list[str]:
        s.rollback()
        people = count(s, Volunteer, Volunteer.email.like(f"%@import{kit.serial}.dk"))
        return [] if people == 3 else [f"{people} volunteers from two imports of the same 3 people"]

    return Race([lambda s, b=batch_id: _imported(ops.run_import(s, b, TODAY, lambda user: "http://race/x"))
                 for batch_id in batches], winners=1, check=check)


@case("two imports of the same pairs sheet at once")
def _two_pair_imports(kit: Kit) -> Race:
    """Both files pass their preview; under the organisation's lock the second finds the
    requests matched by the first and fails whole: one match per pair, never two."""
    from models.imports import operations as ops
    from models.matches import Match

    volunteer = kit.volunteer(capacity=2)
    requests = [kit.request(), kit.request()]
    kit.session.commit()
    start = (TODAY - timedelta(days=90)).strftime("%d-%m-%Y")
    sheet = "Anmodning-id;Frivillig e-mail;Startdato\r\n" + "".join(
        f"{r.id};{volunteer.email};{start}\r\n" for r in requests)
    batches = []
    for by in (kit.coordinator, kit.coordinator2):
        batch = ops.upload(kit.session, by, kit.program.id, "pairs", "par.csv", sheet.encode())
        ops.start_import(kit.session, by, batch.id, TODAY)
        batches.append(batch.id)

    def check(s: Session, _outcome: Outcome) -> list[str]:
        s.rollback()
        matches = count(s, Match, Match.request_id.in_([r.id for r in requests]))
        return [] if matches == 2 else [f"{matches} matches from two imports of the same 2 pairs"]

    return Race([lambda s, b=batch_id: _imported(ops.run_import(s, b, TODAY, lambda user: "http://race/x"))
                 for batch_id in batches], winners=1, check=check)


@case("an admin asks for the export twice at once (double click)")
def _export_double(kit: Kit) -> Race:
    from models.imports.exports import request_export
    from models.imports.tables import ExportFile

    admin = _plain(kit, kit.admin)

    def check(s: Session, _outcome: Outcome) -> list[str]:
        s.rollback()
        n = count(s, ExportFile, ExportFile.requested_by_id == admin.id)
        return [] if n == 1 else [f"{n} exports made for one double click"]

    return Race([lambda s: request_export(s, admin, "xlsx"), lambda s: request_export(s, admin, "xlsx")],
                winners=2, check=check)


# --- referrals (issue 13) -------------------------------------------------------------------

REFERRAL_LINK = "http://test/henviser/1"


def _referrer(kit: Kit) -> Any:
    unit = b.make_unit(kit.session, kit.organisation, [kit.program])
    return b.make_referrer(kit.session, unit)


def _referral(kit: Kit, **fields: Any) -> Any:
    return b.make_referral(kit.session, _referrer(kit), kit.program, **fields)


def _accept(referral_id: int, by: Any, submit_key: str | None = None) -> Attempt:
    from models.referrals.operations import Acceptance, accept_referral

    return lambda s: call(accept_referral, s, by, referral_id, Acceptance("En voksen at tale med", 1), TODAY,
                          lambda r: REFERRAL_LINK, submit_key=submit_key)


def _decline(referral_id: int, by: Any) -> Attempt:
    from models.referrals.operations import decline_referral

    return lambda s: decline_referral(s, by, referral_id, "other_offer", "Klubben passer bedre.", lambda r: REFERRAL_LINK)


def _one_intake(referral: Any) -> Callable[[Session, Outcome], list[str]]:
    """Nothing half-written: an accepted referral made exactly one youth and one request, the
    consents became the youth's; any other referral made nobody."""
    from models.consent import ConsentRecord
    from models.mentees import Request, Youth
    from models.referrals.tables import Referral

    def check(session: Session, outcome: Outcome) -> list[str]:
        youths = count(session, Youth, Youth.first_name == referral.first_name,
                       Youth.organisation_id == referral.organisation_id)
        row = session.get(Referral, referral.id)
        requests = count(session, Request, Request.youth_id == row.youth_id) if row.youth_id else 0
        left = count(session, ConsentRecord, ConsentRecord.subject_type == "referral",
                     ConsentRecord.subject_id == referral.id)
        if row.status == "accepted":
            problems = [f"{youths} youths made from one referral"] if youths != 1 else []
            problems += [f"{requests} requests made from one referral"] if requests != 1 else []
            problems += ["the consents stayed on the accepted referral"] if left else []
            return problems
        return [f"a {row.status} referral made {youths} youths"] if youths else []

    return check


@case("undo one import twice (double click and a second admin)")
def _undo_import_double(kit: Kit) -> Race:
    from models.imports.operations import undo_import

    batch = _imported_volunteers(kit)
    token = key()
    admin, admin2 = _plain(kit, kit.admin), _plain(kit, kit.admin2)
    return Race([lambda s: undo_import(s, admin, batch.id, TODAY, submit_key=token),
                 lambda s: undo_import(s, admin, batch.id, TODAY, submit_key=token),
                 lambda s: undo_import(s, admin2, batch.id, TODAY, submit_key=key())],
                winners=(1, 2), check=_imported_left(kit))


@case("undo an import while a proposal of an imported volunteer is approved")
def _undo_import_vs_approve(kit: Kit) -> Race:
    from models.imports.operations import undo_import
    from models.imports.tables import ImportedRecord
    from models.proposals import approve_proposal
    from models.volunteers import Volunteer

    batch = _imported_volunteers(kit, 2)
    record = kit.session.exec(select(ImportedRecord).where(ImportedRecord.batch_id == batch.id,
                                                           ImportedRecord.record_type == "Volunteer")).first()
    volunteer = kit.session.get(Volunteer, record.record_id)
    proposal = kit.proposal(kit.request(), volunteer)
    kit.session.commit()
    admin, coordinator = _plain(kit, kit.admin), _plain(kit, kit.coordinator)
    return Race([lambda s: undo_import(s, admin, batch.id, TODAY),
                 lambda s: approve_proposal(s, proposal.id, coordinator, TODAY)],
                winners=1, check=_imported_left(kit))


@case("an imported volunteer confirms while the import is undone")
def _confirm_vs_undo(kit: Kit) -> Race:
    from models.imports.operations import confirm_imported_volunteer, undo_import
    from models.imports.tables import ImportedRecord
    from models.volunteers import Volunteer

    batch = _imported_volunteers(kit, 2)
    record = kit.session.exec(select(ImportedRecord).where(ImportedRecord.batch_id == batch.id,
                                                           ImportedRecord.record_type == "Volunteer")).first()
    user_id = kit.session.get(Volunteer, record.record_id).user_id
    kit.session.commit()
    admin = _plain(kit, kit.admin)
    return Race([lambda s: undo_import(s, admin, batch.id, TODAY),
                 lambda s: confirm_imported_volunteer(s, user_id, "en lang og god adgangskode", TODAY)],
                winners=1, check=_imported_left(kit))


@case("two workers run the same import job")
def _run_import_twice(kit: Kit) -> Race:
    from models.imports import operations as ops

    head = "Navn;E-mail;Fødselsår;Køn;Postnr\r\n"
    rows = "".join(f"Job{i} Person{i};job{kit.serial}x{i}@import{kit.serial}.dk;1985;M;4000\r\n" for i in range(4))
    kit.session.commit()
    batch = ops.upload(kit.session, kit.coordinator, kit.program.id, "volunteers", "job.csv", (head + rows).encode())
    ops.start_import(kit.session, kit.coordinator, batch.id, TODAY)
    return Race([lost_when_false(lambda s: ops.run_import(s, batch.id, TODAY, lambda user: "http://race/"))] * 2,
                winners=1, check=_imported_left(kit))
@case("two coordinators accept the same referral")
def _accept_twice(kit: Kit) -> Race:
    referral = _referral(kit)
    return Race([_accept(referral.id, kit.coordinator), _accept(referral.id, kit.coordinator2)],
                check=_one_intake(referral))


@case("accept one referral twice (double click)")
def _accept_double(kit: Kit) -> Race:
    referral = _referral(kit)
    token = key()

    def check(session: Session, outcome: Outcome) -> list[str]:
        problems = _one_intake(referral)(session, outcome)
        lost = [a for a in outcome.refused if a not in outcome.already_done()]
        return problems + [f"the second click was told: {a.describe()}" for a in lost]

    return Race([_accept(referral.id, kit.coordinator, token)] * 2, check=check)


@case("two admins hand one caseworker's referrals to two colleagues at once")
def _hand_over_twice(kit: Kit) -> Race:
    from models.referrals.tables import Referral
    from models.referrals.units import hand_over_referrals

    unit = b.make_unit(kit.session, kit.organisation, [kit.program])
    giver, first, second = (b.make_referrer(kit.session, unit) for _ in range(3))
    ids = [b.make_referral(kit.session, giver, kit.program).id for _ in range(2)]

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        owners = set(session.exec(select(Referral.referrer_id).where(Referral.id.in_(ids))))
        # Every referral went to one colleague, and all to the same one: never split, never left behind.
        return [] if len(owners) == 1 and owners <= {first.id, second.id} else [f"referrals now with {owners}"]

    return Race([lambda s, to=to, by=by: hand_over_referrals(s, by, giver.id, to.id)
                 for to, by in ((first, kit.admin), (second, kit.admin2))], winners=None, check=check)


@case("accept and decline the same referral")
def _accept_vs_decline(kit: Kit) -> Race:
    referral = _referral(kit)
    return Race([_accept(referral.id, kit.coordinator), _decline(referral.id, kit.coordinator2)],
                check=_one_intake(referral))


@case("accept a referral while the referrer withdraws it")
def _accept_vs_withdraw(kit: Kit) -> Race:
    from models.referrals.operations import withdraw_referral

    referral = _referral(kit)
    referrer = kit.session.get(type(kit.coordinator), referral.referrer_id)
    return Race([_accept(referral.id, kit.coordinator),
                 lambda s: withdraw_referral(s, referrer, referral.id, "Familien er flyttet.")],
                check=_one_intake(referral))


@case("accept a referral while the referrer corrects it")
def _accept_vs_update(kit: Kit) -> Race:
    from models.referrals.operations import ReferralDraft, update_referral
    from models.referrals.tables import Referral

    referral = _referral(kit)
    referrer = kit.session.get(type(kit.coordinator), referral.referrer_id)
    draft = ReferralDraft(kind="youth", postcode="4000", reason="Rettet: har brug for en voksen.",
                          first_name=referral.first_name, last_name="Larsen", birth_year=referral.birth_year,
                          gender="male", custody="sole", consent_to_referral=True, consent_form_signed=True,
                          consent_to_status=True)
    from models.consent import ConsentDraft

    draft.consents = [ConsentDraft("Forælder Larsen", "guardian", TODAY)]

    def check(session: Session, outcome: Outcome) -> list[str]:
        problems = _one_intake(referral)(session, outcome)
        row = session.get(Referral, referral.id)
        if row.status == "accepted" and row.request_id:
            from models.mentees import Request

            accepted_text = session.get(Request, row.request_id).description
            if accepted_text != row.reason:  # the request says what the referral says
                problems.append("the request was made from a version of the referral that is not the one kept")
        return problems

    return Race([_accept(referral.id, kit.coordinator),
                 lambda s: update_referral(s, referrer, referral.id, draft, TODAY, lambda r: REFERRAL_LINK)],
                winners=None, check=check)  # corrected, then accepted, is a fine order


@case("ask the referrer for more while another coordinator declines")
def _ask_vs_decline(kit: Kit) -> Race:
    from models.referrals.operations import ask_for_more
    from models.referrals.tables import Referral

    referral = _referral(kit)

    def check(session: Session, outcome: Outcome) -> list[str]:
        row = session.get(Referral, referral.id)
        return [] if row.status in ("needs_info", "declined") else [f"the referral ended {row.status}"]

    return Race([lambda s: ask_for_more(s, kit.coordinator, referral.id, "Hvem har forældremyndigheden?",
                                        lambda r: REFERRAL_LINK),
                 _decline(referral.id, kit.coordinator2)], winners=None, check=check)  # ask, then decline: fine


def _matched_referral(kit: Kit, months_ago: int = 2) -> tuple[Any, Any]:
    """An accepted referral with a match that started ``months_ago`` months ago (a status is due)."""
    from models.clock import add_months
    from models.mentees import Request
    from models.referrals.operations import Acceptance, accept_referral

    referral = _referral(kit)
    kit.session.commit()
    accepted = accept_referral(kit.session, kit.coordinator, referral.id, Acceptance("En voksen", 1), TODAY,
                               lambda r: REFERRAL_LINK)
    request = kit.session.get(Request, accepted.request.id)
    match = kit.match(request, kit.volunteer(), started_on=add_months(TODAY, -months_ago),
                      coordinator_id=kit.coordinator.id)
    return accepted.referral, match


def _send_status(referral_id: int, by: Any, submit_key: str | None = None) -> Attempt:
    from models.referrals.statuses import StatusText, save_status

    return lambda s: call(save_status, s, by, referral_id, StatusText("Det går godt; de ses hver uge."), TODAY,
                          send_now=True, link_for_referrer=lambda r: REFERRAL_LINK, submit_key=submit_key)


def _statuses_sent(referral: Any) -> Callable[[Session, Outcome], list[str]]:
    from models.referrals.tables import ReferralStatus

    def check(session: Session, outcome: Outcome) -> list[str]:
        due = list(session.exec(select(ReferralStatus.due_on).where(ReferralStatus.referral_id == referral.id,
                                                                    ReferralStatus.sent_at.is_not(None))))
        answered = [d for d in due if d is not None]
        problems = [f"one planned status answered {len(answered)} times"] if len(answered) != len(set(answered)) else []
        problems += [f"{len(due)} statuses sent for {len(outcome.winners)} sends"] if len(due) != len(
            outcome.winners) else []
        return problems

    return check


@case("send one status twice (double click)")
def _status_double(kit: Kit) -> Race:
    referral, _match = _matched_referral(kit)
    token = key()
    return Race([_send_status(referral.id, kit.coordinator, token)] * 2, check=_statuses_sent(referral))


@case("two coordinators send the status of one referral at once")
def _status_twice(kit: Kit) -> Race:
    referral, _match = _matched_referral(kit)
    # Both may send (the second is an extra status), but one planned date is answered once.
    return Race([_send_status(referral.id, kit.coordinator), _send_status(referral.id, kit.coordinator2)],
                winners=None, check=_statuses_sent(referral))


@case("send a status while the match is closed")
def _status_vs_close(kit: Kit) -> Race:
    from models.followup import close_match
    from models.matches import MatchEvent
    from models.referrals.tables import ReferralStatus

    referral, match = _matched_referral(kit)

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        closed = session.exec(select(MatchEvent.at).where(MatchEvent.match_id == match.id,
                                                          MatchEvent.to_status == "closed")).first()
        sent = session.exec(select(ReferralStatus.sent_at).where(ReferralStatus.referral_id == referral.id,
                                                                 ReferralStatus.sent_at.is_not(None))).first()
        if closed is not None and sent is not None and sent.replace(tzinfo=None) > closed.replace(tzinfo=None):
            return ["a status was sent for a match that had already closed"]
        return []

    return Race([lambda s: close_match(s, match.id, kit.coordinator2, TODAY, _closure()),
                 _send_status(referral.id, kit.coordinator)], winners=None, check=check)


@case("two status reminder runs at once")
def _reminders_twice(kit: Kit) -> Race:
    from models.outbox import OutboxMessage
    from models.referrals.statuses import send_status_reminders

    _matched_referral(kit)

    def check(session: Session, outcome: Outcome) -> list[str]:
        mails = count(session, OutboxMessage, OutboxMessage.to_email == kit.coordinator.email,
                      OutboxMessage.kind == "referral_status_due")
        reminded = sum(a.value.status_reminders for a in outcome.winners)
        problems = [f"{mails} reminder e-mails to one coordinator"] if mails != 1 else []
        return problems + [f"one due status reminded {reminded} times"] if reminded != 1 else problems

    return Race([lambda s: send_status_reminders(s, TODAY, "http://test", kit.organisation.id)] * 2,
                winners=None, check=check)


@case("two closure-notice runs at once")
def _closure_notices_twice(kit: Kit) -> Race:
    from models.followup import close_match
    from models.referrals.statuses import send_closure_notices
    from models.referrals.tables import ReferralMessage

    referral, match = _matched_referral(kit)
    kit.session.commit()
    close_match(kit.session, match.id, kit.coordinator, TODAY, _closure())

    def check(session: Session, outcome: Outcome) -> list[str]:
        notices = count(session, ReferralMessage, ReferralMessage.referral_id == referral.id,
                        ReferralMessage.kind == "closure")
        return [f"the referrer was told {notices} times that the relationship ended"] if notices != 1 else []

    return Race([lambda s: send_closure_notices(s, "http://test", kit.organisation.id)] * 2, winners=None,
                check=check)


@case("the referrer writes a message while the youth is erased")
def _message_vs_erase(kit: Kit) -> Race:
    from models.referrals.operations import post_message
    from models.referrals.tables import Referral, ReferralMessage
    from models.retention import erase_mentee

    referral, _match = _matched_referral(kit)
    referrer = kit.session.get(type(kit.coordinator), referral.referrer_id)

    def check(session: Session, outcome: Outcome) -> list[str]:
        row = session.get(Referral, referral.id)
        kept = count(session, ReferralMessage, ReferralMessage.referral_id == referral.id, ReferralMessage.body != "")
        if row.anonymised_at is not None and kept:
            return ["a message kept its words on an erased referral"]
        return []

    return Race([lambda s: post_message(s, referrer, referral.id, "Mor spørger, hvordan det går.", REFERRAL_LINK),
                 lambda s: erase_mentee(s, "Youth", referral.youth_id, kit.admin, TODAY)], winners=None, check=check)


@case("send one referral twice (double click)")
def _submit_double(kit: Kit) -> Race:
    from models.consent import ConsentDraft
    from models.referrals.operations import ReferralDraft, submit_referral
    from models.referrals.tables import Referral

    referrer = _referrer(kit)
    name = f"Dobbelt{kit.serial}{uuid.uuid4().hex[:4]}"
    draft = ReferralDraft(kind="youth", postcode="4000", reason="Har brug for en voksen.", first_name=name,
                          last_name="Larsen", birth_year=TODAY.year - 14, gender="male", custody="sole",
                          consents=[ConsentDraft("Forælder Larsen", "guardian", TODAY)], consent_to_referral=True,
                          consent_form_signed=True)
    token = key()

    def check(session: Session, outcome: Outcome) -> list[str]:
        made = count(session, Referral, Referral.first_name == name)
        return [f"{made} referrals from one form"] if made != 1 else []

    return Race([lambda s: submit_referral(s, referrer, kit.program.id, draft, TODAY, lambda r: REFERRAL_LINK,
                                           submit_key=token)] * 2, check=check)


@case("send one referral message twice (double click)")
def _message_double(kit: Kit) -> Race:
    from models.referrals.operations import post_message
    from models.referrals.tables import ReferralMessage

    referral = _referral(kit)
    token = key()

    def check(session: Session, outcome: Outcome) -> list[str]:
        made = count(session, ReferralMessage, ReferralMessage.referral_id == referral.id)
        return [f"{made} messages from one form"] if made != 1 else []

    return Race([lambda s: post_message(s, kit.coordinator, referral.id, "Hvem har forældremyndigheden?",
                                        REFERRAL_LINK, submit_key=token)] * 2, check=check)


# --- one person, several programmes (issue 15) ------------------------------------------------

def _second_programme(kit: Kit, volunteer: Any, capacity: int = 1) -> tuple[Any, Any]:
    """A second programme of the kit's organisation, the volunteer an active member of it, and a
    match run there to hang proposals on."""
    from models.matchruns import MatchRun

    second = b.make_program(kit.session, kit.organisation, checkin_plan_days=[14, 30, 90])
    b.join_programme(kit.session, volunteer, second, capacity=capacity)
    run = MatchRun(organisation_id=kit.organisation.id, program_id=second.id, status="done")
    kit.session.add(run)
    kit.session.flush()
    return second, run


def _request_in(kit: Kit, program: Any) -> Any:
    return b.make_request(kit.session, program, youth=b.make_youth(kit.session, kit.organisation))


@case("two coordinators of two programmes approve matches for the same volunteer at once")
def _two_programmes_one_volunteer(kit: Kit) -> Race:
    from models.proposals import approve_proposal

    volunteer = kit.volunteer(capacity=1)
    second, run = _second_programme(kit, volunteer, capacity=1)
    p1 = kit.proposal(kit.request(), volunteer)
    p2 = kit.proposal(_request_in(kit, second), volunteer, run=run)
    # A third for the same places: each programme has room for one, so exactly two win.
    p3 = kit.proposal(kit.request(), volunteer)
    return Race([lambda s: approve_proposal(s, p1.id, kit.coordinator, TODAY),
                 lambda s: approve_proposal(s, p2.id, kit.coordinator2, TODAY),
                 lambda s: approve_proposal(s, p3.id, kit.coordinator, TODAY)], winners=2)


@case("a volunteer leaves a programme while a coordinator approves a match there")
def _leave_vs_approve(kit: Kit) -> Race:
    from models.matches import OPEN_MATCH_STATUSES, Match
    from models.members.operations import leave_program
    from models.members.queries import membership
    from models.proposals import approve_proposal

    volunteer = kit.volunteer(capacity=1, with_user=True)
    second, run = _second_programme(kit, volunteer)
    proposal = kit.proposal(_request_in(kit, second), volunteer, run=run)
    vid, pid = volunteer.id, second.id
    user = kit.session.get(type(kit.coordinator), volunteer.user_id)

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        session.expire_all()
        place = membership(session, vid, pid)
        open_there = count(session, Match, Match.volunteer_id == vid, Match.program_id == pid,
                           Match.status.in_(OPEN_MATCH_STATUSES))
        return [f"left programme {pid} yet {open_there} open match there"] if place.status == "left" and open_there \
            else []

    # Leave first: the approval is refused (not a member any more). Approve first: the leave
    # then closes the new match. Either way nothing is half-written (the invariants).
    return Race([lambda s: leave_program(s, vid, pid, user, TODAY, "Har ikke tid til begge"),
                 lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY)], winners=(1, 2), check=check)


@case("a volunteer lowers their places in a programme while a coordinator approves one more match there")
def _fewer_places_vs_approve(kit: Kit) -> Race:
    from models.matches import OPEN_MATCH_STATUSES, Match
    from models.members.operations import set_programme_capacity
    from models.members.queries import membership
    from models.proposals import approve_proposal

    volunteer = kit.volunteer(capacity=1, with_user=True)
    second, run = _second_programme(kit, volunteer, capacity=2)
    kit.match(_request_in(kit, second), volunteer)  # one of the two places taken
    proposal = kit.proposal(_request_in(kit, second), volunteer, run=run)
    vid, pid = volunteer.id, second.id
    user = kit.session.get(type(kit.coordinator), volunteer.user_id)

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        session.expire_all()
        place = membership(session, vid, pid)
        open_there = count(session, Match, Match.volunteer_id == vid, Match.program_id == pid,
                           Match.status.in_(OPEN_MATCH_STATUSES))
        return [f"{open_there} open matches on {place.capacity} places"] if open_there > place.capacity else []

    # Fewer places first: the approval finds no room. Approval first: there are as many
    # matches as places already, so "1" is refused with the number of running matches.
    return Race([lambda s: set_programme_capacity(s, vid, pid, 1, user, TODAY),
                 lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY)], winners=1, check=check)


@case("a volunteer pauses a programme while a coordinator approves a match there")
def _pause_vs_approve(kit: Kit) -> Race:
    from models.matches import OPEN_MATCH_STATUSES, Match
    from models.matchruns import Proposal
    from models.members.operations import pause_membership
    from models.members.queries import membership
    from models.proposals import approve_proposal

    volunteer = kit.volunteer(capacity=1, with_user=True)
    second, run = _second_programme(kit, volunteer)
    proposal = kit.proposal(_request_in(kit, second), volunteer, run=run)
    vid, pid, proposal_id = volunteer.id, second.id, proposal.id
    user = kit.session.get(type(kit.coordinator), volunteer.user_id)

    def check(session: Session, outcome: Outcome) -> list[str]:
        session.rollback()
        session.expire_all()
        place = membership(session, vid, pid)
        open_there = count(session, Match, Match.volunteer_id == vid, Match.program_id == pid,
                           Match.status.in_(OPEN_MATCH_STATUSES))
        status = session.get(Proposal, proposal_id).status
        if place.status != "paused":
            return [f"the place is {place.status} after a pause"]
        # Paused first: the proposal was withdrawn and no match came of it. Approved first:
        # the match runs on during the pause (a pause stops new proposals, not running pairs).
        if open_there == 0 and status != "superseded":
            return [f"no match, but the proposal is still {status}"]
        return []

    return Race([lambda s: pause_membership(s, vid, pid, user, TODAY),
                 lambda s: approve_proposal(s, proposal.id, kit.coordinator, TODAY)], winners=(1, 2), check=check)


@case("a volunteer applies twice to the same programme (double click) while a coordinator adds them")
def _join_twice(kit: Kit) -> Race:
    from models.members.operations import join_program
    from models.members.tables import Membership

    volunteer = kit.volunteer(with_user=True)
    second = b.make_program(kit.session, kit.organisation)
    vid = volunteer.id
    user = kit.session.get(type(kit.coordinator), volunteer.user_id)
    token = key()

    def check(session: Session, outcome: Outcome) -> list[str]:
        made = count(session, Membership, Membership.volunteer_id == vid, Membership.program_id == second.id)
        return [f"{made} places in one programme"] if made != 1 else []

    return Race([lambda s: join_program(s, vid, second.id, 1, user, TODAY, submit_key=token),
                 lambda s: join_program(s, vid, second.id, 1, user, TODAY, submit_key=token),
                 lambda s: join_program(s, vid, second.id, 2, kit.coordinator, TODAY)], winners=1, check=check)
