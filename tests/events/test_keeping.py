"""The "Keeping volunteers" figures, checked by hand on a small organisation whose every date
is known; and the page, its CSV and the coordinator's "the volunteer stops"."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta

from models import clock
from models.events.keeping import build_retention
from models.volunteers import Volunteer
from seed import builders as b
from tests.conftest import PASSWORD, fresh, login

TODAY = clock.today()


def _at(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(12), tzinfo=UTC)


def _volunteer(session, program, created: int, approved: int | None, left: int | None = None,  # noqa: ANN001
               reason: str | None = None, trained: bool = True):  # noqa: ANN202
    status = "approved" if approved is not None else "applicant"
    v = b.make_volunteer(session, program, status=status, created_at=_at(created),
                         approved_at=_at(approved) if approved is not None else None)
    if left is not None:
        from models.events.tables import VolunteerLeaving

        v.status = "withdrawn"
        session.add(VolunteerLeaving(volunteer_id=v.id, left_on=TODAY - timedelta(days=left), reason=reason))
    if not trained:
        from sqlmodel import select

        from models.volunteers import ScreeningStep

        for step in session.exec(select(ScreeningStep).where(ScreeningStep.volunteer_id == v.id,
                                                             ScreeningStep.step == "training")):
            step.status, step.step_date = "pending", None
    session.add(v)
    session.flush()
    return v


def _small_organisation(session):  # noqa: ANN001, ANN202
    org = b.make_organisation(session, name="Lær for Livet", slug="laer")
    mentors = b.make_program(session, org, name="Mentorer", slug="mentorer")
    cafe = b.make_program(session, org, name="Lektiecafé", slug="cafe")
    admin = b.make_user(session, org, "admin", email="admin@laer.example.org", password=PASSWORD)
    v1 = _volunteer(session, mentors, created=300, approved=290)                       # matched, still active
    v2 = _volunteer(session, mentors, created=250, approved=240, left=40, reason="waited_too_long")  # never matched
    v3 = _volunteer(session, mentors, created=100, approved=90, left=30, reason="moved", trained=False)
    _volunteer(session, mentors, created=20, approved=None)                            # still signing up
    v5 = _volunteer(session, mentors, created=400, approved=395, left=10, reason="no_time")  # recruited before
    _volunteer(session, cafe, created=110, approved=100)
    for v, started in ((v1, 200), (v3, 60), (v5, 300)):
        youth = b.make_youth(session, org)
        request = b.make_request(session, mentors, youth=youth)
        b.make_match(session, request, v, status="active" if v is v1 else "closed",
                     started_on=TODAY - timedelta(days=started),
                     closed_on=None if v is v1 else TODAY - timedelta(days=35), closure_reason=None if v is v1 else "moved")
    course = b.make_event(session, [mentors], kind="intro_course", days_ahead=-50)
    b.make_signup(session, course, v1, attended=True, minutes=120)
    b.make_signup(session, course, v2, attended=True, minutes=90)
    meeting = b.make_event(session, [mentors, cafe], kind="network_meeting", days_ahead=-20)
    b.make_signup(session, meeting, v1, attended=True, minutes=60)
    b.make_signup(session, meeting, v3, attended=False)
    cancelled = b.make_event(session, [mentors], kind="social", days_ahead=-5, cancelled_at=_at(8))
    b.make_signup(session, cancelled, v1, attended=False)
    b.make_event(session, [mentors], kind="supervision", days_ahead=5)  # coming: not held yet
    session.commit()
    return org, mentors, cafe, admin


def test_the_retention_figures_equal_a_count_by_hand(session):
    org, mentors, cafe, _admin = _small_organisation(session)
    f = build_retention(session, org.id, TODAY - timedelta(days=365), TODAY, TODAY)
    # Recruited in the last 12 months: v1, v2, v3, the one still signing up and the café volunteer
    # (v5 came before); v3 never had the course; v1 and v3 were matched.
    assert f.funnel == {"recruited": 5, "approved": 4, "trained": 3, "matched": 2}
    # Followed 6 months after approval: v1 and v2 (v2 left 200 days after approval); 12 months: nobody yet.
    assert f.still_active == {6: (2, 2), 12: (0, 0)}
    # Kaplan–Meier over v1 (290 days, still active), v2 (200, left), v3 (60, left), v5 (385, left)
    # and the café volunteer (100, still active): 4/5 after day 60, then 3/4 of that after day 200,
    # then 0 after day 385 (the last one followed).
    assert [(s.day, s.at_risk, s.closed) for s in f.survival] == [(60, 5, 1), (200, 3, 1), (385, 1, 1)]
    assert f.stay[6] == 0.8 and abs(f.stay[12] - 0.8 * 2 / 3) < 1e-9
    assert f.leave_reasons == {"moved": 1, "no_time": 1, "waited_too_long": 1}
    assert f.left == 3 and f.left_before_match == 1  # v2 only: v3 and v5 had a match
    assert f.events_by_kind == {"intro_course": 1, "network_meeting": 1} and f.events_held == 2
    assert (f.attendances, f.minutes_given, f.hours_given) == (3, 270, 4.5)
    lines = {line.program: line.counts for line in f.lines}
    # At the end: v1 in Mentorer, the café volunteer in Lektiecafé; at the first month's end only v5.
    assert lines["Mentorer"][-1] == 1 and lines["Lektiecafé"][-1] == 1
    assert lines["Mentorer"][0] == 1 and lines["Lektiecafé"][0] == 0
    assert f.months[-1] == TODAY


def test_the_figures_of_one_programme_leave_the_others_out(session):
    org, mentors, cafe, _admin = _small_organisation(session)
    f = build_retention(session, org.id, TODAY - timedelta(days=365), TODAY, TODAY, program_id=cafe.id)
    assert f.funnel == {"recruited": 1, "approved": 1, "trained": 1, "matched": 0}
    assert [line.program for line in f.lines] == ["Lektiecafé"]
    assert f.events_by_kind == {"network_meeting": 1} and f.minutes_given == 60


def test_the_admin_sees_keeping_volunteers_and_downloads_the_same_figures_as_csv(app, session):
    _small_organisation(session)
    client = app.test_client()
    assert login(client, "admin@laer.example.org").status_code == 302
    page = client.get("/admin/frivillige").get_data(as_text=True)
    assert "Fastholdelse af frivillige" in page and "Hvorfor frivillige stoppede" in page
    assert "Ventede for længe på et makkerpar" in page and "waited_too_long" not in page
    response = client.get("/admin/frivillige.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    flat = [cell for row in rows for cell in row]
    assert "Timer givet" in flat and "4,5" in flat
    assert ["Rekrutteret", "5"] in rows
    assert client.get("/admin/frivillige?fra=ikke-en-dato").status_code == 200


def test_a_coordinator_records_that_a_volunteer_stops_and_why(as_role, session, world):
    client = as_role("coordinator")
    bo = world.other_volunteer
    assert client.post(f"/koordinator/frivillige/{bo.id}/stopper", data={"reason": "moved"}).status_code == 400
    assert fresh(session).get(Volunteer, bo.id).status == "approved"
    response = client.post(f"/koordinator/frivillige/{bo.id}/stopper", data={"reason": "moved", "confirm": "y"})
    assert response.status_code == 302
    from models.events.tables import VolunteerLeaving

    stopped, leaving = fresh(session).get(Volunteer, bo.id), session.get(VolunteerLeaving, bo.id)
    assert (stopped.status, stopped.pool_since, leaving.left_on, leaving.reason) == ("withdrawn", None, TODAY, "moved")
    page = client.get(f"/koordinator/frivillige/{bo.id}").get_data(as_text=True)
    assert f"Stoppede {TODAY.strftime('%d-%m-%Y')}: Flyttet" in page
    # A volunteer with an open match is asked to close it first.
    response = client.post(f"/koordinator/frivillige/{world.volunteer.id}/stopper",
                           data={"reason": "moved", "confirm": "y"})
    assert response.status_code == 400 and "åbne makkerpar" in response.get_data(as_text=True)
