"""Human labels, in the user's language, for the codes stored in the database."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import gettext

from matching.vocabulary import INTERESTS, LANGUAGE_LEVEL_LABELS, LANGUAGES
from web.i18n import current_locale, format_date
from web.i18n import label as vocab_label
from web.i18n import lazy_gettext as _l

LABELS: dict[str, dict[str, object]] = {
    "role": {"volunteer": _l("Volunteer"), "coordinator": _l("Coordinator"), "admin": _l("Administrator"),
             "referrer": _l("Referrer")},
    "gender": {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")},
    "serves": {"youth": _l("Youths"), "family": _l("Families"), "both": _l("Youths and families")},
    "supports": {"youth": _l("A youth"), "family": _l("A family"), "either": _l("A youth or a family")},
    "volunteer_status": {
        "applicant": _l("Signed up"),
        "screening": _l("In screening"),
        "approved": _l("Approved"),
        "declined": _l("Declined"),
        "withdrawn": _l("Withdrawn"),
        "inactive": _l("Not in the pool for now"),
    },
    "step": {
        "interview": _l("Interview"),
        "boerneattest": _l("Child protection certificate (børneattest)"),
        "references": _l("References"),
        "training": _l("Training"),
    },
    "step_status": {
        "pending": _l("Not started"),
        "booked": _l("Booked"),
        "requested": _l("Requested"),
        "done": _l("Done"),
        "approved": _l("Approved"),
        "remarks": _l("Received with remarks"),
        "failed": _l("Not approved"),
    },
    "request_status": {
        "waiting": _l("Waiting"),
        "matched": _l("Matched"),
        "closed": _l("Closed"),
        "withdrawn": _l("Withdrawn"),
        "consent_withdrawn": _l("Consent withdrawn: out of matching"),
    },
    "consent_role": {"guardian": _l("custody holder"), "self": _l("themselves"), "parent": _l("custody holder")},
    "match_status": {
        "introduced": _l("Introduced"),
        "active": _l("Active"),
        "paused": _l("Paused"),
        "closed": _l("Closed"),
    },
    "proposal_status": {
        "proposed": _l("Proposed"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
        "superseded": _l("Superseded"),
    },
    "complexity": {0: _l("Low"), 1: _l("Moderate"), 2: _l("High"), 3: _l("Very high")},
    "experience": {
        0: _l("No experience"),
        1: _l("Some experience"),
        2: _l("Experienced with vulnerable youths or families"),
        3: _l("Professional background"),
    },
    "closure_reason": {
        "goal_reached": _l("Goal reached"),
        "period_over": _l("Agreed period over"),
        "moved": _l("Moved away"),
        "lost_interest": _l("Lost interest"),
        "bad_chemistry": _l("Bad chemistry"),
        "too_heavy": _l("Problems too heavy for a volunteer"),
        "volunteer_time": _l("Volunteer's lack of time"),
        "safety_concern": _l("Safety concern"),
        "intro_declined": _l("Said no at the introduction"),
        "other": _l("Other"),
    },
    "weekday": {
        "mon": _l("Monday"), "tue": _l("Tuesday"), "wed": _l("Wednesday"), "thu": _l("Thursday"),
        "fri": _l("Friday"), "sat": _l("Saturday"), "sun": _l("Sunday"),
    },
    "daypart": {"morning": _l("Morning"), "afternoon": _l("Afternoon"), "evening": _l("Evening")},
    "component": {
        "interests": _l("Shared interests"),
        "languages": _l("Languages in common"),
        "distance": _l("Distance"),
        "availability": _l("Free at the same times"),
        "age": _l("Age"),
        "wishes": _l("Wishes"),
        "experience": _l("Experience vs complexity"),
        "waiting": _l("Waiting time"),
    },
    "rule": {
        "approved": _l("volunteer approved"),
        "capacity": _l("free place"),
        "program": _l("program serves the request"),
        "supports": _l("volunteer wants this kind of request"),
        "age_eligible": _l("age within the program"),
        "required_gender": _l("required gender"),
        "distance": _l("within the distance limit"),
        "experience_minimum": _l("enough experience"),
        "heavy_cases": _l("room for another heavy case"),
        "child_certificate": _l("børneattest where a child under 15 is involved"),
        "excluded": _l("not excluded"),
        "already_matched": _l("not matched before"),
    },
    # --- volunteer journey (issue 4) ---
    # --- coordinator journey (issue 5) ---
    # --- follow-up (issue 6) ---
    "risk": {
        "talk_to_me": _l("The volunteer wants to talk to a coordinator"),
        "end_requested": _l("The volunteer has asked to end the match"),
        "falling_ratings": _l("Meetings are rated lower"),
        "no_meeting": _l("No meeting logged"),
        "overdue_checkin": _l("Check-in overdue"),
        "pause_over": _l("The pause should have ended"),
        "introduction_overdue": _l("The introduction has not been recorded"),
        "heavy_for_experience": _l("High complexity for an inexperienced volunteer"),
        "status_overdue": _l("The status to the referrer is overdue"),
    },
    "experience_warning": {
        "experience_at_minimum": _l("Close to the limit: the volunteer has just the least experience this complexity "
                                    "needs."),
        "last_heavy_place": _l("This would be the volunteer's last heavy case under the program's limit."),
    },
    "rhythm": {"weekly": _l("Every week"), "biweekly": _l("Every other week"), "monthly": _l("Every month"),
               "as_agreed": _l("As we agree (no reminders)")},
    "contacted": {"volunteer": _l("The volunteer"), "youth": _l("The youth"), "parent": _l("A parent")},
    "checkin_kind": {"scheduled": _l("Planned"), "followup": _l("12-month follow-up"), "extra": _l("Extra"),
                     "one_year": _l("One year after the start")},
    "outcome_question": {
        "education_or_work": _l("In education or work"),
        "leisure_activity": _l("In a leisure activity"),
        "social_case": _l("Still a case in the social system"),
        "own_words": _l("In their own words"),
    },
    "outcome_answer": {"yes": _l("Yes"), "no": _l("No"), "unknown": _l("Don't know")},
    # --- admin (issue 7) ---
    "record_type": {
        "Youth": _l("Youth"), "Household": _l("Family"), "Volunteer": _l("Volunteer"), "Request": _l("Request"),
        "Match": _l("Match"), "MeetingLog": _l("Meeting log"), "CheckIn": _l("Check-in"), "User": _l("User"),
        "Program": _l("Program"), "Note": _l("Note"), "Referral": _l("Referral"),
        "ReferringUnit": _l("Referring unit"),
        # --- pages (issue 12) ---
        "Proposal": _l("Proposal"), "MatchRun": _l("Match run"), "Organisation": _l("Organisation"),
        "AuditEvent": _l("Audit log"), "account": _l("Account"),
        # --- families (issue 14) ---
        "FamilyPlan": _l("Family plan"), "FamilyGoal": _l("Goal in a family plan"),
        "FamilyAgreement": _l("Agreement in a family plan"), "PlanMeeting": _l("Plan meeting"),
        "FamilyProgress": _l("Family members' progress"), "FamilyTeam": _l("Team around a family"),
        "Professional": _l("Professional"), "Competence": _l("Competence"), "Measure": _l("Progress measure"),
    },
    "audit_action": {
        "view": _l("Viewed"), "create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted"),
        "export": _l("Exported"), "erase": _l("Erased on request"), "anonymise": _l("Anonymised (retention)"),
    },
    # --- background jobs (issue 16) ---
    "run_status": {"queued": _l("Waiting to start"), "running": _l("Running"), "done": _l("Done"),
                   "failed": _l("Failed")},
    "organisation_kind": {"association": _l("Association"), "municipality": _l("Municipality")},
    # --- waiting fairness (issue 20) ---
    "waiting_priority": {
        "strict": _l("Strict: whoever is past the waiting target comes first, the longest wait first"),
        "weighed": _l("Weighed: waiting time is one part of the score"),
        "off": _l("Off: waiting time does not count"),
    },
    "waiting_priority_name": {"strict": _l("Strict"), "weighed": _l("Weighed"), "off": _l("Off")},
    "request_waiting_reason": {
        "passed_over": _l("A volunteer they could have had went to someone who had waited less, for a better score"),
        "sibling_group": _l("Siblings go to one volunteer together, and no volunteer could take them all"),
        "complexity_cap": _l("The volunteers they could have had already have as many high-complexity mentees as "
                             "the program allows"),
        "taken_by_longer_wait": _l("Every volunteer they could have had went to someone who had waited at least as "
                                   "long"),
        "no_allowed_pair": _l("No volunteer meets the hard rules for them"),
    },
    "volunteer_waiting_reason": {
        "passed_over": _l("A request they could have taken went to a volunteer who had waited less, for a better "
                          "score"),
        "sibling_group": _l("The requests they could take are siblings who go to one volunteer together"),
        "complexity_cap": _l("The requests they could take are high-complexity cases the program's cap keeps from "
                             "them"),
        "taken_by_longer_wait": _l("Every request they could have taken went to a volunteer who had waited at least "
                                   "as long"),
        "no_allowed_pair": _l("No request meets the hard rules for them"),
    },
    "pass_reason": {
        "passed_over": _l("chosen for a better score, because waiting priority is not strict"),
        "sibling_group": _l("forced by the rule that siblings go to one volunteer together"),
        "complexity_cap": _l("forced by the cap on high-complexity mentees per volunteer"),
    },
    "person_kind": {"youth": _l("Youth"), "household": _l("Family"), "volunteer": _l("Volunteer")},
    # --- referrals (issue 13) ---
    "referral_kind": {"youth": _l("Youth"), "family": _l("Family")},
    "referral_status": {"received": _l("Received"), "needs_info": _l("More information needed"),
                        "accepted": _l("Accepted"), "declined": _l("Declined"), "withdrawn": _l("Withdrawn")},
    # The status in words a referrer reads (models.referrals.queries.progress).
    "referral_stage": {
        "received": _l("Received"), "needs_info": _l("More information needed"), "declined": _l("Declined"),
        "withdrawn": _l("Withdrawn"), "accepted": _l("Accepted"), "consent_withdrawn": _l("Consent withdrawn"),
        "waiting": _l("Accepted, waiting for a volunteer"), "introduced": _l("Matched"), "active": _l("Active"),
        "paused": _l("Paused"), "closed": _l("Closed"), "waiting_again": _l("Waiting for a new volunteer"),
    },
    "decline_reason": {
        "outside_target": _l("Outside the programme's target group"),
        "too_heavy": _l("The needs are too heavy for a volunteer"),
        "no_volunteers": _l("No volunteer can be found in reasonable time"),
        "other_offer": _l("Another offer fits better"),
        "consent": _l("The consent is missing or unclear"),
        "other": _l("Another reason"),
    },
    "unit_kind": {
        "children_families": _l("Children and families department"), "ssp": _l("SSP (school, social services, police)"),
        "school": _l("School"), "health": _l("Health visitors and health care"), "jobcenter": _l("Job centre"),
        "integration": _l("Integration team"), "other": _l("Other"),
    },
    "custody": {"joint": _l("Joint custody: both custody holders consent"), "sole": _l("Sole custody")},
    "volunteer_info": {"none": _l("Nothing about the volunteer"), "first_name": _l("The volunteer's first name"),
                       "first_name_and_age": _l("The volunteer's first name and age")},
    # --- pages (issue 12): every code a page shows goes through here ---
    "youth_gender": {"female": _l("Girl"), "male": _l("Boy"), "other": _l("Other")},
    "member_role": {"parent": _l("parent"), "child": _l("child"), "other": _l("other adult")},
    "run_progress": {
        "queued": _l("waiting to start"), "loading": _l("reading the waiting lists"),
        "scoring": _l("scoring the pairs"), "storing": _l("saving the proposals"), "done": _l("done"),
        "failed": _l("failed"), "restarted": _l("started again after the worker stopped"),
    },
    "match_event": {
        "proposal approved": _l("the proposal was approved"), "manual match": _l("matched by hand"),
        "volunteer declined": _l("the volunteer said no"), "genoptaget": _l("resumed"),
    },
    "audit_detail": {
        "request_id": _l("request"), "requests": _l("requests"), "match_id": _l("match"), "kind": _l("kind"),
        "volunteer_id": _l("volunteer"), "note_id": _l("note"), "status": _l("status"), "reason": _l("reason"),
        "screening": _l("screening step"), "role": _l("role"), "invited": _l("invited"), "active": _l("active"),
        "introduction": _l("both said yes"), "volunteer": _l("the volunteer"), "end_requested": _l("asked to end"),
        "contact_handled": _l("talks handled"), "back_in_pool": _l("back in the pool"), "profile": _l("profile"),
        "signup": _l("signed up"), "changed": _l("changed"), "on": _l("date"),
        "closed_matches": _l("matches closed"), "closed_requests": _l("requests closed"),
        "matches": _l("matches"), "notes_deleted": _l("notes deleted"), "introduction_on": _l("introduction"),
        "proposal_id": _l("proposal"), "anonymised_at": _l("erased"),
    },
    "volunteer_answer": {"accepted": _l("said yes"), "declined": _l("said no")},
    "yes_no": {True: _l("yes"), False: _l("no"), "yes": _l("yes"), "no": _l("no")},
    # --- events (issue 15) ---
    "event_kind": {"intro_course": _l("Introductory course"), "network_meeting": _l("Network meeting"),
                   "supervision": _l("Supervision"), "theme_evening": _l("Theme evening"),
                   "social": _l("Social gathering")},
    "event_audience": {"waiting": _l("Volunteers waiting for a match"), "active": _l("Mentors with a match"),
                       "new": _l("New volunteers (in screening)"), "all": _l("All volunteers")},
    "signup_status": {"signed_up": _l("Signed up"), "waiting": _l("Waiting list"), "cancelled": _l("Cancelled")},
    "feed_change": {"new": _l("made"), "revoked": _l("stopped")},
    "leave_reason": {"moved": _l("Moved away"), "no_time": _l("No time any more"), "lost_interest": _l("Lost interest"),
                     "waited_too_long": _l("Waited too long for a match"), "personal": _l("Personal reasons"),
                     "other": _l("Other"), "account_deleted": _l("Deleted their account")},
    # --- families (issue 14) ---
    "life_area": {
        "job_education": _l("Job and education"), "danish_language": _l("Danish language"),
        "school_daycare": _l("School and day care"), "leisure_associations": _l("Leisure and associations"),
        "network_friends": _l("Network and Danish friends"), "health": _l("Health"),
        "housing_economy": _l("Housing and economy"), "parenting": _l("Parenting"),
    },
    "competence": {
        "language_culture": _l("Language and culture"), "school": _l("School"), "job_education": _l("Job and education"),
        "health": _l("Health"), "parenting": _l("Parenting"), "leisure": _l("Leisure and associations"),
        "housing_economy": _l("Housing and economy"), "danish_practice": _l("Practising Danish"),
        "network": _l("Network and Danish friends"),
    },
    "measure": {
        "job_education": _l("Has a job or is in education"), "association": _l("Is a member of an association"),
        "danish_network": _l("Has Danish friends or network"), "school_problems": _l("Has problems at school"),
        "child_protection": _l("Has a child-protection measure"),
    },
    # A graded measure is named by what it grades (its old yes/no answers keep the question above).
    "measure_graded": {"child_protection": _l("Child-protection level")},
    # Seed 002: from no concern, via a concern, an investigation (§ 50) and measures at home such
    # as family counselling or a support and contact person, to a child placed outside the home.
    "child_protection_level": {
        "no_concern": _l("No concern"), "concern": _l("Concern, no case opened"),
        "investigation": _l("Child-protection investigation (§ 50)"),
        "measure_at_home": _l("Measure at home (e.g. family counselling, a support and contact person)"),
        "placed_out_of_home": _l("Placed outside the home"),
    },
    "measure_applies_to": {"all": _l("Everyone"), "adult": _l("Adults"), "child": _l("Children")},
    "goal_status": {"open": _l("In progress"), "reached": _l("Reached"), "dropped": _l("Dropped")},
    "agreement_status": {"open": _l("Open"), "done": _l("Done"), "dropped": _l("Dropped")},
    "owner_kind": {"member": _l("Family member"), "volunteer": _l("Volunteer"), "professional": _l("Professional")},
    "meeting_kind": {"family": _l("Family meeting"), "network": _l("Network meeting")},
    "progress_moment": {"entry": _l("At entry"), "meeting": _l("At a plan meeting"), "at_end": _l("At the end")},
    "primary_reason": {"language": _l("speaks the family's language"),
                       "competences": _l("has competences the family needs"),
                       "continuity": _l("already knows the family")},
    "plan_change": {"dreams": _l("Dreams written"), "goal_added": _l("Goal added"),
                    "goal_status": _l("Goal changed status"), "agreement_added": _l("Agreement added"),
                    "agreement_status": _l("Agreement changed status"), "meeting": _l("Meeting held"),
                    "progress": _l("Progress recorded")},
}
# --- safeguard (issue 15): signed texts, the børneattest's renewal, "Jeg er bekymret" ---
LABELS["step"].update({"sign_confidentiality": _l("Duty of confidentiality (tavshedserklæring) signed"),
                       "sign_agreement": _l("Volunteer agreement (frivilligaftale) signed")})
LABELS["step_status"].update({"signed": _l("Signed"), "not_signed": _l("Not signed yet"),
                              "new_version": _l("New version to sign")})
LABELS["rule"]["certificate_valid"] = _l("børneattest not run out")
LABELS["risk"]["worried"] = _l("The volunteer is worried about the child (Jeg er bekymret)")
LABELS["volunteer_waiting_reason"]["certificate_expired"] = _l(
    "Their børneattest has run out: record a new one to bring them back into the proposals")
LABELS["audit_detail"].update({"text_version": _l("text version"), "concern": _l("concern"),
                               "concerns_handled": _l("concerns handled"), "title": _l("title"), "renewal": _l("renewed")})
LABELS["text_kind"] = {"confidentiality": _l("Duty of confidentiality (tavshedserklæring)"),
                       "agreement": _l("Volunteer agreement (frivilligaftale)")}
LABELS["certificate_result"] = {"done": _l("Received without remarks"), "remarks": _l("Received with remarks")}

LABELS["audit_detail"].update({  # events (issue 15)
    "event": _l("event"), "attended": _l("came"), "minutes": _l("minutes"), "calendar_feed": _l("calendar address"),
    "cancelled": _l("cancelled"), "capacity": _l("places"), "programs": _l("programmes"),
    "attendees": _l("people on the list"), "event_kind": _l("kind of event"), "leave_reason": _l("why they stopped"),
    "note": _l("note"),
})

# --- one person, several programmes (issue 15) ---
LABELS["membership_status"] = {"applied": _l("Applied, waiting for approval"), "active": _l("Member"),
                               "paused": _l("Paused"), "left": _l("Left")}
LABELS["audit_detail"].update({"programme": _l("programme"), "membership_status": _l("place in the programme"),
                               "why_this_programme": _l("why this programme")})

# --- spreadsheet import (issue 17) ---
LABELS["import_kind"] = {"volunteers": _l("Volunteers"), "youths": _l("Youths"), "households": _l("Households"),
                         "pairs": _l("Pairs")}
LABELS["import_status"] = {"uploaded": _l("Being prepared"), "queued": _l("Waiting to start"),
                           "running": _l("Importing"), "done": _l("Imported"), "failed": _l("Failed"),
                           "undone": _l("Undone")}
LABELS["audit_detail"].update({
    "file": _l("file"), "sha256": _l("file fingerprint (SHA-256)"), "rows": _l("rows"), "import_kind": _l("holds"),
    "volunteers": _l("volunteers"), "youths": _l("youths"), "households": _l("households"), "pairs": _l("pairs"),
    "merged": _l("merged"), "skipped": _l("skipped"),
    "import_batch": _l("the import"), "undone": _l("removed"), "restored": _l("put back"), "merged_fields": _l("fields filled in"),
    "import_confirmed": _l("confirmed by the volunteer"), "imported_consent_confirmed": _l("imported consent confirmed"),
    "export_format": _l("file format"),
})
LABELS["export_status"] = {"queued": _l("Waiting to start"), "running": _l("Being made"), "done": _l("Ready"),
                           "failed": _l("Failed"), "expired": _l("No longer kept")}
LABELS["record_type"].update({"ImportBatch": _l("Spreadsheet import"), "ExportFile": _l("Export file")})
LABELS["audit_detail"].update({"export_file": _l("the export file"), "downloaded": _l("downloaded"),
                               "size": _l("size (bytes)")})
LABELS["import_record"] = {"Volunteer": _l("volunteers"), "Youth": _l("youths"), "Household": _l("households"),
                           "Request": _l("requests"), "Match": _l("pairs"), "HouseholdMember": _l("family members"),
                           "Membership": _l("places in a programme")}


def label(kind: str, code: object) -> str:
    """The label of ``code`` in the vocabulary ``kind``; the code itself when unknown."""
    if code is None or code == "":
        return ""
    value = LABELS.get(kind, {}).get(code)  # type: ignore[call-overload]
    return str(value) if value is not None else str(code)


def choices(kind: str) -> list[tuple[object, object]]:
    return list(LABELS[kind].items())


def _in_text(name: str) -> str:
    # Danish writes language names in lower case inside a sentence ("arabisk"); English does not.
    return name[:1].lower() + name[1:] if current_locale() == "da" else name


def languages_text(languages: dict[str, int] | None) -> str:
    """"arabisk (flydende / modersmål), dansk (godt)": the best known first, never codes."""
    parts = []
    for code, level in sorted((languages or {}).items(), key=lambda kv: (-int(kv[1] or 0), kv[0])):
        name = vocab_label(LANGUAGES[code]) if code in LANGUAGES else code
        level_name = vocab_label(LANGUAGE_LEVEL_LABELS[int(level)]) if int(level or 0) in LANGUAGE_LEVEL_LABELS else ""
        parts.append(f"{_in_text(name)} ({level_name.lower()})" if level_name else _in_text(name))
    return ", ".join(parts)


def interests_text(tags: list[str] | None) -> str:
    """The interests by their names in the reader's language ("Løb, Læsning og bøger")."""
    return ", ".join(vocab_label(INTERESTS[t]) if t in INTERESTS else t for t in (tags or []))


