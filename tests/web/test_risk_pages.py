"""The pages that read the stored at-risk assessment show what a from-scratch assessment says."""

from __future__ import annotations

import re
from datetime import timedelta

from models import clock
from models.matches import CheckIn, MeetingLog
from models.risk import at_risk, count_overdue_checkins
from models.risk_state import refresh_risk
from seed import builders as b

TODAY = clock.today()
LINK = re.compile(r'href="/koordinator/makkerpar/(\d+)"')


def _text(response) -> str:  # noqa: ANN001
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _many_matches(session, world) -> None:  # noqa: ANN001
    for i in range(12):
        volunteer = b.make_volunteer(session, world.program, experience=i % 3)
        request = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation),
                                 complexity=i % 4, complexity_reason="Svær" if i % 4 >= 2 else "")
        match = b.make_match(session, request, volunteer, status=("active", "paused", "introduced")[i % 3],
                             started_on=TODAY - timedelta(days=10 + 9 * i), intro_on=TODAY - timedelta(days=i),
                             paused_until=TODAY - timedelta(days=i - 5) if i % 3 == 1 else None)
        for k in range(i % 4):
            session.add(MeetingLog(match_id=match.id, volunteer_id=volunteer.id, minutes=60, rating=1 + (i + k) % 5,
                                   met_on=TODAY - timedelta(days=3 * k + i), needs_contact=i % 5 == 0))
        session.add(CheckIn(match_id=match.id, due_on=TODAY - timedelta(days=i - 4)))
    session.commit()
    refresh_risk(session, TODAY)


def test_the_follow_up_list_and_the_home_page_count_are_those_of_a_fresh_assessment(app, as_role, session, world):
    app.config["PAGE_SIZE"] = 100
    _many_matches(session, world)
    expected = at_risk(session, world.organisation.id, TODAY)
    assert len(expected) > 5
    client = as_role("coordinator")
    shown = list(dict.fromkeys(int(i) for i in LINK.findall(client.get("/koordinator/forloeb").get_data(as_text=True))))
    assert shown[:len(expected)] == [r.match.id for r in expected]  # same matches, same order
    home = _text(client.get("/koordinator/"))
    assert f"{len(expected)} makkerpar i risiko" in home
    assert f"{count_overdue_checkins(session, world.organisation.id, TODAY)} forfaldne opfølgninger" in home


def test_only_at_risk_lists_the_same_matches_as_a_fresh_assessment(app, as_role, session, world):
    app.config["PAGE_SIZE"] = 100
    _many_matches(session, world)
    expected = {r.match.id for r in at_risk(session, world.organisation.id, TODAY)}
    client = as_role("admin")
    for sort in ("start", "quiet", "status"):
        page = client.get(f"/admin/makkerpar?risk=1&sort={sort}").get_data(as_text=True)
        assert {int(i) for i in LINK.findall(page)} == expected
    everything = {int(i) for i in LINK.findall(client.get("/admin/makkerpar?sort=quiet").get_data(as_text=True))}
    assert expected < everything
