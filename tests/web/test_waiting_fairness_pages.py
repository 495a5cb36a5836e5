"""Waiting fairness as coordinators and admins see it: the run serves whoever is past the target
first, the proposal says how long both sides waited and whom it passed over and why, the waiting
lists say why someone past the target got no proposal, and the admin chooses the priority."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from matching.run import execute_run, start_run
from models.audit import AuditEvent
from models.clock import today as clock_today
from models.matchruns import MatchRun, Proposal, WaitingReason
from models.organisations import Program
from seed import builders as b
from tests.conftest import fresh

TODAY = clock_today()  # the pages' today (Copenhagen): around midnight UTC it is not date.today()


def _world(session, world, priority: str = "strict", **program):  # noqa: ANN001, ANN003, ANN202
    """A program of its own: one volunteer who likes football, a youth waiting 300 days who likes
    gaming, and a newcomer (20 days) who likes football: the newcomer fits better."""
    fields = {"name": "Ventetid", "slug": "ventetid", "waiting_priority": priority, "max_high_complexity_per_volunteer": 1}
    prog = b.make_program(session, world.organisation, **{**fields, **program})
    volunteer = b.make_volunteer(session, prog, first_name="Vera", interests=["fodbold"],
                                 pool_since=TODAY - timedelta(days=30))
    old = b.make_request(session, prog, youth=b.make_youth(session, world.organisation, first_name="Lang",
                                                          last_name="Ventetid", interests=["gaming"]),
                         referred_on=TODAY - timedelta(days=300))
    new = b.make_request(session, prog, youth=b.make_youth(session, world.organisation, first_name="Ny",
                                                          last_name="Ankommen", interests=["fodbold"]),
                         referred_on=TODAY - timedelta(days=20))
    session.commit()
    return prog, volunteer, old, new


def _run(engine, session, program):  # noqa: ANN001, ANN202
    session.commit()  # end any read transaction first: the run writes from other connections
    run = start_run(session, program, by_user_id=None)
    execute_run(engine, run.id, TODAY)
    session.expire_all()
    return session.get(MatchRun, run.id)


def _first(session, run):  # noqa: ANN001, ANN202
    return session.exec(select(Proposal).where(Proposal.run_id == run.id, Proposal.rank == 1)).all()


def test_strict_gives_the_volunteer_to_the_youth_past_the_target_and_says_how_long_both_waited(
        engine, session, world, as_role):
    prog, volunteer, old, new = _world(session, world)
    run = _run(engine, session, prog)
    (proposal,) = _first(session, run)
    assert (proposal.request_id, proposal.volunteer_id) == (old.id, volunteer.id)
    assert run.stats["waiting"]["requests"] == {"past_target": 1, "served": 1, "passed_over": 0,
                                                "passed_over_by_shorter_wait": 0, "passed_over_forced_by_rule": 0}
    page = as_role("coordinator").get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert "Prioritering af ventetid: Streng." in page
    assert re.search(r"Ventetid ved forslaget:\s*den unge eller familien 300 dage \(210 dage over målet\),\s*"
                     r"den frivillige 30 dage\.", page), page[page.find("Ventetid ved"):][:400]


def test_weighed_lets_the_newcomer_pass_and_the_pages_say_so(engine, session, world, as_role):
    prog, volunteer, old, new = _world(session, world, priority="weighed")
    run = _run(engine, session, prog)
    (proposal,) = _first(session, run)
    assert proposal.request_id == new.id
    assert proposal.breakdown["passes_over"] == [{"request_id": old.id, "days_past": 210, "reason": "passed_over"}]
    client = as_role("coordinator")
    page = client.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert ("Springer Lang Ventetid over (210 dage over målet): valgt for en bedre score, fordi prioriteringen af "
            "ventetid ikke er streng.") in page
    assert "Anmodninger, som en nyankommen sprang over: 1." in page
    waiting = client.get(f"/koordinator/venteliste/anmodninger?program={prog.id}").get_data(as_text=True)
    row = waiting[waiting.find("Lang Ventetid"):][:1500]
    assert "210 dage over målet" in row
    assert "En frivillig, de kunne have fået, gik til en, der havde ventet kortere" in row
    assert TODAY.strftime("%d-%m-%Y") in row  # the run it comes from


def test_the_complexity_cap_forcing_a_pass_is_named_on_the_proposal(engine, session, world, as_role):
    # Vera may take two, but only one high-complexity mentee: the 300-day youth (high) and the
    # 200-day one (high) cannot both have her, so the newcomer gets the second place.
    prog, volunteer, old, new = _world(session, world)
    volunteer.capacity, volunteer.experience = 2, 2  # heavy cases need an experienced volunteer
    old.complexity = 2
    second = b.make_request(session, prog, youth=b.make_youth(session, world.organisation, first_name="Anden",
                                                             last_name="Tung"),
                            referred_on=TODAY - timedelta(days=200), complexity=2)
    session.add_all([volunteer, old])
    session.commit()
    run = _run(engine, session, prog)
    chosen = {p.request_id: p for p in _first(session, run)}
    assert set(chosen) == {old.id, new.id}
    assert chosen[new.id].breakdown["passes_over"] == [
        {"request_id": second.id, "days_past": 110, "reason": "complexity_cap"}]
    reason = session.exec(select(WaitingReason).where(WaitingReason.request_id == second.id)).one()
    assert (reason.reason, reason.days_past_target, reason.run_id) == ("complexity_cap", 110, run.id)
    assert run.stats["waiting"]["requests"]["passed_over_forced_by_rule"] == 1
    client = as_role("coordinator")
    page = client.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert "Springer Anden Tung over (110 dage over målet): nødvendigt på grund af loftet over tunge forløb" in page
    assert "Heraf 1, fordi en regel gjorde det nødvendigt; forslagene siger hvilken." in page
    waiting = client.get(f"/koordinator/venteliste/anmodninger?program={prog.id}").get_data(as_text=True)
    assert "har allerede så mange tunge forløb, som programmet tillader" in waiting


def test_someone_past_the_target_with_no_allowed_volunteer_is_told_so(engine, session, world, as_role):
    prog, volunteer, old, new = _world(session, world)
    far = b.make_request(session, prog, youth=b.make_youth(session, world.organisation, first_name="Fjern",
                                                          last_name="Ung", postcode="9990"),
                         referred_on=TODAY - timedelta(days=150))
    session.commit()
    _run(engine, session, prog)
    reason = session.exec(select(WaitingReason).where(WaitingReason.request_id == far.id)).one()
    assert reason.reason == "no_allowed_pair" and reason.days_past_target == 60
    waiting = as_role("coordinator").get(f"/koordinator/venteliste/anmodninger?program={prog.id}&q=Fjern")
    assert "Ingen frivillig opfylder de faste regler for dem" in waiting.get_data(as_text=True)


def test_a_volunteer_past_the_target_gets_the_request_before_a_newcomer_volunteer(engine, session, world, as_role):
    prog = b.make_program(session, world.organisation, name="Frivilligventetid", slug="fv")
    patient = b.make_volunteer(session, prog, first_name="Tålmodig", interests=["gaming"],
                               pool_since=TODAY - timedelta(days=250))
    fresh = b.make_volunteer(session, prog, first_name="Frisk", interests=["fodbold"],
                             pool_since=TODAY - timedelta(days=10))
    youth = b.make_youth(session, world.organisation, first_name="Ida", interests=["fodbold"], today=TODAY)
    request = b.make_request(session, prog, youth=youth, referred_on=TODAY - timedelta(days=10))
    session.commit()
    run = _run(engine, session, prog)
    (proposal,) = _first(session, run)
    assert (proposal.request_id, proposal.volunteer_id) == (request.id, patient.id)
    # With waiting weighed, the better fit wins and the waiting volunteer learns why.
    prog.waiting_priority = "weighed"
    session.add(prog)
    session.commit()
    run = _run(engine, session, prog)
    (proposal,) = _first(session, run)
    assert proposal.volunteer_id == fresh.id
    assert proposal.breakdown["passes_over_volunteers"] == [
        {"volunteer_id": patient.id, "days_past": 160, "reason": "passed_over"}]
    client = as_role("coordinator")
    page = client.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert "Springer den frivillige Tålmodig Jensen over (160 dage over målet)" in page
    listing = client.get(f"/koordinator/venteliste/frivillige?program={prog.id}").get_data(as_text=True)
    row = listing[listing.find("Tålmodig"):][:1500]
    assert "160 dage over målet" in row
    assert "En anmodning, de kunne have taget, gik til en frivillig, der havde ventet kortere" in row


def test_the_waiting_lists_read_the_last_run_and_a_new_run_replaces_its_reasons(engine, session, world, as_role):
    prog, volunteer, old, new = _world(session, world, priority="weighed")
    first = _run(engine, session, prog)
    assert session.exec(select(WaitingReason.run_id).where(WaitingReason.program_id == prog.id)).all() == [first.id]
    # A second volunteer joins: the page still shows the stored reason until the next run...
    b.make_volunteer(session, prog, first_name="Ekstra", interests=["gaming"], pool_since=TODAY - timedelta(days=30))
    session.commit()
    client = as_role("coordinator")
    listing = client.get(f"/koordinator/venteliste/anmodninger?program={prog.id}").get_data(as_text=True)
    assert "gik til en, der havde ventet kortere" in listing
    # ...which serves everyone, so no reason is left.
    _run(engine, session, prog)
    assert session.exec(select(WaitingReason).where(WaitingReason.program_id == prog.id)).all() == []
    listing = client.get(f"/koordinator/venteliste/anmodninger?program={prog.id}").get_data(as_text=True)
    assert "gik til en, der havde ventet kortere" not in listing


def test_the_admin_previews_each_waiting_priority_and_saves_one(engine, session, world, as_role):
    prog, volunteer, old, new = _world(session, world)
    client = as_role("admin")
    url = f"/admin/programmer/{prog.id}"
    form = client.get(url).get_data(as_text=True)
    assert 'name="waiting_priority" type="radio" value="strict" checked' in form or re.search(
        r'<input checked[^>]*value="strict"', form)
    data = _settings_form(form)
    preview = client.post(url, data={**data, "action": "preview_waiting"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:2000]
    table = page[page.find("Dagens venteliste med hvert valg"):]
    assert "Streng" in table and "Vægtet" in table and "Fra" in table
    row = re.search(r"Anmodninger, som en nyankommen springer over</th>(.*?)</tr>", table, re.S).group(1)
    assert re.findall(r">(\d+)<", row) == ["0", "1", "1"]  # strict passes nobody over
    assert session.exec(select(Program.waiting_priority).where(Program.id == prog.id)).one() == "strict"

    saved = client.post(url, data={**data, "waiting_priority": "weighed", "action": "save"})
    assert saved.status_code == 302
    fresh(session)
    assert session.get(Program, prog.id).waiting_priority == "weighed"
    event = session.exec(select(AuditEvent).where(AuditEvent.record_type == "Program",
                                                  AuditEvent.record_id == prog.id)).all()[-1]
    assert "waiting_priority" in event.detail["changed"]


def test_an_unknown_waiting_priority_is_refused_and_nothing_is_saved(session, world, as_role):
    prog, *_ = _world(session, world)
    client = as_role("admin")
    url = f"/admin/programmer/{prog.id}"
    data = _settings_form(client.get(url).get_data(as_text=True))
    response = client.post(url, data={**data, "waiting_priority": "lottery", "action": "save"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    section = page[page.find('id="waiting-h"'):page.find('id="follow-h"')]
    assert 'class="field-error">Vælg et svar fra listen.' in section, section
    fresh(session)
    assert session.get(Program, prog.id).waiting_priority == "strict"


def _settings_form(page: str) -> dict:
    """The values of the settings form as the browser would send them."""
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio"):
            if "checked" in tag:
                data.setdefault(name.group(1), []).append(value.group(1) if value else "y")
        elif kind and kind.group(1) == "submit":
            continue
        else:
            data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected',
                           options)
        if chosen:
            data[name] = chosen.group(1) or chosen.group(2)
    return data


def test_the_match_command_reports_who_past_the_target_was_served(app, session, world):
    prog, *_ = _world(session, world)
    result = app.test_cli_runner().invoke(args=["match", "--program", prog.slug, "--organisation",
                                                world.organisation.slug])
    assert result.exit_code == 0, result.output
    assert ("waiting priority strict (target 90 days): past the target, 1 of 1 requests and 0 of 0 volunteers "
            "served; passed over by a newcomer: 0 requests, 0 volunteers") in result.output
