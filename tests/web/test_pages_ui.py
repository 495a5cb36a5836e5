"""What coordinators and volunteers ran into on the pages (issue 12), through the test client."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlmodel import select

from models import clock
from models.matches import MeetingLog
from models.matchruns import MatchRun
from models.mentees import Household
from seed import builders as b
from tests.conftest import fresh
from tests.web.test_danish_pages import visible_text

TODAY = clock.today()


class _Links(HTMLParser):
    """Every <a>: its href, attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001, ANN201
        if tag == "a":
            self._open.append({**dict(attrs), "text": ""})

    def handle_data(self, data):  # noqa: ANN001, ANN201
        for link in self._open:
            link["text"] += data

    def handle_endtag(self, tag):  # noqa: ANN001, ANN201
        if tag == "a" and self._open:
            link = self._open.pop()
            link["text"] = " ".join(link["text"].split())
            self.links.append(link)


def links(html: str) -> list[dict]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _menu(html: str) -> str:
    return html[html.index('class="main-nav'):html.index("</nav>", html.index('class="main-nav'))]


# --- the menu -----------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "current", "kind"), [
    ("/koordinator/", "Overblik", "page"),
    ("/koordinator/makkerpar", "Makkerpar", "page"),
    ("/koordinator/venteliste/anmodninger", "Anmodninger", "page"),
    ("/koordinator/forloeb", "Forløb", "page"),
])
def test_the_menu_marks_the_page_the_coordinator_is_on(as_role, path, current, kind):
    html = as_role("coordinator").get(path).get_data(as_text=True)
    marked = [a for a in links(_menu(html)) if a.get("aria-current")]
    assert [(a["text"], a["aria-current"]) for a in marked] == [(current, kind)]


def test_a_page_under_a_menu_item_marks_that_item_as_its_section(as_role, world):
    client = as_role("coordinator")
    for path, section in ((f"/koordinator/makkerpar/{world.match.id}", "Makkerpar"),
                          (f"/koordinator/unge/{world.youth.id}", "Anmodninger"),
                          (f"/koordinator/frivillige/{world.other_volunteer.id}", "Frivillige")):
        marked = [a for a in links(_menu(client.get(path).get_data(as_text=True))) if a.get("aria-current")]
        assert [(a["text"], a["aria-current"]) for a in marked] == [(section, "true")], path


def test_the_phone_menu_holds_the_same_links_as_the_wide_one(as_role):
    html = as_role("admin").get("/admin/").get_data(as_text=True)
    wide = [a["href"] for a in links(_menu(html))]
    panel = html[html.index('class="menu-panel"'):]
    phone = [a["href"] for a in links(panel[:panel.index("</nav>")])]
    assert wide == phone and "/admin/" in wide and "/koordinator/makkerpar" in wide


# --- the running matching -----------------------------------------------------------------

def test_a_running_matching_shows_its_step_in_a_live_region_and_polls_with_our_own_script(as_role, session, world):
    run = MatchRun(organisation_id=world.organisation.id, program_id=world.program.id, status="running",
                   progress="scoring 12 x 40")
    session.add(run)
    session.commit()
    client = as_role("coordinator")
    html = client.get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html
    assert re.search(r'<script src="/static/js/run-progress\.js" defer></script>', html)
    assert "<script>" not in html  # nothing inline: the CSP allows only our own files
    assert re.search(r'role="status" aria-live="polite"[^>]*>beregner 12 anmodninger mod 40 frivillige<', html)
    assert f'data-run-status-url="/koordinator/matchning/{run.id}/status"' in html
    assert "Opdater" in visible_text(html)  # without script: a link that reloads
    status = client.get(f"/koordinator/matchning/{run.id}/status").get_json()
    assert status["status"] == "running" and status["message"] == "beregner 12 anmodninger mod 40 frivillige"
    script = client.get("/static/js/run-progress.js")
    assert script.status_code == 200 and b"fetch(" in script.data


# --- the coordinator's list of matches ----------------------------------------------------

