"""The demo organisation: realistic Danish data at every stage of the lifecycle.

``build_demo`` makes one association with two programs (mentors for youths 13-18, friendship
families for refugee families), volunteers at every screening stage, youths and households with
requests, active, paused and closed matches with meeting logs and check-ins. With ``volunteers``
and ``requests`` it makes a large organisation for benchmarks instead (bulk inserts).
Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from matching.geo import danish_postcodes
from matching.profiles import slot_bit
from matching.vocabulary import INTERESTS
from models.clock import add_months, utcnow
from models.clock import today as today_fn
from models.consent import CONSENT_VERSION, YOUTH_OWN_CONSENT_FROM_AGE, ConsentRecord, consent_text
from models.events.drift import refresh_drift
from models.families.figures import refresh_all_family_figures
from models.lifecycle import schedule_checkins
from models.matches import CheckIn, Exclusion, Match, MatchEvent, MeetingLog
from models.members.operations import add_first_memberships
from models.members.tables import Membership
from models.mentees import Household, HouseholdMember, Request, Youth
from models.organisations import Organisation, Program
from models.risk_state import fill_missing_risk
from models.users import User, hash_password
from models.volunteers import ScreeningStep, Volunteer
from seed import people

# Roskilde and the towns around it: the demo association's area.
AREA_POSTCODES = ("4000", "4000", "4000", "4040", "4030", "4130", "4300", "4330", "4320", "4100", "2630", "3650", "4140", "4070")


@dataclass
class DemoSummary:
    organisation: str
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"Demo organisation: {self.organisation}"]
        lines += [f"  {name}: {count}" for name, count in self.counts.items()]
        return "\n".join(lines)


def reset_database(engine: Engine) -> None:
    import models.tables  # noqa: F401

    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def demo_logins(engine: Engine) -> list[tuple[str, str]]:
    """The demo's sign-ins to print at start: one per role (nothing when there is no demo)."""
    with Session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.slug == "roskilde-mentor")).first()
        if org is None:
            return []
        logins = []
        for role, email in (("admin", "admin@roskilde.example.org"), ("coordinator", "koordinator@roskilde.example.org"),
                            ("volunteer", "frivillig@roskilde.example.org"),
                            ("referrer", "henviser@roskilde.example.org")):
            if session.exec(select(User).where(User.email == email)).first():
                logins.append((role, email))
        return logins


def build_demo(
    engine: Engine,
    seed: int = 1,
    volunteers: int | None = None,
    requests: int | None = None,
    password: str = "makker-demo-2026",
    today: date | None = None,
) -> DemoSummary:
    today = today or today_fn()
    with Session(engine, expire_on_commit=False) as session:
        if volunteers or requests:
            summary = _build_benchmark(session, seed, volunteers or 0, requests or 0, password, today)
        else:
            if session.exec(select(Organisation).where(Organisation.slug == "roskilde-mentor")).first():
                return DemoSummary("Roskilde Frivillige Mentornetværk (already there)")
            summary = _Demo(session, random.Random(seed), password, today).build()
        session.commit()
        # Built in bulk, past the domain operations: assess the new matches as the daily job would,
        # and count the family figures the dashboard reads (decision 0021).
        fill_missing_risk(session, today)
        refresh_drift(session)  # and the waiting volunteers' drift days
        refresh_all_family_figures(session)
        return summary


