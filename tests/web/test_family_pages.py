"""Whole-family work through the pages: plan, team, meetings, progress, the printed plan, the volunteer."""

from __future__ import annotations

import io
import re

import pypdfium2
from sqlmodel import select

from models import clock
from models.audit import AuditEvent
from models.families.tables import (
    Competence,
    FamilyAgreement,
    FamilyGoal,
    Measure,
    PlanChange,
    PlanMeeting,
    Professional,
    ProgressRecord,
    TeamMember,
)
from models.mentees import HouseholdMember
from tests.conftest import login


def _members(session, household):  # noqa: ANN001, ANN202
    return list(session.exec(select(HouseholdMember).where(HouseholdMember.household_id == household.id)
                             .order_by(HouseholdMember.id)))


def _pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(data))
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def _school_professional(client, session, org_id):  # noqa: ANN001, ANN202
    session.rollback()  # a fresh snapshot: the pages wrote meanwhile
    school = session.exec(select(Competence).where(Competence.organisation_id == org_id,
                                                   Competence.code == "school")).one()
    job = session.exec(select(Competence).where(Competence.organisation_id == org_id,
                                                Competence.code == "job_education")).one()
    response = client.post("/familiearbejde/fagpersoner/ny", data={
        "name": "Lone Skolekonsulent", "unit": "PPR", "phone": "22334455", "competences": [school.id, job.id],
        "languages": ["ar"], "capacity": "3", "active": "y"})
    assert response.status_code == 302, response.data[:2000]
    session.rollback()
    return session.exec(select(Professional).where(Professional.name == "Lone Skolekonsulent")).one()


def test_a_coordinator_builds_a_familys_plan_team_meeting_and_progress_and_prints_it(app, as_role, world,
                                                                                     session):
    app.config["QUEUE_IMMEDIATE"] = True  # the team proposal is a queued run (decision 0021): done at once here
    client = as_role("coordinator")
    h = world.household
    parent, child = _members(session, h)
    assert client.post(f"/familiearbejde/{h.id}/droemme", data={
        "dreams-dreams": "Vi drømmer om at børnene får danske venner", "dreams-shared": "y"}).status_code == 302
    for member, area, title, readable in ((parent, "job_education", "Finde praktik", "y"),
                                          (child, "school_daycare", "Lektier hver uge", "y"),
                                          (child, "health", "Hemmelig bekymring", "")):
        response = client.post(f"/familiearbejde/{h.id}/maal", data={
            "goal-member": str(member.id), "goal-life_area": area, "goal-title": title,
            "goal-worries": "Usikker", "goal-next_steps": "Tale med skolen", "goal-shared": "y",
            "goal-family_may_read": readable})
        assert response.status_code == 302, response.data[:2000]
    professional = _school_professional(client, session, world.organisation.id)

    # Propose: the professional covers school and job; the proposal says so and names a primary contact.
    assert client.post(f"/familiearbejde/{h.id}/team/forslag").status_code == 302
    page = client.get(f"/familiearbejde/{h.id}/team?forslag=1").get_data(as_text=True)
    assert "Lone Skolekonsulent" in page and "Dækker:" in page and "Skole" in page
    assert f'value="professional:{professional.id}" checked' in page or \
        re.search(rf'checked[^>]*value="professional:{professional.id}"', page)
    response = client.post(f"/familiearbejde/{h.id}/team", data={
        "members": [f"professional:{professional.id}", f"volunteer:{world.other_volunteer.id}"],
        "primary": f"professional:{professional.id}"})
    assert response.status_code == 302, response.data[:3000]
    session.rollback()
    team = list(session.exec(select(TeamMember).order_by(TeamMember.id)))
    assert {(m.professional_id, m.volunteer_id, m.primary) for m in team} == {
        (professional.id, None, True), (None, world.other_volunteer.id, False)}

    # A meeting adds an agreement for the volunteer and closes a goal: both are the meeting's history.
    session.rollback()
    goal = session.exec(select(FamilyGoal).where(FamilyGoal.title == "Finde praktik")).one()
    response = client.post(f"/familiearbejde/{h.id}/moede", data={
        "held_on": clock.today().strftime("%d-%m-%Y"), "kind": "network", "participants": "Familien, Lone, Bo",
        "agreed": "Bo hjælper med lektier", "agreement_text": "Lektiehjælp hver tirsdag",
        "agreement_owner": f"volunteer:{world.other_volunteer.id}", f"goal-{goal.id}": "reached"})
    assert response.status_code == 302, response.data[:3000]
    session.rollback()
    meeting = session.exec(select(PlanMeeting)).one()
    changes = {(c.what, c.meeting_id) for c in session.exec(select(PlanChange))}
    assert ("agreement_added", meeting.id) in changes and ("goal_status", meeting.id) in changes
    plan_page = client.get(f"/familiearbejde/{h.id}").get_data(as_text=True)
    assert "Lektiehjælp hver tirsdag" in plan_page and "Netværksmøde" in plan_page

    # Progress at entry for both members.
    session.rollback()
    measures = {m.code: m.id for m in session.exec(select(Measure))}
    response = client.post(f"/familiearbejde/{h.id}/fremskridt", data={
        "moment": "entry", "recorded_on": clock.today().isoformat(),
        f"m-{parent.id}-{measures['job_education']}": "no", f"m-{child.id}-{measures['school_problems']}": "yes",
        f"m-{child.id}-{measures['association']}": ""})
    assert response.status_code == 302, response.data[:3000]
    session.rollback()
    assert len(list(session.exec(select(ProgressRecord)))) == 2  # "don't know" is not recorded

    # The printed plan: dreams, readable goals, agreements and who to call; never the hidden goal.
    pdf = client.get(f"/familiearbejde/{h.id}/plan.pdf")
    assert pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert "danske venner" in text and "Lektier hver uge" in text and "Lektiehjælp hver tirsdag" in text
    assert "Lone Skolekonsulent" in text and "Hemmelig bekymring" not in text
    session.rollback()
    audited = {(e.record_type, e.action) for e in session.exec(select(AuditEvent))}
    assert {("FamilyPlan", "view"), ("FamilyGoal", "create"), ("FamilyTeam", "update"), ("PlanMeeting", "create"),
            ("FamilyProgress", "update")} <= audited