def _match_world(session, world):  # noqa: ANN001, ANN202
    """Six matches: two at risk (no meeting for long, an old overdue check-in), one closed."""
    made = []
    for i, (name, status) in enumerate((("Lærke", "active"), ("Bjarke", "active"), ("Cecilie", "paused"),
                                        ("Dorthe", "active"), ("Emil", "closed"))):
        volunteer = b.make_volunteer(session, world.program, first_name=name)
        youth = b.make_youth(session, world.organisation, first_name=f"Ung{name}")
        request = b.make_request(session, world.program, youth=youth)
        match = b.make_match(session, request, volunteer, status=status,
                             started_on=TODAY - timedelta(days=30 + 40 * i))
        made.append(match)
    # Recent meetings for all but Bjarke: he is quiet, so at risk.
    for m in made:
        if m.volunteer_id != made[1].volunteer_id:
            session.add(MeetingLog(match_id=m.id, volunteer_id=m.volunteer_id, met_on=TODAY - timedelta(days=3),
                                   minutes=60, rating=4))
    session.commit()
    # Built straight into the tables (as an import would), so the stored risk is refreshed as the
    # daily job does; the operations of the app refresh it themselves.
    from models.risk_state import refresh_risk

    refresh_risk(session, TODAY, world.organisation.id)
    return made


