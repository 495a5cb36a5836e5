"""Every route x every role: who may use it, who is sent to sign in, who is refused.

A route that is not listed in ACCESS fails the suite: adding a page means deciding who may
see it. Records of another organisation are simply not found.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import login

ANON, VOL, COORD, ADMIN, REF = "anonymous", "volunteer", "coordinator", "admin", "referrer"
ROLES = (ANON, VOL, COORD, ADMIN, REF)
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({VOL, COORD, ADMIN, REF})
STAFF = frozenset({COORD, ADMIN})
ADMINS = frozenset({ADMIN})
VOLUNTEERS = frozenset({VOL})
REFERRERS = frozenset({REF})

# endpoint -> (roles allowed, url arguments built from the world)
ACCESS: dict[str, tuple[frozenset[str], Callable]] = {
    "static": (EVERYONE, lambda w: {"filename": "css/makker.css"}),
    "auth.index": (EVERYONE, lambda w: {}),
    "auth.login": (EVERYONE, lambda w: {}),
    "auth.logout": (SIGNED_IN, lambda w: {}),
    "auth.forgot_password": (EVERYONE, lambda w: {}),
    "auth.reset_password": (EVERYONE, lambda w: {"token": "not-a-token"}),
    "auth.set_language": (EVERYONE, lambda w: {"code": "en"}),
    "api.health": (EVERYONE, lambda w: {}),
    "api.me": (SIGNED_IN, lambda w: {}),
    "dev.mailbox": (EVERYONE, lambda w: {}),
    "volunteer.home": (VOLUNTEERS, lambda w: {}),
    "coordinator.home": (STAFF, lambda w: {}),
    "admin.home": (ADMINS, lambda w: {}),
    # --- volunteer journey (issue 4) ---
    "signup.programs": (EVERYONE, lambda w: {}),
    "signup.form": (EVERYONE, lambda w: {"org_slug": w.organisation.slug, "program_slug": w.program.slug}),
    "signup.thanks": (EVERYONE, lambda w: {}),
    "signup.confirm": (EVERYONE, lambda w: {"token": "not-a-token"}),
    "volunteer.log": (VOLUNTEERS, lambda w: {"match_id": w.match.id}),
    "volunteer.profile": (VOLUNTEERS, lambda w: {}),
    "volunteer.pause": (VOLUNTEERS, lambda w: {}),
    "volunteer.ask_to_end": (VOLUNTEERS, lambda w: {"match_id": w.match.id}),
    "volunteer.answer": (VOLUNTEERS, lambda w: {"match_id": w.match.id}),
    "volunteer.my_data": (VOLUNTEERS, lambda w: {}),
    "volunteer.delete_account": (VOLUNTEERS, lambda w: {}),
    "coordinator.screening": (STAFF, lambda w: {"volunteer_id": w.other_volunteer.id}),
    # --- coordinator journey (issue 5) ---
    "coordinator.new_youth": (STAFF, lambda w: {}),
    "coordinator.new_household": (STAFF, lambda w: {}),
    "coordinator.waiting_requests": (STAFF, lambda w: {}),
    "coordinator.waiting_volunteers": (STAFF, lambda w: {}),
    "coordinator.youth": (STAFF, lambda w: {"youth_id": w.youth.id}),
    "coordinator.household": (STAFF, lambda w: {"household_id": w.household.id}),
    "coordinator.volunteer": (STAFF, lambda w: {"volunteer_id": w.other_volunteer.id}),
    "coordinator.add_person_note": (STAFF, lambda w: {"kind": "youth", "record_id": w.youth.id}),
    "coordinator.runs": (STAFF, lambda w: {}),
    "coordinator.start_matching": (STAFF, lambda w: {"program_id": w.program.id}),
    "coordinator.run": (STAFF, lambda w: {"run_id": w.run.id}),
    "coordinator.run_status": (STAFF, lambda w: {"run_id": w.run.id}),
    "coordinator.approve": (STAFF, lambda w: {"proposal_id": w.proposal.id}),
    "coordinator.reject": (STAFF, lambda w: {"proposal_id": w.proposal.id}),
    "coordinator.manual": (STAFF, lambda w: {"request_id": w.family_request.id}),
    "coordinator.introduction": (STAFF, lambda w: {"match_id": w.match.id}),
    # --- follow-up (issue 6) ---
    "coordinator.followup": (STAFF, lambda w: {}),
    "coordinator.match": (STAFF, lambda w: {"match_id": w.match.id}),
    "coordinator.checkin": (STAFF, lambda w: {"match_id": w.match.id}),
    "coordinator.pause": (STAFF, lambda w: {"match_id": w.match.id}),
    "coordinator.resume": (STAFF, lambda w: {"match_id": w.match.id}),
    "coordinator.close": (STAFF, lambda w: {"match_id": w.match.id}),
    "coordinator.contact_handled": (STAFF, lambda w: {"match_id": w.match.id}),
    "coordinator.reactivate": (STAFF, lambda w: {"volunteer_id": w.other_volunteer.id}),
    # --- admin (issue 7) ---
    "admin.dashboard": (ADMINS, lambda w: {}),
    "admin.dashboard_csv": (ADMINS, lambda w: {}),
    "admin.report": (ADMINS, lambda w: {}),
    "admin.relationships": (ADMINS, lambda w: {}),
    "admin.relationships_csv": (ADMINS, lambda w: {}),
    "admin.program_settings": (ADMINS, lambda w: {"program_id": w.program.id}),
    "admin.invite": (ADMINS, lambda w: {}),
    "admin.organisation": (ADMINS, lambda w: {}),
    "admin.update_user": (ADMINS, lambda w: {"user_id": w.coordinator.id}),
    "admin.audit": (ADMINS, lambda w: {}),
    "admin.people": (ADMINS, lambda w: {}),
    "admin.export_person": (ADMINS, lambda w: {"kind": "youth", "record_id": w.youth.id}),
    "admin.erase_person": (ADMINS, lambda w: {"kind": "household", "record_id": w.household.id}),
    "auth.accept_invite": (EVERYONE, lambda w: {"token": "not-a-token"}),
    # --- matching runs (issue 3) ---
    # --- pages (issue 12) ---
    "coordinator.matches": (STAFF, lambda w: {}),
    # --- background jobs (issue 16) ---
    "coordinator.start_all_matching": (STAFF, lambda w: {}),
    # --- programme rules (issue 12) ---
    "coordinator.add_person_consent": (STAFF, lambda w: {"kind": "youth", "record_id": w.youth.id}),
    "coordinator.withdraw": (STAFF, lambda w: {"consent_id": w.youth_consent.id}),
    "coordinator.set_rhythm": (STAFF, lambda w: {"match_id": w.match.id}),
    "volunteer.set_rhythm": (VOLUNTEERS, lambda w: {"match_id": w.match.id}),
    # --- referrals (issue 13) ---
    "referrer.home": (REFERRERS, lambda w: {}),
    "referrer.start": (REFERRERS, lambda w: {}),
    "referrer.new": (REFERRERS, lambda w: {"program_id": w.program.id, "kind": "ung"}),
    "referrer.edit": (REFERRERS, lambda w: {"referral_id": w.referral.id}),
    "referrer.referral": (REFERRERS, lambda w: {"referral_id": w.referral.id}),
    "referrer.message": (REFERRERS, lambda w: {"referral_id": w.referral.id}),
    "referrer.status": (REFERRERS, lambda w: {"referral_id": w.accepted_referral.id,
                                              "status_id": w.referral_status.id}),
    "referrer.withdraw": (REFERRERS, lambda w: {"referral_id": w.referral.id}),
    "referrer.stop_status": (REFERRERS, lambda w: {"referral_id": w.referral.id}),
    "referrer.consent_form": (REFERRERS | STAFF, lambda w: {"program_id": w.program.id}),
    "coordinator.referrals": (STAFF, lambda w: {}),
    "coordinator.referral": (STAFF, lambda w: {"referral_id": w.referral.id}),
    "coordinator.accept": (STAFF, lambda w: {"referral_id": w.referral.id}),
    "coordinator.ask": (STAFF, lambda w: {"referral_id": w.referral.id}),
    "coordinator.decline": (STAFF, lambda w: {"referral_id": w.referral.id}),
    "coordinator.referral_message": (STAFF, lambda w: {"referral_id": w.referral.id}),
    "coordinator.referral_status": (STAFF, lambda w: {"referral_id": w.accepted_referral.id}),
    "coordinator.referral_stop_status": (STAFF, lambda w: {"referral_id": w.referral.id}),
    "coordinator.referral_statuses": (STAFF, lambda w: {}),
    "admin.referral_units": (ADMINS, lambda w: {}),
    "admin.new_referral_unit": (ADMINS, lambda w: {}),
    "admin.referral_unit": (ADMINS, lambda w: {"unit_id": w.unit.id}),
    "admin.referrers": (ADMINS, lambda w: {}),
    "admin.invite_referrer": (ADMINS, lambda w: {}),
    "admin.update_referrer": (ADMINS, lambda w: {"user_id": w.referrer.id}),
    "admin.hand_over": (ADMINS, lambda w: {"user_id": w.referrer.id}),
    "admin.program_referrals": (ADMINS, lambda w: {"program_id": w.program.id}),
    "admin.referral_dashboard": (ADMINS, lambda w: {}),
    "admin.referral_dashboard_csv": (ADMINS, lambda w: {}),
    "admin.erase_referral": (ADMINS, lambda w: {"referral_id": w.referral.id}),
    # --- page performance (issue 16) ---
    "admin.chart": (ADMINS, lambda w: {"key": _stored_chart(w)}),
    # --- hardening (issue 11) ---
    "auth.account": (SIGNED_IN, lambda w: {}),
    "auth.change_password_view": (SIGNED_IN, lambda w: {}),
    "auth.sign_out_everywhere_view": (SIGNED_IN, lambda w: {}),
    # --- safeguarding papers (issue 15) ---
    "safeguard.papers": (VOLUNTEERS, lambda w: {}),
    "safeguard.worried": (VOLUNTEERS, lambda w: {}),
    "safeguard.certificate": (STAFF, lambda w: {"volunteer_id": w.other_volunteer.id}),
    "safeguard.concerns_handled": (STAFF, lambda w: {"match_id": w.match.id}),
    "safeguard.texts": (ADMINS, lambda w: {}),
    "safeguard.edit_text": (ADMINS, lambda w: {"kind": "confidentiality"}),

    # --- events (issue 15) ---
    "events.index": (STAFF, lambda w: {}),
    "events.new": (STAFF, lambda w: {}),
    "events.show": (STAFF, lambda w: {"event_id": _event(w).id}),
    "events.attendance": (STAFF, lambda w: {"event_id": _event(w).id}),
    "events.capacity": (STAFF, lambda w: {"event_id": _event(w).id}),
    "events.cancel": (STAFF, lambda w: {"event_id": _event(w).id}),
    "events.invite": (STAFF, lambda w: {"event_id": _event(w).id}),
    "events.mine": (VOLUNTEERS, lambda w: {}),
    "events.volunteer_event": (VOLUNTEERS, lambda w: {"event_id": _event(w).id}),
    "events.volunteer_sign_up": (VOLUNTEERS, lambda w: {"event_id": _event(w).id}),
    "events.volunteer_cancel": (VOLUNTEERS, lambda w: {"event_id": _event(w).id}),
    "events.event_ics": (VOLUNTEERS, lambda w: {"event_id": _event(w).id}),
    "events.calendar_feed": (VOLUNTEERS, lambda w: {}),
    "events.revoke_feed": (VOLUNTEERS, lambda w: {}),
    # The secret address is the key: anyone holding it reads it, an unknown one is not found.
    "events.feed": (EVERYONE, lambda w: {"token": _feed_token(w)}),
    "events.volunteer_left": (STAFF, lambda w: {"volunteer_id": w.other_volunteer.id}),
    "events.retention": (ADMINS, lambda w: {}),
    "events.retention_csv": (ADMINS, lambda w: {}),
    # --- families (issue 14) ---
    "families.index": (STAFF, lambda w: {}),
    "families.propose_all": (STAFF, lambda w: {}),
    "families.plan": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.dreams": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.add_goal": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.goal_status": (STAFF, lambda w: {"goal_id": _family_work(w)["goal"]}),
    "families.add_agreement": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.agreement_status": (STAFF, lambda w: {"agreement_id": _family_work(w)["agreement"]}),
    "families.plan_pdf": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.meeting": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.progress": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.team": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.propose": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.save_team": (STAFF, lambda w: {"household_id": w.household.id}),
    "families.volunteer_competences": (STAFF, lambda w: {"volunteer_id": w.other_volunteer.id}),
    "families.professionals": (STAFF, lambda w: {}),
    "families.new_professional": (STAFF, lambda w: {}),
    "families.professional": (STAFF, lambda w: {"professional_id": _family_work(w)["professional"]}),
    "families.competences": (ADMINS, lambda w: {}),
    "families.competence_active": (ADMINS, lambda w: {"competence_id": _family_work(w)["competence"]}),
    "families.program_measures": (ADMINS, lambda w: {"program_id": w.family_program.id}),
    "families.add_measure": (ADMINS, lambda w: {"program_id": w.family_program.id}),
    "families.volunteer_plan": (VOLUNTEERS, lambda w: {"household_id": _family_work(w)["household"]}),
    "families.volunteer_done": (VOLUNTEERS, lambda w: {"agreement_id": _family_work(w)["agreement"]}),
    "families.team_run_status": (STAFF, lambda w: {"run_id": _team_run(w)}),
    # --- spreadsheet import (issue 17) ---
    "imports.index": (STAFF, lambda w: {}),
    "imports.mapping": (STAFF, lambda w: {"batch_id": _an_import(w)}),
    "imports.preview": (STAFF, lambda w: {"batch_id": _an_import(w)}),
    "imports.batch": (STAFF, lambda w: {"batch_id": _an_import(w)}),
    "imports.batch_status": (STAFF, lambda w: {"batch_id": _an_import(w)}),
    "imports.retry": (STAFF, lambda w: {"batch_id": _an_import(w)}),
    "imports.undo": (STAFF, lambda w: {"batch_id": _an_import(w)}),
    "imports.to_confirm": (STAFF, lambda w: {}),
    "imports_welcome.welcome": (EVERYONE, lambda w: {"token": "not-a-token"}),
    "imports.export_page": (ADMINS, lambda w: {}),
    "imports.export_status_page": (ADMINS, lambda w: {"export_id": _an_export(w)}),
    "imports.export_status": (ADMINS, lambda w: {"export_id": _an_export(w)}),
    "imports.export_download": (ADMINS, lambda w: {"export_id": _an_export(w)}),
    # one person, several programmes (issue 15)
    "members.apply": (VOLUNTEERS, lambda w: {}),
    "members.leave": (VOLUNTEERS, lambda w: {"program_id": w.program.id}),
    "members.manage": (STAFF, lambda w: {"volunteer_id": w.volunteer.id}),
    "members.approve": (STAFF, lambda w: {"volunteer_id": w.volunteer.id, "program_id": w.family_program.id}),
    "members.end": (STAFF, lambda w: {"volunteer_id": w.volunteer.id, "program_id": w.program.id}),
    "members.pause_own": (VOLUNTEERS, lambda w: {"program_id": w.program.id}),
    "members.resume_own": (VOLUNTEERS, lambda w: {"program_id": w.program.id}),
    "members.capacity_own": (VOLUNTEERS, lambda w: {"program_id": w.program.id}),
    "members.pause": (STAFF, lambda w: {"volunteer_id": w.volunteer.id, "program_id": w.program.id}),
    "members.resume": (STAFF, lambda w: {"volunteer_id": w.volunteer.id, "program_id": w.program.id}),
    "members.capacity": (STAFF, lambda w: {"volunteer_id": w.volunteer.id, "program_id": w.program.id}),
}


def _event(world):  # noqa: ANN001, ANN202
    """A coming event for every volunteer of the world's programme (made once per world)."""
    from sqlalchemy.orm import object_session

    from seed.builders import make_event

    session = object_session(world.organisation)
    if getattr(world, "_event", None) is None:
        world._event = make_event(session, [world.program], audience="all")
        session.commit()
    return world._event