def availability_text(mask: int | None) -> str:
    """The ticked times of the week in words: "Mandag eftermiddag og aften, lørdag formiddag"."""
    from matching.profiles import DAYPARTS, WEEKDAYS, slot_bit

    days = []
    for d, day in enumerate(WEEKDAYS):
        parts = [label("daypart", part).lower() for p, part in enumerate(DAYPARTS) if (mask or 0) & slot_bit(d, p)]
        if parts:
            names = parts[0] if len(parts) == 1 else gettext("%(first)s and %(last)s", first=", ".join(parts[:-1]),
                                                                last=parts[-1])
            days.append(f"{_in_text(label('weekday', day))} {names}")
    text = ", ".join(days)
    return text[:1].upper() + text[1:]


def run_progress_text(progress: str | None, stats: dict | None = None) -> str:
    """A run's stored progress ("scoring", with its counts in the stats) in words."""
    code, _sep, rest = (progress or "").partition(" ")
    numbers = [n for n in rest.replace("x", " ").split() if n.isdigit()]  # older rows: "scoring 12 x 40"
    if code == "scoring" and stats and "requests" in stats and "volunteers" in stats:
        numbers = [str(stats["requests"]), str(stats["volunteers"])]
    if code == "scoring" and len(numbers) == 2:
        return gettext("scoring %(requests)s requests against %(volunteers)s volunteers",
                       requests=numbers[0], volunteers=numbers[1])
    return label("run_progress", code)