class _Demo:
    def __init__(self, session: Session, rng: random.Random, password: str, today: date) -> None:
        self.s = session
        self.rng = rng
        self.today = today
        self.password_hash = hash_password(password)
        self.used_emails: set[str] = set()
        self.counts: dict[str, int] = {}

    def _count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def _add(self, record):  # noqa: ANN001, ANN202
        self.s.add(record)
        self.s.flush()
        return record

    def _availability(self, evenings: bool = True) -> int:
        mask = 0
        for _ in range(self.rng.randint(2, 6)):
            day = self.rng.randrange(7)
            part = 2 if evenings and day < 5 and self.rng.random() < 0.7 else self.rng.randrange(3)
            mask |= slot_bit(day, part)
        return mask

    def _user(self, org: Organisation, role: str, email: str, name: str, phone: str = "") -> User:
        return self._add(User(organisation_id=org.id, email=email, name=name, role=role, phone=phone,
                              password_hash=self.password_hash, email_confirmed_at=utcnow()))

    def build(self) -> DemoSummary:
        org = self._add(Organisation(name="Roskilde Frivillige Mentornetværk", slug="roskilde-mentor",
                                     contact_email="kontakt@roskilde.example.org"))
        youth_program = self._add(Program(
            organisation_id=org.id, slug="unge-mentorer", name="Frivillige mentorer for unge 13–18 år",
            description="En voksenven uden for systemet for unge, der har brug for en at tale med og hjælp til "
                        "skole, fritid og fremtid.",
            serves="youth", min_age=13, max_age=18, max_distance_km=25, goal_matches=30, goal_period_months=24,
            interests=[k for k in INTERESTS if k not in ("familieliv", "samfund")],
        ))
        family_program = self._add(Program(
            organisation_id=org.id, slug="venskabsfamilier", name="Venskabsfamilier for flygtningefamilier",
            description="En dansk ven eller venskabsfamilie, der hjælper familien ind i foreningsliv, skole og hverdag.",
            serves="family", min_age=0, max_age=99, max_distance_km=30, goal_matches=10, goal_period_months=24,
            # Its families have children under 15: the børneattest is required by law (the default steps).
        ))
        admin = self._user(org, "admin", "admin@roskilde.example.org", "Mette Lund", "+45 46 31 40 00")
        coordinators = [
            self._user(org, "coordinator", "koordinator@roskilde.example.org", "Jonas Brandt", "+45 46 31 40 11"),
            self._user(org, "coordinator", "lise.koordinator@roskilde.example.org", "Lise Holm", "+45 46 31 40 12"),
        ]
        self._count("staff users", 3)
        youth_vols = self._volunteers(org, youth_program, 42, coordinators)
        family_vols = self._volunteers(org, family_program, 18, coordinators)
        vols = youth_vols + family_vols
        youth_requests = self._youths(org, youth_program, 40, coordinators[0])
        family_requests = self._households(org, family_program, 15, coordinators[1])
        self._matches(youth_program, youth_requests, youth_vols, coordinators)
        self._matches(family_program, family_requests, family_vols, coordinators)
        self._safeguarding(org, youth_program, vols, {v.id for v in youth_vols})
        self._second_programmes(org, family_program, youth_vols)  # one person, several programmes (issue 15)

        self._events(org, youth_program, family_program, vols, coordinators)  # events (issue 15)
        self._referrals(org, youth_program, family_program, youth_requests, family_requests, coordinators)
        # Whole-family work (issue 14): plans, teams, meetings and progress.
        from seed.families_demo import add_family_work

        demo_volunteer = next((v for v in vols if v.email == "frivillig@roskilde.example.org"), None)
        for name, n in add_family_work(self.s, self.rng, org.id, coordinators[1], demo_volunteer, self.today).items():
            self._count(name, n)
        _ = admin
        return DemoSummary(org.name, self.counts, [])

    # --- volunteers at every stage ------------------------------------------------------------

    def _volunteers(self, org: Organisation, program: Program, n: int, coordinators: list[User]) -> list[Volunteer]:
        rng = self.rng
        stages = (["applicant"] * 2 + ["screening"] * 5 + ["declined"] * 1 + ["withdrawn"] * 1) + ["approved"] * (n - 9)
        result = []
        for i, stage in enumerate(stages):
            person = people.volunteer(rng, self.today, self.used_emails, domain="example.org")
            demo_login = program.slug == "unge-mentorer" and i == len(stages) - 1
            email = "frivillig@roskilde.example.org" if demo_login else person.email
            user = None
            if stage != "applicant" or rng.random() < 0.5:
                user = self._user(org, "volunteer", email, f"{person.first_name} {person.last_name}", person.phone)
            youthful = program.serves == "youth"
            v = self._add(Volunteer(
                organisation_id=org.id, program_id=program.id, user_id=user.id if user else None,
                first_name=person.first_name, last_name=person.last_name, email=email, phone=person.phone,
                birth_year=person.birth_year, gender=person.gender,
                postcode=rng.choice(AREA_POSTCODES), languages=person.languages,
                interests=person.interests, interests_text=person.interests_text,
                availability=self._availability(), supports="youth" if youthful else "family",
                age_min=13, age_max=18, capacity=2 if rng.random() < 0.15 else 1,
                experience=rng.choices((0, 1, 2, 3), (3, 4, 3, 2))[0], experience_text=person.experience_text,
                motivation=person.motivation, status=stage,
                mentee_gender_wish=rng.choice((None, None, None, person.gender)),
            ))
            signed_up = self.today - timedelta(days=rng.randint(20, 700))
            v.created_at = utcnow() - (self.today - signed_up)
            self._add(ConsentRecord(organisation_id=org.id, subject_type="volunteer", subject_id=v.id,
                                    given_by=v.name, relation="self", purpose="volunteer", text_version=CONSENT_VERSION,
                                    text=consent_text("volunteer", org.kind), given_on=signed_up))
            self._screening(v, program, stage, signed_up, rng.choice(coordinators))
            if stage == "approved":
                v.approved_at = utcnow() - (self.today - signed_up) + timedelta(days=40)
                v.pool_since = min(self.today, signed_up + timedelta(days=40))
            if stage == "declined":
                v.deletion_due_at = self.today + timedelta(days=30)
            if stage == "withdrawn":  # stopped, with a reason, for "Keeping volunteers"
                from models.events.tables import VolunteerLeaving

                self.s.add(VolunteerLeaving(
                    volunteer_id=v.id, left_on=min(self.today, signed_up + timedelta(days=rng.randint(30, 300))),
                    reason=rng.choice(("moved", "no_time", "lost_interest", "waited_too_long"))))
            if stage == "approved" and rng.random() < 0.06:
                v.paused_until = self.today + timedelta(days=rng.randint(7, 45))
            self.s.add(v)
            result.append(v)
            self._count(f"volunteers {stage}")
        return result

    def _screening(self, v: Volunteer, program: Program, stage: str, signed_up: date, by: User) -> None:
        if stage == "applicant":
            return
        steps = program.required_steps
        done = len(steps) if stage in ("approved",) else self.rng.randint(0, len(steps) - 1)
        for i, step in enumerate(steps):
            if i < done:
                status, when = "approved", signed_up + timedelta(days=7 * (i + 1))
            elif i == done and stage == "declined":
                status, when = "failed", signed_up + timedelta(days=7 * (i + 1))
            elif i == done and stage == "screening" and step == "boerneattest" and self.rng.random() < 0.5:
                # Received with remarks: it does not count, so the volunteer cannot be approved.
                status, when = "remarks", signed_up + timedelta(days=7 * (i + 1))
            elif i == done and stage == "screening":
                status, when = ("booked" if step == "interview" else "requested"), None
            else:
                status, when = "pending", None
            self._add(ScreeningStep(volunteer_id=v.id, step=step, status=status, step_date=when,
                                    recorded_by_id=by.id if when else None, recorded_at=utcnow() if when else None))

    # --- safeguarding papers (issue 15): no random draws, so the rest of the demo stays as it was ---

    def _second_programmes(self, org: Organisation, family_program: Program, vols: list[Volunteer]) -> None:
        """Some mentors are also friendship families: the demo volunteer and three more are
        members of both programmes, two have applied to the second and wait for approval."""
        youth_mentors = [v for v in vols if v.status == "approved"]
        demo = [v for v in youth_mentors if v.email == "frivillig@roskilde.example.org"]
        others = [v for v in youth_mentors if v not in demo]
        chosen = demo + self.rng.sample(others, min(5, len(others)))
        for i, v in enumerate(chosen):
            applied = i >= 4
            self._add(Membership(organisation_id=org.id, volunteer_id=v.id, program_id=family_program.id,
                                 status="applied" if applied else "active", capacity=1,
                                 joined_on=self.today - timedelta(days=20 + i * 7),
                                 approved_on=None if applied else self.today - timedelta(days=10 + i * 7)))
        self._count("volunteers in two programmes", min(4, len(chosen)))

    def _safeguarding(self, org: Organisation, youth_program: Program, vols: list[Volunteer],
                      youth_ids: set[int]) -> None:
        """Approved volunteers signed both texts; every other one in screening too; the demo login
        has one left to sign; one waiting volunteer's børneattest has run out; one volunteer is worried."""
        from models.safeguard.queries import CERTIFICATE_STEP, current_text
        from models.safeguard.tables import TEXT_KINDS, Concern, Signature

        texts = {kind: self._add(current_text(self.s, org.id, kind)) for kind in TEXT_KINDS}
        open_volunteers = {m.volunteer_id for m in self.s.exec(select(Match).where(
            Match.organisation_id == org.id, Match.status.in_(("introduced", "active", "paused"))))}
        screening_seen = 0
        expired_done = False
        for v in vols:
            kinds: tuple[str, ...] = ()
            if v.status == "approved":
                kinds = ("confidentiality",) if v.email == "frivillig@roskilde.example.org" else TEXT_KINDS
            elif v.status == "screening":
                screening_seen += 1
                kinds = TEXT_KINDS if screening_seen % 2 else ()
            for kind in kinds:
                signed_on = min(self.today, (v.pool_since or self.today) - timedelta(days=3))
                self._add(Signature(organisation_id=org.id, volunteer_id=v.id, text_id=texts[kind].id, kind=kind,
                                    version=texts[kind].version, signed_name=v.name, signed_on=signed_on))
            if (not expired_done and v.id in youth_ids and v.status == "approved"
                    and v.id not in open_volunteers and v.paused_until is None
                    and v.email != "frivillig@roskilde.example.org"):
                step = self.s.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == v.id,
                                                               ScreeningStep.step == CERTIFICATE_STEP)).first()
                if step is not None:
                    step.step_date = self.today - timedelta(days=760)  # 24 months have passed
                    self.s.add(step)
                    expired_done = True
                    self._count("børneattest run out")
        worried = self.s.exec(select(Match).where(Match.program_id == youth_program.id, Match.status == "active")
                              .order_by(Match.id)).first()
        if worried is not None:
            self._add(Concern(organisation_id=org.id, volunteer_id=worried.volunteer_id, match_id=worried.id,
                              message="Han fortalte, at der er meget uro derhjemme om aftenen."))
            self._count("concerns")

    # --- events (issue 15): past ones with attendance, coming ones with sign-ups ----------------

    def _events(self, org: Organisation, youth_program: Program, family_program: Program, vols: list[Volunteer],
                coordinators: list[User]) -> None:
        programmes_of: dict[int, set[int]] = {}  # invitations follow the memberships (issue 15)
        for volunteer_id, program_id in self.s.exec(select(Membership.volunteer_id, Membership.program_id)
                                                    .where(Membership.status != "left")):
            programmes_of.setdefault(volunteer_id, set()).add(program_id)
        from datetime import datetime

        from models.events.calendar import danish_time
        from models.events.tables import Event, EventProgram, EventSignup

        rng = self.rng
        open_match = {m.volunteer_id for m in self.s.exec(select(Match).where(
            Match.organisation_id == org.id, Match.status.in_(("introduced", "active", "paused"))))}
        people_of = {
            "waiting": [v for v in vols if v.status == "approved" and v.id not in open_match],
            "active": [v for v in vols if v.id in open_match],
            "new": [v for v in vols if v.status in ("applicant", "screening")],
            "all": [v for v in vols if v.status in ("applicant", "screening", "approved")],
        }
        plan = (  # (days from today, hour, hours, kind, title, place, capacity, audience, programmes)
            (-75, 10, 6, "intro_course", "Introkursus for nye mentorer", "Roskilde Bibliotek, Dronning Margrethes Vej 14",
             20, "new", (youth_program,)),
            (-40, 19, 2, "network_meeting", "Netværksmøde: den gode første samtale", "Frivilligcentret, Roskilde", None,
             "all", (youth_program, family_program)),
            (-21, 17, 2, "supervision", "Sparring i små grupper", "Frivilligcentret, Roskilde", 8, "active",
             (youth_program,)),
            (-9, 18, 3, "social", "Fællesspisning for ventende frivillige", "Kulturhuset, Roskilde", None, "waiting",
             (youth_program, family_program)),
            (6, 19, 2, "network_meeting", "Netværksmøde for ventende frivillige", "Frivilligcentret, Roskilde", 3,
             "waiting", (youth_program, family_program)),
            (14, 10, 6, "intro_course", "Introkursus, forår", "Roskilde Bibliotek, Dronning Margrethes Vej 14", 15,
             "new", (youth_program, family_program)),
            (25, 19, 2, "theme_evening", "Temaaften: tavshedspligt og underretning", "", None, "all",
             (youth_program, family_program)),
        )
        for days, hour, hours, kind, title, place, capacity, audience, programs in plan:
            day = self.today + timedelta(days=days)
            starts = danish_time(datetime(day.year, day.month, day.day, hour))
            event = self._add(Event(
                organisation_id=org.id, kind=kind, title=title, starts_at=starts,
                ends_at=starts + timedelta(hours=hours), place=place,
                online_url="" if place else "https://moede.roskilde.example.org/temaaften", capacity=capacity,
                audience=audience, created_by_id=rng.choice(coordinators).id,
                description="Kaffe og kage. Tilmeld dig, så vi ved, hvor mange vi bliver.",
                invitations_queued_at=utcnow()))
            program_ids = {p.id for p in programs}
            for p in programs:
                self._add(EventProgram(event_id=event.id, program_id=p.id))
            invited = [v for v in people_of[audience] if programmes_of.get(v.id, set()) & program_ids]
            chosen = rng.sample(invited, min(len(invited), (capacity or 12) + (2 if capacity and days > 0 else 0)))
            if days > 0 and audience == "all":  # the demo volunteer has a place at the theme evening
                chosen += [v for v in invited if v.email == "frivillig@roskilde.example.org" and v not in chosen]
            for i, v in enumerate(chosen):
                waiting = capacity is not None and i >= capacity
                came = days < 0 and rng.random() < 0.8
                self._add(EventSignup(event_id=event.id, volunteer_id=v.id, status="waiting" if waiting else "signed_up",
                                      queued_at=utcnow() - timedelta(days=max(1, 10 - i)), attended=came,
                                      minutes=hours * 60 if came else 0,
                                      recorded_by_id=event.created_by_id if days < 0 else None))
                if came and kind == "intro_course":  # the course completed their training step
                    step = self.s.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == v.id,
                                                                   ScreeningStep.step == "training")).first()
                    if step is not None and step.status not in ("done", "approved"):
                        step.status, step.step_date = "done", day
                        step.note = f"Introkursus: {title}"
                        self.s.add(step)
            if days < 0:
                event.attendance_recorded_at = utcnow()
            self._count("events")

    # --- mentees ----------------------------------------------------------------------------

    def _youths(self, org: Organisation, program: Program, n: int, coordinator: User) -> list[Request]:
        rng = self.rng
        result = []
        for _ in range(n):
            p = people.youth(rng, self.today)
            youth = self._add(Youth(
                organisation_id=org.id, first_name=p.first_name, last_name=p.last_name, birth_year=p.birth_year,
                gender=p.gender, postcode=rng.choice(AREA_POSTCODES), languages=p.languages, interests=p.interests,
                interests_text=p.interests_text, availability=self._availability(), guardian_name=p.guardian_name,
                guardian_phone=p.guardian_phone, school=p.school, no_trusted_adult=rng.random() < 0.35,
                notes=p.notes,
            ))
            complexity = rng.choices((0, 1, 2, 3), (3, 4, 2, 1.3))[0]
            referred = self.today - timedelta(days=rng.randint(5, 420))
            # Consent is given before the referral: by a custody holder, and from 15 often by the youth too.
            consented = referred - timedelta(days=rng.randint(1, 14))
            self._add(ConsentRecord(organisation_id=org.id, subject_type="youth", subject_id=youth.id,
                                    given_by=p.guardian_name, relation="guardian", purpose="mentoring",
                                    text_version=CONSENT_VERSION, text=consent_text("guardian", org.kind),
                                    given_on=consented, recorded_by_id=coordinator.id))
            if self.today.year - p.birth_year >= YOUTH_OWN_CONSENT_FROM_AGE and rng.random() < 0.5:
                self._add(ConsentRecord(organisation_id=org.id, subject_type="youth", subject_id=youth.id,
                                        given_by=youth.name, relation="self", purpose="mentoring",
                                        text_version=CONSENT_VERSION, text=consent_text("youth", org.kind),
                                        given_on=consented, recorded_by_id=coordinator.id))
            req = self._add(Request(
                organisation_id=org.id, program_id=program.id, youth_id=youth.id, need=p.need,
                description=p.description, complexity=complexity,
                complexity_reason=people.complexity_reason(rng, complexity),
                mentor_gender_required="female" if p.gender == "female" and rng.random() < 0.2 else None,
                mentor_gender_preferred=rng.choice((None, None, p.gender)),
                goal_worries=p.goal_worries, goal_works=p.goal_works, goal_next=p.goal_next,
                referred_on=referred, referred_by=rng.choice(people.REFERRERS), pool_since=referred, baseline=_baseline(rng),
                created_by_id=coordinator.id,
            ))
            result.append(req)
            self._count("youths")
        return result

    def _households(self, org: Organisation, program: Program, n: int, coordinator: User) -> list[Request]:
        rng = self.rng
        result = []
        for _ in range(n):
            f = people.household(rng, self.today)
            household = self._add(Household(
                organisation_id=org.id, family_name=f.family_name, contact_name=f.contact_name,
                contact_phone=f.contact_phone, postcode=rng.choice(AREA_POSTCODES), languages=f.languages,
                interests=f.interests, interests_text=f.interests_text, availability=self._availability(),
                wishes=f.wishes,
            ))
            for first_name, role, birth_year, gender in f.members:
                self._add(HouseholdMember(household_id=household.id, first_name=first_name, role=role,
                                          birth_year=birth_year, gender=gender))
            referred = self.today - timedelta(days=rng.randint(5, 300))
            self._add(ConsentRecord(organisation_id=org.id, subject_type="household", subject_id=household.id,
                                    given_by=f.contact_name, relation="self", purpose="friendship family",
                                    text_version=CONSENT_VERSION, text=consent_text("household", org.kind),
                                    given_on=referred - timedelta(days=rng.randint(1, 14)),
                                    recorded_by_id=coordinator.id))
            for need in f.needs:
                req = self._add(Request(
                    organisation_id=org.id, program_id=program.id, household_id=household.id, need=need,
                    complexity=rng.choices((0, 1, 2), (4, 3, 1))[0], referred_on=referred,
                    referred_by=rng.choice(people.REFERRERS), pool_since=referred, baseline=_baseline(rng), created_by_id=coordinator.id,
                    goal_next=f.wishes,
                ))
                result.append(req)
                self._count("family requests")
            self._count("households")
        return result

    # --- referrals from the municipality (issue 13) -----------------------------------------------

    def _referrals(self, org: Organisation, youth_program: Program, family_program: Program,
                   youth_requests: list[Request], family_requests: list[Request], coordinators: list[User]) -> None:
        """Two referring units, three caseworkers, and referrals in every state: waiting for a
        decision, asked for more, declined, withdrawn, and accepted ones that wait, are matched
        (with a status sent and the next one coming), or whose relationship has ended."""
        from models.referrals.tables import (
            Referral,
            ReferralChannel,
            ReferralMessage,
            ReferralStatus,
            ReferringUnit,
        )

        today, session = self.today, self.s
        family_unit = self._add(ReferringUnit(organisation_id=org.id, name="Roskilde Kommune, Børn og Familie",
                                              kind="children_families", contact_email="boernefamilie@roskilde.example.dk"))
        ssp = self._add(ReferringUnit(organisation_id=org.id, name="SSP Roskilde", kind="ssp"))
        for unit, programs in ((family_unit, (youth_program, family_program)), (ssp, (youth_program,))):
            for program in programs:
                self._add(ReferralChannel(unit_id=unit.id, program_id=program.id))
        sara = self._user(org, "referrer", "henviser@roskilde.example.org", "Sara Holm Madsen", "")
        sara.referring_unit_id = family_unit.id
        kim = self._user(org, "referrer", "kim.raadgiver@roskilde.example.org", "Kim Berg", "")
        kim.referring_unit_id = family_unit.id
        ali = self._user(org, "referrer", "ali.ssp@roskilde.example.org", "Ali Demir", "")
        ali.referring_unit_id = ssp.id
        self._count("referring units", 2)
        self._count("referrers", 3)

        def consent(referral: Referral, given_by: str, relation: str, subject: tuple[str, int] | None = None) -> None:
            subject_type, subject_id = subject or ("referral", referral.id)
            self._add(ConsentRecord(organisation_id=org.id, subject_type=subject_type, subject_id=subject_id,
                                    given_by=given_by, relation=relation, purpose="referral+status",
                                    text_version="2026-henv-1", given_on=referral.submitted_on,
                                    text="Samtykke til henvisningen og til status til henviseren."))

        def youth_referral(referrer: User, status: str, first: str, last: str, age: int, days_ago: int,
                           reason: str, **fields: object) -> Referral:
            referral = self._add(Referral(
                organisation_id=org.id, program_id=youth_program.id, unit_id=referrer.referring_unit_id,
                referrer_id=referrer.id, kind="youth", status=status, submitted_on=today - timedelta(days=days_ago),
                first_name=first, last_name=last, birth_year=today.year - age, gender=fields.pop("gender", "male"),
                guardian_name=f"{fields.pop('parent', 'Forælder')} {last}", postcode="4000", languages={"da": 3},
                interests=["fodbold"], reason=reason, complexity=1, custody="sole", status_consent=True, **fields))
            if referral.youth_id is None:
                consent(referral, referral.guardian_name, "guardian")
            self._count(f"referrals {status}")
            return referral

        youth_referral(sara, "received", "Emil", "Thomsen", 14, 2, "Emil er meget alene efter skoleskiftet og savner "
                       "en voksen at tale med om andet end skolen.", parent="Hanne")
        asked = youth_referral(ali, "needs_info", "Jonas", "Petersen", 16, 9, "Jonas hænger ud med ældre drenge om "
                               "aftenen; han vil gerne i gang med noget andet.", parent="Mikkel")
        self._add(ConsentRecord(organisation_id=org.id, subject_type="referral", subject_id=asked.id,
                                given_by="Jonas Petersen", relation="self", purpose="referral+status",
                                text_version="2026-henv-1", given_on=asked.submitted_on,
                                text="Samtykke til henvisningen og til status til henviseren."))
        self._add(ReferralMessage(referral_id=asked.id, author_id=coordinators[0].id,
                                  body="Tak for henvisningen. Går Jonas i skole lige nu, og hvilke dage har han fri?"))
        youth_referral(kim, "declined", "Frederik", "Nørgaard", 17, 40, "Frederik har brug for hjælp til at komme "
                       "op om morgenen.", decided_at=utcnow() - timedelta(days=30), decided_by_id=coordinators[0].id,
                       decline_reason="other_offer", decline_note="Frederik passer bedre til ungevejledningens "
                       "morgenhold; vi har sendt kontakten videre.")
        youth_referral(sara, "withdrawn", "Sofie", "Mortensen", 13, 20, "Sofie har svært ved at finde venner.",
                       gender="female", withdrawn_note="Familien har fået plads i en klub i stedet.")
        # A family referral still waiting for a decision: two adults and two children.
        family = self._add(Referral(
            organisation_id=org.id, program_id=family_program.id, unit_id=family_unit.id, referrer_id=sara.id,
            kind="family", status="received", submitted_on=today - timedelta(days=4), family_name="Familien Haddad",
            contact_name="Rana Haddad", postcode="4000", languages={"ar": 3, "da": 1}, custody="joint",
            status_consent=True, reason="Familien er nyankommet og kender næsten ingen i Roskilde.",
            wishes="At lære en dansk familie at kende og få hjælp til skolens intra.",
            members=[{"first_name": "Rana", "role": "parent", "birth_year": today.year - 38, "gender": "female"},
                     {"first_name": "Karim", "role": "parent", "birth_year": today.year - 41, "gender": "male"},
                     {"first_name": "Omar", "role": "child", "birth_year": today.year - 9, "gender": "male"},
                     {"first_name": "Lina", "role": "child", "birth_year": today.year - 12, "gender": "female"}]))
        consent(family, "Rana Haddad", "self")
        consent(family, "Karim Haddad", "guardian")
        self._count("referrals received")
        # Accepted ones: the youth already exists (made from the referral), waiting or matched.
        matches = {m.request_id: m for m in session.exec(select(Match).where(Match.program_id == youth_program.id))}
        waiting = [r for r in youth_requests if r.id not in matches]
        running = sorted((r for r in youth_requests if r.id in matches and matches[r.id].status == "active"
                          and matches[r.id].started_on), key=lambda r: matches[r.id].started_on)  # oldest first
        ended = [r for r in youth_requests if r.id in matches and matches[r.id].status == "closed"
                 and matches[r.id].started_on]
        for request, referrer in ((waiting[:1], sara), (running[:2], sara), (ended[:1], ali)):
            for req in request:
                youth = session.get(Youth, req.youth_id)
                req.referred_by = f"{referrer.name}, {session.get(ReferringUnit, referrer.referring_unit_id).name}"
                session.add(req)
                referral = youth_referral(
                    referrer, "accepted", youth.first_name, youth.last_name, today.year - youth.birth_year,
                    (today - req.referred_on).days, req.description or "Har brug for en voksen at tale med.",
                    gender=youth.gender or "male", youth_id=youth.id, request_id=req.id,
                    decided_at=utcnow() - timedelta(days=max(1, (today - req.referred_on).days - 3)),
                    decided_by_id=coordinators[0].id)
                match = matches.get(req.id)
                if match is not None and match.status == "active":
                    sent_on = add_months(match.started_on, 2)
                    if sent_on <= today:
                        self._add(ReferralStatus(
                            referral_id=referral.id, match_id=match.id, written_by_id=coordinators[0].id,
                            sent_by_id=coordinators[0].id, due_on=sent_on, sent_on=sent_on,
                            sent_at=datetime.combine(sent_on, time(12), UTC), written_at=utcnow(),
                            how_it_goes=f"{youth.first_name} og den frivillige ses hver uge; de har været til "
                                        "fodbold og på biblioteket.",
                            agreements="De mødes onsdage efter skole."))
                if match is not None and match.status == "closed":
                    self._add(ReferralMessage(referral_id=referral.id, author_id=match.coordinator_id,
                                              kind="closure", match_id=match.id,
                                              body=match.next_step or "Ungdomsklubben tager over."))

    # --- relationships ------------------------------------------------------------------------

    def _matches(self, program: Program, requests: list[Request], volunteers: list[Volunteer],
                 coordinators: list[User]) -> None:
        rng = self.rng
        approved = [v for v in volunteers if v.status == "approved" and v.paused_until is None]
        rng.shuffle(approved)
        # Roughly half the requests got a match at some point; the rest wait in the pool.
        candidates = [r for r in requests]
        rng.shuffle(candidates)
        n_matches = min(len(candidates) // 2, len(approved))
        demo_volunteer = next((v for v in volunteers if v.email == "frivillig@roskilde.example.org"), None)
        if demo_volunteer is not None and demo_volunteer in approved:
            approved.remove(demo_volunteer)
            approved.insert(0, demo_volunteer)
        # The program's rules hold in the demo's history too: a heavy case went to a volunteer with
        # enough experience (each volunteer has one match here, so the cap on heavy cases holds).
        minimum = program.rules().min_experience_by_complexity
        pairs: list[tuple[Request, Volunteer]] = []
        free = list(approved)
        for req in candidates:
            vol = next((v for v in free if v.experience >= minimum[req.complexity]), None)
            if vol is not None and len(pairs) < n_matches:
                free.remove(vol)
                pairs.append((req, vol))
        for req, vol in pairs:
            start = max(req.referred_on, vol.pool_since or req.referred_on) + timedelta(days=rng.randint(10, 60))
            if start > self.today - timedelta(days=3):
                start = self.today - timedelta(days=rng.randint(3, 20))
            status = rng.choices(("introduced", "active", "paused", "closed"), (1, 6, 1, 3))[0]
            if vol is demo_volunteer:
                status = "active"  # the demo volunteer has a live match to show
            coordinator = rng.choice(coordinators)
            match = self._add(Match(
                organisation_id=req.organisation_id, program_id=program.id, request_id=req.id, volunteer_id=vol.id,
                coordinator_id=coordinator.id, status="introduced", intro_note=people.intro_note(rng),
                intro_on=start if status != "introduced" else None,
                created_at=utcnow() - (self.today - start) - timedelta(days=7),
            ))
            self._add(MatchEvent(match_id=match.id, to_status="introduced", on=start - timedelta(days=7),
                                 by_id=coordinator.id))
            if status == "introduced":
                req.status, req.pool_since = "matched", None
                vol.pool_since = None
                self._count("matches introduced")
                continue
            match.status, match.started_on = "active", start
            match.meeting_rhythm = rng.choice(("weekly", "biweekly", "biweekly", "monthly", "as_agreed", None))
            self._add(MatchEvent(match_id=match.id, from_status="introduced", to_status="active", on=start,
                                 by_id=coordinator.id))
            schedule_checkins(self.s, match, program, start)
            self.s.flush()
            end = self.today
            if status == "closed":
                end = min(self.today - timedelta(days=1), start + timedelta(days=rng.randint(30, 500)))
            last_meeting = self._meetings(match, vol, start, end, struggling=rng.random() < 0.2)
            self._checkins(match, end, coordinator)
            if status == "paused":
                match.status = "paused"
                match.paused_until = self.today + timedelta(days=rng.randint(10, 40))
                self._add(MatchEvent(match_id=match.id, from_status="active", to_status="paused",
                                     on=(last_meeting or start) + timedelta(days=3), by_id=coordinator.id,
                                     reason="Ferie og eksamensperiode"))
            if status == "closed":
                reason = rng.choice(("goal_reached", "goal_reached", "period_over", "moved", "lost_interest",
                                     "bad_chemistry", "too_heavy", "volunteer_time"))
                match.status, match.closed_on, match.closure_reason = "closed", end, reason
                match.exit_conversation = "Afsluttende samtale holdt med begge parter."
                match.next_step = rng.choice(("Fortsætter i fodboldklubben.", "Tilknyttet ungdomsskolens klub.",
                                              "Overdraget til UU-vejleder.", ""))
                def answer(p_yes: float) -> str:
                    return "unknown" if rng.random() < 0.1 else ("yes" if rng.random() < p_yes else "no")

                match.outcome = {
                    "education_or_work": answer(0.7), "leisure_activity": answer(0.6), "social_case": answer(0.3),
                    "own_words": "Det har været godt at have en voksen at snakke med.",
                }
                # As models.followup.close_match does: the plan stops (the one-year measure stays),
                # the 12-month follow-up is planned.
                for checkin in self.s.exec(select(CheckIn).where(CheckIn.match_id == match.id,
                                                                 CheckIn.done_on.is_(None))):
                    if checkin.kind != "one_year":
                        self.s.delete(checkin)
                if program.measures_followup:
                    self._add(CheckIn(match_id=match.id, kind="followup", due_on=end + timedelta(days=365)))
                self._add(MatchEvent(match_id=match.id, from_status="active", to_status="closed", on=end,
                                     by_id=coordinator.id, reason=reason))
                if reason not in ("goal_reached", "period_over"):
                    self._add(Exclusion(organisation_id=req.organisation_id, request_id=req.id, volunteer_id=vol.id,
                                        reason=f"Afsluttet før tid: {reason}", created_by_id=coordinator.id))
                    req.status, req.pool_since = "waiting", end
                else:
                    req.status, req.pool_since = "closed", None
                vol.pool_since = end
            else:
                req.status, req.pool_since = "matched", None
                vol.pool_since = None
            self.s.add_all([match, req, vol])
            self._count(f"matches {match.status}")

    def _meetings(self, match: Match, vol: Volunteer, start: date, end: date, struggling: bool) -> date | None:
        rng = self.rng
        day, last = start + timedelta(days=rng.randint(3, 10)), None
        rating = 4
        # A struggling match stops meeting a while ago, with falling ratings.
        stop = end - timedelta(days=rng.randint(35, 60)) if struggling else end
        while day <= stop:
            rating = max(1, min(5, rating + rng.choice((-1, 0, 0, 1)) - (1 if struggling and rng.random() < 0.4 else 0)))
            self._add(MeetingLog(match_id=match.id, volunteer_id=vol.id, met_on=day, minutes=rng.choice((60, 90, 120, 180)),
                                 activities=rng.sample(("talk", "sport", "homework", "food", "outing", "culture"), 2),
                                 note=people.meeting_note(rng), rating=rating,
                                 needs_contact=struggling and rng.random() < 0.15))
            self._count("meeting logs")
            last = day
            day += timedelta(days=rng.randint(6, 21))
        return last

    def _checkins(self, match: Match, until: date, coordinator: User) -> None:
        rng = self.rng
        for checkin in self.s.exec(select(CheckIn).where(CheckIn.match_id == match.id)):
            # Most past check-ins were done, a few late or missed: the overdue list has content.
            if checkin.due_on <= until and rng.random() < 0.85:
                checkin.done_on = checkin.due_on + timedelta(days=rng.randint(0, 12))
                if checkin.done_on > self.today:
                    checkin.done_on = self.today
                checkin.done_by_id = coordinator.id
                checkin.contacted = rng.sample(["volunteer", "youth", "parent"], 2)
                checkin.rating = rng.choice((3, 4, 4, 5))
                checkin.agreements = "Fortsætter som aftalt."
                if checkin.kind == "one_year":
                    checkin.outcome = {"education_or_work": rng.choice(("yes", "yes", "no", "unknown")),
                                       "leisure_activity": rng.choice(("yes", "no", "unknown")),
                                       "social_case": rng.choice(("no", "no", "yes", "unknown"))}
                self.s.add(checkin)
                self._count("check-ins done")


def _baseline(rng: random.Random) -> dict[str, str]:
    """The situation at entry: fewer in school or work and leisure, more open cases than at the end."""
    def answer(p_yes: float) -> str:
        return "unknown" if rng.random() < 0.1 else ("yes" if rng.random() < p_yes else "no")

    return {"education_or_work": answer(0.5), "leisure_activity": answer(0.3), "social_case": answer(0.6)}


# --- benchmark-sized organisations ------------------------------------------------------------

def _build_benchmark(session: Session, seed: int, n_volunteers: int, n_requests: int, password: str,
                     today: date) -> DemoSummary:
    """A large organisation with one youth program, inserted in bulk (no per-row ORM work)."""
    rng = random.Random(seed)
    slug = f"bench-{seed}-{n_volunteers}x{n_requests}"
    taken = {o.slug for o in session.exec(select(Organisation).where(Organisation.slug.like(f"{slug}%")))}
    n = 2
    while slug in taken:  # built before in this database: a new organisation beside it
        slug, n = f"bench-{seed}-{n_volunteers}x{n_requests}-{n}", n + 1
    org = Organisation(name=f"Benchmark {n_volunteers} x {n_requests}", slug=slug)
    session.add(org)
    session.flush()
    program = Program(organisation_id=org.id, slug="unge-mentorer", name="Mentorer for unge (benchmark)",
                      serves="youth", min_age=13, max_age=18, max_distance_km=25)
    session.add(program)
    session.flush()
    session.add(User(organisation_id=org.id, email=f"koordinator@{slug}.example.org", name="Benchmark Koordinator",
                     role="coordinator", password_hash=hash_password(password), email_confirmed_at=utcnow()))
    postcodes = [p for p in danish_postcodes().values() if p.postcode.startswith(("1", "2", "3", "4"))]
    now = utcnow()
    used: set[str] = set()
    vol_rows, youth_rows = [], []
    for _ in range(n_volunteers):
        p = people.volunteer(rng, today, used, domain=f"{slug}.example.org")
        vol_rows.append(dict(
            organisation_id=org.id, program_id=program.id, first_name=p.first_name, last_name=p.last_name,
            email=p.email, phone=p.phone, birth_year=p.birth_year, gender=p.gender,
            postcode=rng.choice(postcodes).postcode, languages=p.languages, interests=p.interests,
            interests_text=p.interests_text, availability=rng.getrandbits(21), supports="youth", age_min=13,
            age_max=18, capacity=rng.choice((1, 1, 1, 2)), experience=rng.randint(0, 3), experience_text="",
            motivation="", status="approved", approved_at=now, pool_since=today - timedelta(days=rng.randint(0, 400)),
            created_at=now, version=1,
        ))
    for _ in range(n_requests):
        p = people.youth(rng, today)
        youth_rows.append(dict(
            organisation_id=org.id, first_name=p.first_name, last_name=p.last_name, birth_year=p.birth_year,
            gender=p.gender, postcode=rng.choice(postcodes).postcode, languages=p.languages, interests=p.interests,
            interests_text=p.interests_text, availability=rng.getrandbits(21), guardian_name=p.guardian_name,
            guardian_phone="", guardian_email="", school="", no_trusted_adult=rng.random() < 0.3, notes="",
            created_at=now,
        ))
    chunk = 2000
    for i in range(0, len(vol_rows), chunk):
        session.execute(insert(Volunteer), vol_rows[i:i + chunk])
    add_first_memberships(session)  # written in bulk: the per-row hook does not run
    for i in range(0, len(youth_rows), chunk):
        session.execute(insert(Youth), youth_rows[i:i + chunk])
    session.flush()
    youth_ids = list(session.exec(select(Youth.id).where(Youth.organisation_id == org.id).order_by(Youth.id)))
    request_rows = []
    for youth_id in youth_ids:
        referred = today - timedelta(days=rng.randint(0, 450))
        request_rows.append(dict(
            organisation_id=org.id, program_id=program.id, youth_id=youth_id, need="En voksenven",
            description="", complexity=rng.choices((0, 1, 2, 3), (3, 4, 2, 1))[0], complexity_reason="",
            goal_worries="", goal_works="", goal_next="", referred_on=referred, referred_by="Skole",
            status="waiting", pool_since=referred, created_at=now, version=1,
            mentor_gender_required=None, mentor_gender_preferred=None, baseline={},
        ))
    for i in range(0, len(request_rows), chunk):
        session.execute(insert(Request), request_rows[i:i + chunk])
    summary = DemoSummary(f"{org.name} (organisation slug {slug}, program slug unge-mentorer)",
                          {"volunteers": n_volunteers, "requests": n_requests})
    return summary