def _feed_token(world) -> str:  # noqa: ANN001
    """A fresh calendar address of the world's volunteer (a page visited earlier may have stopped the last)."""
    from sqlalchemy.orm import object_session

    from seed.builders import make_calendar_feed

    session = object_session(world.organisation)
    session.rollback()  # see what the app wrote
    token = make_calendar_feed(session, world.volunteer)
    session.commit()
    return token


def _family_work(world) -> dict:  # noqa: ANN001
    """The world's family with a plan, a goal, a team (the world's volunteer and a professional)
    and an agreement the volunteer owns; made once per world, through the session that built it."""
    from sqlalchemy.orm import object_session

    from tests.families_world import family_work

    return family_work(object_session(world.organisation), world)



def _team_run(world) -> int:  # noqa: ANN001
    """A finished team proposal run for the world's family (its status is staff's to read)."""
    from sqlalchemy.orm import object_session
    from sqlmodel import select

    from models.families.tables import FamilyTeamRun

    session = object_session(world.organisation)
    found = session.exec(select(FamilyTeamRun.id).where(FamilyTeamRun.organisation_id == world.organisation.id)).first()
    if found is not None:
        return found
    from models.writes import begin_write

    begin_write(session)  # BEGIN IMMEDIATE on SQLite: the app's connections may be writing too
    run = FamilyTeamRun(organisation_id=world.organisation.id, household_id=world.household.id,
                        scope_key=f"household:{world.household.id}", status="done", phase="done", families_total=1,
                        families_done=1)
    session.add(run)
    session.commit()
    return run.id