def _rows(html: str) -> list[str]:
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [visible_text(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_the_list_of_matches_puts_those_at_risk_first_and_hides_closed_ones(as_role, session, world):
    from models.risk import at_risk

    _match_world(session, world)
    risky = {r.match.id for r in at_risk(session, world.organisation.id, TODAY)}
    assert risky, "the world should have a match at risk"
    html = as_role("coordinator").get("/koordinator/makkerpar").get_data(as_text=True)
    ids = [int(m) for m in re.findall(r'href="/koordinator/makkerpar/(\d+)"', html)]
    flags = [i in risky for i in ids]
    assert flags == sorted(flags, reverse=True), "every match at risk comes before every other"
    assert "UngEmil" not in html  # closed: not among the open matches shown by default
    assert "UngEmil" in as_role("coordinator").get("/koordinator/makkerpar?status=closed").get_data(as_text=True)


@pytest.mark.parametrize("search", ["lærke", "ungcec", "BJARKE", "Anna"])
def test_searching_the_list_of_matches_finds_each_by_volunteer_or_mentee_name(as_role, session, world, search):
    _match_world(session, world)
    html = as_role("coordinator").get("/koordinator/makkerpar", query_string={"q": search}).get_data(as_text=True)
    rows = _rows(html)
    assert rows and all(search.lower() in row.lower() for row in rows), rows


def test_the_list_of_matches_filters_by_program_status_coordinator_and_risk(as_role, session, world):
    made = _match_world(session, world)
    made[0].coordinator_id = world.coordinator.id
    session.add(made[0])
    session.commit()
    client = as_role("coordinator")
    mine = _rows(client.get("/koordinator/makkerpar?coordinator=mine").get_data(as_text=True))
    assert len(mine) == 1 and "Lærke" in mine[0]
    paused = _rows(client.get("/koordinator/makkerpar?status=paused").get_data(as_text=True))
    assert paused and all("På pause" in r for r in paused)
    other = _rows(client.get(f"/koordinator/makkerpar?program={world.family_program.id}").get_data(as_text=True))
    assert other == ["Ingen makkerpar passer til filteret."]
    risky = _rows(client.get("/koordinator/makkerpar?risk=1").get_data(as_text=True))
    assert any("Bjarke" in r for r in risky) and not any("Lærke" in r for r in risky)


# --- links and key figures ----------------------------------------------------------------

def test_each_key_figure_on_the_home_page_links_to_a_list_with_that_many_rows(as_role, session, world):
    _match_world(session, world)
    b.make_volunteer(session, world.program, status="screening", first_name="Sanne")
    b.make_volunteer(session, world.program, status="applicant", first_name="Tove")
    session.commit()
    client = as_role("coordinator")
    html = client.get("/koordinator/").get_data(as_text=True)
    tiles = [a for a in links(html) if "stat" in (a.get("class") or "")]
    assert len(tiles) >= 6
    for tile in tiles:
        number = int(tile["text"].split()[0].replace(".", ""))
        href = tile["href"].split("#")[0]
        listed = visible_text(client.get(href).get_data(as_text=True))
        if "/forloeb" in href and ("#overdue" in tile["href"] or "#drifting" in tile["href"]):
            continue  # overdue check-ins and long waiters have their own sections, counted by the badge
        found = re.search(r"(\d+) (makkerpar|anmodning|anmodninger|frivillig|frivillige)\b", listed)
        assert found and int(found.group(1)) == number, (tile, found and found.group(0))


def test_a_youth_links_to_the_match_by_who_it_is_with_not_by_its_status(as_role, world):
    html = as_role("coordinator").get(f"/koordinator/unge/{world.youth.id}").get_data(as_text=True)
    to_match = [a for a in links(html) if a["href"] == f"/koordinator/makkerpar/{world.match.id}"]
    assert [a["text"] for a in to_match] == [f"Makkerpar med {world.volunteer.first_name}"]


def test_after_saving_the_introduction_the_coordinator_is_back_on_the_match(as_role, session, world):
    from models.matches import Match

    request = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation))
    match = b.make_match(session, request, world.other_volunteer, status="introduced")
    match.created_at = match.created_at - timedelta(days=3)
    session.add(match)
    session.commit()
    response = as_role("coordinator").post(f"/koordinator/makkerpar/{match.id}/introduktion", data={
        "intro_on": TODAY.isoformat(), "attendees": "Bo og Mads", "volunteer_yes": "yes", "mentee_yes": "yes"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/koordinator/makkerpar/{match.id}")
    assert fresh(session).get(Match, match.id).status == "active"


# --- a household's profile ----------------------------------------------------------------

def test_a_households_interests_and_times_given_at_intake_are_saved_and_shown(as_role, session, world):
    client = as_role("coordinator")
    response = client.post("/koordinator/familier/ny", data={
        "family_name": "Familien Nour", "contact_name": "Hala Nour", "postcode": "4000",
        "members-0-first_name": "Hala", "members-0-role": "parent", "members-0-birth_year": "1985",
        "members-1-first_name": "Sami", "members-1-role": "child", "members-1-birth_year": "2014",
        "consent_given_by": "Hala Nour", "consent_relation": "self", "consent_confirmed": "y",
        "consent_given_on": TODAY.isoformat(),
        "lang-0": "ar", "level-0": "3", "lang-1": "da", "level-1": "1",
        "interests": ["laesning", "svoemning"], "slot-mon-afternoon": "1", "slot-mon-evening": "1",
        "slot-sat-morning": "1",
        "requests-0-program": str(world.family_program.id), "requests-0-need": "Lektiehjælp til Sami",
        "requests-0-complexity": "0", "requests-1-program": str(world.family_program.id),
        "requests-2-program": str(world.family_program.id),
    })
    assert response.status_code == 302, visible_text(response.get_data(as_text=True))[:1500]
    household = session.exec(select(Household).where(Household.family_name == "Familien Nour")).one()
    assert set(household.interests) == {"laesning", "svoemning"} and household.availability
    page = visible_text(client.get(f"/koordinator/familier/{household.id}").get_data(as_text=True))
    assert "Læsning og bøger, Svømning" in page or "Svømning, Læsning og bøger" in page
    assert "Mandag eftermiddag og aften, lørdag formiddag" in page
    assert "arabisk (flydende / modersmål), dansk (lidt)" in page
    assert "Sami — barn, født 2014" in page and "Hala — forælder, født 1985" in page
    assert "laesning" not in page and "svoemning" not in page


# --- the volunteer before the introduction ------------------------------------------------

def test_a_volunteer_is_not_offered_to_log_a_meeting_before_the_introduction(app, session, world):
    from tests.conftest import login

    user = b.make_user(session, world.organisation, "volunteer", email="ny@roskilde.example.org")
    volunteer = b.make_volunteer(session, world.program, user=user, first_name="Nora")
    request = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation))
    match = b.make_match(session, request, volunteer, status="introduced", intro_on=TODAY + timedelta(days=4))
    session.commit()
    client = app.test_client()
    login(client, user.email)
    home = client.get("/frivillig/").get_data(as_text=True)
    assert f"/frivillig/moede/{match.id}" not in home
    assert "når din koordinator har registreret introduktionsmødet" in visible_text(home)
    log_page = client.get(f"/frivillig/moede/{match.id}").get_data(as_text=True)
    assert "<form" not in log_page.split('id="main"')[1] and "Introduktionsmødet er planlagt til" in log_page
    match.status = "active"
    session.add(match)
    session.commit()
    assert f"/frivillig/moede/{match.id}" in client.get("/frivillig/").get_data(as_text=True)


# --- Danish wording -----------------------------------------------------------------------

@pytest.mark.parametrize(("n", "words"), [(1, "1 anmodning"), (2, "2 anmodninger"), (5, "5 anmodninger")])
def test_counts_are_written_with_the_right_danish_plural(as_role, session, world, n, words):
    for _ in range(n - 1):  # the world already has one waiting family request
        b.make_request(session, world.family_program, household=b.make_household(session, world.organisation))
    session.commit()
    page = visible_text(as_role("coordinator").get(
        f"/koordinator/venteliste/anmodninger?program={world.family_program.id}").get_data(as_text=True))
    assert re.search(rf"(?<!\d){words}(?!\w)", page), page[:600]


