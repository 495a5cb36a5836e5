"""Imports every table so that the metadata (and Alembic) knows them all."""

from models.audit import AuditEvent
from models.chart_images import ChartImage
from models.consent import ConsentRecord
from models.events.drift import VolunteerDrift
from models.events.tables import CalendarFeed, Event, EventProgram, EventSignup, VolunteerLeaving
from models.families.tables import (
    Competence,
    FamilyAgreement,
    FamilyFigure,
    FamilyFiguresState,
    FamilyGoal,
    FamilyPlan,
    FamilyTeam,
    FamilyTeamRun,
    Measure,
    PlanChange,
    PlanMeeting,
    Professional,
    ProgramMeasure,
    ProgressRecord,
    TeamMember,
    VolunteerCompetence,
)
from models.imports.tables import ExportFile, ImportBatch, ImportedRecord, ImportMapping
from models.jobs.tables import PeriodicSlot
from models.matches import CheckIn, Exclusion, Match, MatchEvent, MeetingLog
from models.matchruns import MatchRun, Proposal, WaitingReason
from models.members.tables import Membership
from models.mentees import Household, HouseholdMember, Request, Youth
from models.notes import Note
from models.organisations import Organisation, Program
from models.outbox import OutboxMessage
from models.referrals.tables import (
    Referral,
    ReferralChannel,
    ReferralMessage,
    ReferralSettings,
    ReferralStatus,
    ReferringUnit,
)
from models.risk_state import MatchRiskState
from models.safeguard.tables import CertificateReminder, Concern, SafeguardText, Signature
from models.sessions import UserSession
from models.users import LoginAttempt, User
from models.volunteers import ScreeningStep, Volunteer
from models.writes import FormSubmission

__all__ = [
    "Competence",
    "FamilyAgreement",
    "FamilyGoal",
    "FamilyPlan",
    "FamilyTeam",
    "FamilyFigure",
    "FamilyFiguresState",
    "FamilyTeamRun",
    "Measure",
    "PlanChange",
    "PlanMeeting",
    "Professional",
    "ProgramMeasure",
    "ProgressRecord",
    "TeamMember",
    "VolunteerCompetence",
    "AuditEvent",
    "CertificateReminder",
    "Concern",
    "SafeguardText",
    "Signature",

    "CalendarFeed",
    "ChartImage",
    "CheckIn",
    "ConsentRecord",
    "Event",
    "EventProgram",
    "EventSignup",
    "Exclusion",
    "FormSubmission",
    "Household",
    "HouseholdMember",
    "ImportBatch",
    "ImportMapping",
    "ExportFile",
    "ImportedRecord",
    "LoginAttempt",
    "Match",
    "MatchEvent",
    "MatchRiskState",
    "VolunteerDrift",
    "MatchRun",
    "MeetingLog",
    "Note",
    "Organisation",
    "OutboxMessage",
    "PeriodicSlot",
    "Program",
    "Proposal",
    "Referral",
    "ReferralChannel",
    "ReferralMessage",
    "ReferralSettings",
    "ReferralStatus",
    "ReferringUnit",
    "Request",
    "ScreeningStep",
    "User",
    "UserSession",
    "Volunteer",
    "VolunteerLeaving",
    "WaitingReason",
    "Membership",
    "Youth",
]