def _an_import(world) -> int:  # noqa: ANN001
    """An uploaded (not yet imported) file of the world's organisation."""
    from sqlalchemy.orm import object_session
    from sqlmodel import select

    from models.imports.operations import upload
    from models.imports.tables import ImportBatch

    session = object_session(world.organisation)
    found = session.exec(select(ImportBatch.id).where(ImportBatch.organisation_id == world.organisation.id)).first()
    if found is not None:
        return found
    data = b"Navn;E-mail;Postnr\r\nAnna Berg;anna.berg@regneark.dk;4000\r\n"
    return upload(session, world.coordinator, world.program.id, "volunteers", "frivillige.csv", data).id


def _an_export(world) -> int:  # noqa: ANN001
    """A finished export of everything, made for the world's admin (the only one who may fetch it)."""
    from sqlalchemy.orm import object_session
    from sqlmodel import select

    from models.imports.exports import request_export, run_export
    from models.imports.tables import ExportFile

    session = object_session(world.organisation)
    found = session.exec(select(ExportFile.id).where(ExportFile.requested_by_id == world.admin.id)).first()
    if found is not None:
        return found
    export = request_export(session, world.admin, "json")
    from models.clock import utcnow

    run_export(session, export.id, utcnow())
    return export.id


def _stored_chart(world) -> str:  # noqa: ANN001
    """A drawn chart of the world's organisation, stored through the session that built the world."""
    import hashlib

    from sqlalchemy.orm import object_session

    from models import clock
    from models.chart_images import ChartImage

    key = hashlib.sha256(f"chart of {world.organisation.id}".encode()).hexdigest()
    session = object_session(world.organisation)
    if session.get(ChartImage, key) is None:
        session.add(ChartImage(key=key, organisation_id=world.organisation.id, fmt="svg", content=b"<svg/>",
                               used_on=clock.today()))
        session.commit()
    return key