def test_a_youths_gender_is_girl_or_boy_and_no_referrer_leaves_no_dash(as_role, session, world):
    youth = b.make_youth(session, world.organisation, gender="female")
    b.make_request(session, world.program, youth=youth, referred_by="")
    session.commit()
    client = as_role("coordinator")
    page = visible_text(client.get(f"/koordinator/unge/{youth.id}").get_data(as_text=True))
    assert "Køn Pige" in page and "Kvinde" not in page
    assert re.search(r"Henvist den \d\d-\d\d-\d{4}(?! af)", page) and "af —" not in page
    form = client.get("/koordinator/unge/ny").get_data(as_text=True)
    assert '<option value="female">Pige</option>' in form and '<option value="male">Dreng</option>' in form


def test_the_meeting_form_has_no_two_fields_with_the_same_label(app, session, world):
    from tests.conftest import login

    login(app.test_client(), world.volunteer_user.email)
    client = app.test_client()
    login(client, world.volunteer_user.email)
    html = client.get(f"/frivillig/moede/{world.match.id}").get_data(as_text=True)
    labels = [visible_text(t) for t in re.findall(r"<(?:label|legend)[^>]*>(.*?)</(?:label|legend)>", html, re.S)]
    names = [t for t in labels if t and not re.fullmatch(r"[\d½ t min]+", t)]
    assert len(names) == len(set(names)), names
    assert "Noter (valgfrit)" in names and "Hvad lavede I?" in names


# --- the proposal card: the volunteer's experience against the case's needs ----------------

def _volunteer_lines(card: str) -> dict[int, str]:
    """Each volunteer named on a card (the proposal and its alternatives), with the text of their line."""
    marks = list(re.finditer(r'href="/koordinator/frivillige/(\d+)"', card))
    return {int(m.group(1)): visible_text(card[m.start():(marks[i + 1].start() if i + 1 < len(marks) else len(card))])
            for i, m in enumerate(marks)}


def test_the_proposal_card_shows_each_volunteers_experience_and_warns_near_the_limit(as_role, engine, session, world):
    from matching.run import execute_run, start_run

    # High complexity needs "experienced" (2); at most two heavy cases each.
    world.program.min_experience_by_complexity = [0, 0, 2, 3]
    world.program.max_high_complexity_per_volunteer = 2
    session.add(world.program)
    youth = b.make_youth(session, world.organisation, first_name="Omar")
    b.make_request(session, world.program, youth=youth, need="En at tale med", complexity=2)
    at_minimum = b.make_volunteer(session, world.program, first_name="Karen", experience=2, capacity=3)
    seasoned = b.make_volunteer(session, world.program, first_name="Lone", experience=3, capacity=3)
    too_new = b.make_volunteer(session, world.program, first_name="Mette", experience=1, capacity=3)
    busy = b.make_volunteer(session, world.program, first_name="Nina", experience=3, capacity=3)
    held = b.make_request(session, world.program, youth=b.make_youth(session, world.organisation), complexity=3)
    b.make_match(session, held, busy, status="active", started_on=TODAY - timedelta(days=40))
    session.commit()
    run = start_run(session, world.program, world.coordinator.id, parameters={"source": "web"})
    execute_run(engine, run.id, TODAY)

    html = as_role("coordinator").get(f"/koordinator/matchning/{run.id}").get_data(as_text=True)
    card = re.search(r'<section class="card request-card".*?</section>', html, re.S).group(0)
    lines = _volunteer_lines(card)
    assert too_new.id not in lines  # below the programme's minimum: never proposed
    assert {at_minimum.id, seasoned.id, busy.id} <= set(lines)
    near_limit = "Tæt på grænsen"
    last_place = "sidste tunge sag"
    for volunteer_id, line in lines.items():
        assert "denne tyngde kræver mindst: Erfaren med udsatte unge eller familier" in line, line
        assert (near_limit in line) == (volunteer_id == at_minimum.id), line
        assert (last_place in line) == (volunteer_id == busy.id), line
    assert "tunge sager nu: 1 af højst 2" in lines[busy.id]
    summary = visible_text(html[html.index('class="run-summary"'):])
    assert "1 af 1 ventende anmodning får et forslag;" in summary  # one request: singular
    assert re.search(r"\b[2-9] frivillige var ledige\.", summary)