def test_the_volunteer_on_the_team_sees_the_shared_part_and_marks_their_agreement_done(app, world, session):
    from tests.families_world import family_work

    ids = family_work(session, world)
    goal = session.get(FamilyGoal, ids["goal"])
    session.add(FamilyGoal(organisation_id=goal.organisation_id, plan_id=goal.plan_id, life_area="health",
                           title="Kun for koordinatoren", shared_with_team=False))
    session.commit()
    client = app.test_client()
    login(client, world.volunteer_user.email)
    home = client.get("/frivillig/").get_data(as_text=True) if client.get("/frivillig/").status_code == 200 else \
        client.get("/").get_data(as_text=True)
    assert "Lektiehjælp tirsdag" in home
    page = client.get(f"/familiearbejde/min-familie/{world.household.id}").get_data(as_text=True)
    assert "Lektier hver uge" in page and "Kun for koordinatoren" not in page and "At børnene trives" in page
    assert client.post(f"/familiearbejde/min-familie/aftaler/{ids['agreement']}/udfoert").status_code == 302
    session.rollback()
    agreement = session.get(FamilyAgreement, ids["agreement"])
    assert agreement.status == "done" and agreement.done_on == clock.today()
    # Done once: a second press changes nothing and says so.
    assert client.post(f"/familiearbejde/min-familie/aftaler/{ids['agreement']}/udfoert",
                       follow_redirects=True).status_code == 200


def test_a_volunteer_not_on_the_team_finds_nothing(app, world, session):
    from seed import builders as b
    from tests.families_world import family_work

    ids = family_work(session, world)
    user = b.make_user(session, world.organisation, "volunteer", email="ude@roskilde.example.org",
                       password="correct horse battery")
    b.make_volunteer(session, world.program, user=user)
    session.commit()
    client = app.test_client()
    login(client, user.email)
    assert client.get(f"/familiearbejde/min-familie/{world.household.id}").status_code == 404
    assert client.post(f"/familiearbejde/min-familie/aftaler/{ids['agreement']}/udfoert").status_code == 404


def test_bad_input_is_explained_next_to_the_field_and_kept(as_role, world, session):
    client = as_role("coordinator")
    h = world.household
    response = client.post(f"/familiearbejde/{h.id}/maal", data={"goal-life_area": "health", "goal-title": "",
                                                                  "goal-worries": "Noget vi skrev"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Noget vi skrev" in page and 'aria-invalid="true"' in page
    response = client.post(f"/familiearbejde/{h.id}/moede", data={"held_on": "31-31-2026", "participants": "Os"})
    assert response.status_code == 400 and "dd-mm-åååå" in response.get_data(as_text=True)
    future = clock.today().replace(year=clock.today().year + 1).isoformat()
    response = client.post(f"/familiearbejde/{h.id}/moede", data={"held_on": future, "participants": "Os"})
    assert response.status_code == 400 and "fremtiden" in response.get_data(as_text=True)
    response = client.post(f"/familiearbejde/{h.id}/fremskridt", data={"moment": "entry",
                                                                        "recorded_on": clock.today().isoformat()})
    assert response.status_code == 400
    session.rollback()
    assert not list(session.exec(select(PlanMeeting))) and not list(session.exec(select(ProgressRecord)))
    # An agreement's owner must be a family member or on the team.
    response = client.post(f"/familiearbejde/{h.id}/aftaler", data={
        "agreement-text": "Ring til skolen", "agreement-owner": f"volunteer:{world.other_volunteer.id}"})
    assert response.status_code == 400 and "Ring til skolen" in response.get_data(as_text=True)


def test_a_team_breaking_a_rule_is_refused_with_the_reason(as_role, world, session):
    from seed import builders as b

    client = as_role("coordinator")
    far = b.make_volunteer(session, world.family_program, first_name="Fjern", postcode="9990", supports="family")
    screening = b.make_volunteer(session, world.family_program, first_name="Ny", status="screening")
    session.commit()
    h = world.household
    response = client.post(f"/familiearbejde/{h.id}/team", data={"members": [f"volunteer:{far.id}"],
                                                                  "primary": f"volunteer:{far.id}"})
    assert response.status_code == 400 and "for langt væk" in response.get_data(as_text=True)
    response = client.post(f"/familiearbejde/{h.id}/team", data={"members": [f"volunteer:{screening.id}"],
                                                                  "primary": f"volunteer:{screening.id}"})
    assert response.status_code == 400
    response = client.post(f"/familiearbejde/{h.id}/team", data={
        "members": [f"volunteer:{world.other_volunteer.id}"], "primary": ""})
    assert response.status_code == 400 and "primære kontaktperson" in response.get_data(as_text=True)
    session.rollback()
    assert not list(session.exec(select(TeamMember)))