def _sign_in(client, world, role: str) -> None:  # noqa: ANN001
    if role == ANON:
        return
    user = {VOL: world.volunteer_user, COORD: world.coordinator, ADMIN: world.admin, REF: world.referrer}[role]
    assert login(client, user.email).status_code == 302


def _routes(app):  # noqa: ANN001, ANN202
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method


def test_every_route_has_an_access_rule(app):
    missing = sorted({endpoint for endpoint, _ in _routes(app)} - ACCESS.keys())
    assert not missing, f"routes without an entry in tests/test_authorization.py ACCESS: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_routes_it_is_allowed(app, world, role):
    client = app.test_client()
    _sign_in(client, world, role)
    wrong = []
    for endpoint, method in _routes(app):
        if endpoint in ("auth.logout", "auth.sign_out_everywhere_view"):
            continue  # signing out is tested on its own; it would end this client's session
        allowed, args = ACCESS[endpoint]
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, **args(world))
        response = client.open(url, method=method, data={})
        code = response.status_code
        if role in allowed:
            ok = code not in (401, 403, 404, 500) or (endpoint == "dev.mailbox" and code == 404)
        elif role == ANON:
            ok = code in (302, 401) and (code == 401 or "/log-ind" in response.headers.get("Location", ""))
        else:
            ok = code in (403, 404)
        if not ok:
            wrong.append(f"{method} {url} as {role}: {code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", (VOL, COORD, ADMIN, REF))