def run_step_text(run) -> str:  # noqa: ANN001 - a MatchRun
    """What a run is doing now, for its page and the status URL the page polls."""
    if run.status == "queued":
        return gettext("waiting for a free background worker")
    return run_progress_text(run.progress, run.stats)


def event_reason(to_status: str | None, reason: str | None) -> str:
    """Why a match changed status: a label where the reason is a code, else the words written."""
    if not reason:
        return ""
    if to_status == "closed" and reason in LABELS["closure_reason"]:
        return label("closure_reason", reason)
    return label("match_event", reason)


def proposal_reason(reason: str | None) -> str:
    """A rejected proposal's reason as the coordinator wrote it (older rows carry an English prefix)."""
    text = (reason or "").strip()
    return text[len("Rejected:"):].strip() if text.startswith("Rejected:") else text


_STATUS_KIND = {"Match": "match_status", "Volunteer": "volunteer_status", "Proposal": "proposal_status",
                "Request": "request_status"}


def _detail_value(status_kind: str, key: str, value: object) -> str:
    if isinstance(value, bool):
        return label("yes_no", value)
    if isinstance(value, list):
        return ", ".join(_detail_value(status_kind, key, v) for v in value)
    kind = {"status": status_kind, "screening": "step", "role": "role", "kind": "checkin_kind",
            "reason": "closure_reason", "introduction": "yes_no", "volunteer": "volunteer_answer",
            "event_kind": "event_kind", "signup": "signup_status", "calendar_feed": "feed_change",
            "leave_reason": "leave_reason", "import_kind": "import_kind",
            "membership_status": "membership_status"}.get(key)
    if kind:
        return label(kind, value)
    if key in ("on", "anonymised_at") and isinstance(value, str):
        try:
            return format_date(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def audit_detail(record_type: str | None, detail: dict | None) -> str:
    """An audit event's details in words: "status: godkendt; screening step: samtale"."""
    detail = detail or {}
    # A screening step's status is a step status; otherwise the status of the record itself.
    status_kind = "step_status" if "screening" in detail else _STATUS_KIND.get(record_type or "", "match_status")
    parts = []
    for key, value in detail.items():
        if value in (None, "", [], {}):
            continue
        name = label("audit_detail", key) if key in LABELS["audit_detail"] else label("step", key)
        if value is True:
            parts.append(name)
        else:
            parts.append(f"{name}: {_detail_value(status_kind, key, value)}")
    return "; ".join(parts)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["label"] = label
    app.jinja_env.filters["languages"] = languages_text
    app.jinja_env.filters["interests"] = interests_text
    app.jinja_env.filters["availability"] = availability_text
    app.jinja_env.globals["run_progress_text"] = run_progress_text
    app.jinja_env.globals["run_step_text"] = run_step_text
    app.jinja_env.globals["event_reason"] = event_reason
    app.jinja_env.globals["proposal_reason"] = proposal_reason
    app.jinja_env.globals["audit_detail"] = audit_detail