def test_records_of_another_organisation_are_not_found(app, world, other_world, role):
    """Every route that names a record answers 404 when the record is another organisation's."""
    client = app.test_client()
    _sign_in(client, world, role)
    leaks = []
    for endpoint, method in _routes(app):
        allowed, args = ACCESS[endpoint]
        own_args, foreign_args = args(world), args(other_world)
        if own_args == foreign_args or not any(k.endswith("id") for k in foreign_args):
            continue
        with app.test_request_context():
            from flask import url_for

            url = url_for(endpoint, **foreign_args)
        code = client.open(url, method=method, data={}).status_code
        if code not in (403, 404):
            leaks.append(f"{method} {url} as {role}: {code}")
    assert not leaks, "\n".join(leaks)


def test_signing_out_needs_a_signed_in_user(client, world):
    response = client.post("/log-ud")
    assert response.status_code == 302 and "/log-ind" in response.headers["Location"]
    login(client, world.coordinator.email)
    response = client.post("/log-ud")
    assert response.status_code == 302
    assert client.get("/koordinator/").status_code == 302


def test_a_view_that_forgets_to_ask_the_policy_is_refused(app, client, world):
    @app.get("/glemt-politik")
    def forgot_policy():  # noqa: ANN202
        return "secret"

    login(client, world.coordinator.email)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/glemt-politik")
    assert response.status_code == 500
    assert b"secret" not in response.data


def test_the_api_answers_401_in_json_to_strangers(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["status"] == 401
