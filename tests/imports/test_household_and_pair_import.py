"""Importing families with their members and the pairs that already run outside Makker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from models.clock import today
from models.consent import ConsentRecord
from models.errors import Conflict, DomainError
from models.imports import operations as ops
from models.imports.reading import BadFile
from models.imports.tables import ImportBatch, ImportedRecord
from models.matches import Match, MatchEvent
from models.members.queries import membership
from models.mentees import Household, HouseholdMember, Request, Youth
from models.proposals import manual_match
from models.users import User
from tests.imports.helpers import VOLUNTEER_HEADERS, csv_bytes, volunteer_rows, xlsx_bytes

FAMILY_HEADERS = ["Familie", "Navn", "Rolle", "Fødselsår", "Køn", "Postnr", "Kontaktperson", "E-mail", "Telefon",
                  "Sprog", "Behov", "Samtykke givet af", "Samtykkedato"]
PAIR_HEADERS = ["Frivillig e-mail", "Ung", "Fødselsår", "Postnr", "Startdato", "Hyppighed"]


def _link(user: User) -> str:
    return f"http://test/importeret/{user.id}"


def _count(session, model) -> int:  # noqa: ANN001
    return session.exec(select(func.count()).select_from(model)).one()


def family_rows() -> list[list[str]]:
    """Two families as a coordinator's list has them: a line per person, the family's columns
    only on its first line."""
    year, on = today().year, today().strftime("%d-%m-%Y")
    return [
        ["Familien Hassan", "Mona", "Mor", str(year - 38), "Kvinde", "4000", "Mona Hassan", "mona@familie.dk",
         "20304050", "Arabisk, Dansk (lidt)", "Lektiehjælp", "Mona Hassan", on],
        ["Familien Hassan", "Ali", "Barn", str(year - 10), "Dreng", "", "", "", "", "", "Lektiehjælp", "", ""],
        ["Familien Hassan", "Yasmin", "Barn", str(year - 7), "Pige", "", "", "", "", "", "Fritidsjob", "", ""],
        ["Familien Nielsen", "Peter", "Far", str(year - 45), "Mand", "4130", "Peter Nielsen", "peter@familie.dk",
         "", "Dansk", "Netværk", "Peter Nielsen", on],
        ["Familien Nielsen", "Liva", "Barn", "toårig", "Pige", "", "", "", "", "", "", "", ""],
    ]


def _run(session, world, program, kind: str, data: bytes, name: str, decisions=None):  # noqa: ANN001, ANN202
    batch = ops.upload(session, world.coordinator, program.id, kind, name, data)
    if decisions:
        ops.decide(session, world.coordinator, batch.id, decisions)
    ops.start_import(session, world.coordinator, batch.id, today())
    return batch, ops.run_import(session, batch.id, today(), _link)


def test_two_families_come_in_with_their_members_requests_and_the_files_consent_to_confirm(session, world):
    batch = ops.upload(session, world.coordinator, world.family_program.id, "households", "familier.xlsx",
                       xlsx_bytes(FAMILY_HEADERS, family_rows()))
    assert set(batch.columns.values()) >= {"household_key", "member_name", "role", "birth_year", "postcode",
                                            "contact_email", "need", "consent_given_by", "consent_given_on"}
    preview = ops.check_batch(session, batch, today())
    errors = {r.number: r.errors for r in preview.rows if r.errors}
    assert list(errors) == [6] and errors[6][0].column == "Fødselsår" and errors[6][0].value == "toårig"
    with pytest.raises(DomainError):
        ops.start_import(session, world.coordinator, batch.id, today())
    ops.decide(session, world.coordinator, batch.id, {6: "skip"})
    ops.start_import(session, world.coordinator, batch.id, today())
    result = ops.run_import(session, batch.id, today(), _link)
    assert result.created == {"Household": 2, "HouseholdMember": 4} and result.skipped == 1
    hassan = session.exec(select(Household).where(Household.family_name == "Familien Hassan")).one()
    members = session.exec(select(HouseholdMember).where(HouseholdMember.household_id == hassan.id)).all()
    assert sorted((m.first_name, m.role) for m in members) == [("Ali", "child"), ("Mona", "parent"),
                                                               ("Yasmin", "child")]
    assert hassan.postcode == "4000" and hassan.contact_email == "mona@familie.dk" and hassan.languages["ar"] == 3
    needs = session.exec(select(Request.need, Request.status).where(Request.household_id == hassan.id)).all()
    assert sorted(needs) == [("Fritidsjob", "waiting"), ("Lektiehjælp", "waiting")]
    consent = session.exec(select(ConsentRecord).where(ConsentRecord.subject_type == "household",
                                                       ConsentRecord.subject_id == hassan.id)).one()
    assert consent.purpose.endswith(":imported") and consent.given_by == "Mona Hassan"
    # Children under 15 came into the programme: the børneattest is required from now on.
    session.refresh(world.family_program)
    assert "child_certificate" in world.family_program.required_steps or \
        any("attest" in s for s in world.family_program.required_steps)


def test_a_familys_own_error_stands_on_every_row_of_it_and_a_differing_value_on_its_own_row(session, world):
    rows = family_rows()[:3]
    rows[0][5] = "9999"  # not a Danish postcode: the family cannot come in
    rows[2][5] = "4130"  # a later line says another postcode
    batch = ops.upload(session, world.coordinator, world.family_program.id, "households", "f.csv",
                       csv_bytes(FAMILY_HEADERS, rows))
    preview = ops.check_batch(session, batch, today())
    by_row = {r.number: [(e.column, e.msgid) for e in r.errors] for r in preview.rows}
    assert all(any(column == "Postnr" and "postcode" in msgid for column, msgid in by_row[n]) for n in (2, 3, 4))
    assert any("same household" in msgid for _c, msgid in by_row[4])
    no_consent = family_rows()[3:4]
    no_consent[0][11] = ""
    batch = ops.upload(session, world.coordinator, world.family_program.id, "households", "g.csv",
                       csv_bytes(FAMILY_HEADERS, no_consent))
    [row] = ops.check_batch(session, batch, today()).rows
    assert [e.column for e in row.errors] == ["Samtykke givet af"]


def test_a_family_already_in_makker_is_flagged_by_contact_email_or_adult_and_postcode(session, world):
    world.household.contact_email = "mona@familie.dk"
    session.add(world.household)
    session.add(HouseholdMember(household_id=world.household.id, first_name="Peter", role="parent",
                                birth_year=1980))
    world.household.postcode = "4130"
    session.commit()
    batch = ops.upload(session, world.coordinator, world.family_program.id, "households", "f.csv",
                       csv_bytes(FAMILY_HEADERS, family_rows()))
    preview = ops.check_batch(session, batch, today())
    flagged = {r.number: (r.duplicate.reason, r.duplicate.record_id) for r in preview.rows if r.duplicate}
    assert flagged == {2: ("email", world.household.id), 3: ("email", world.household.id),
                       4: ("email", world.household.id), 5: ("name", world.household.id),
                       6: ("name", world.household.id)}
    # A family cannot be merged; importing it as a new one or skipping it is the choice.
    ops.decide(session, world.coordinator, batch.id, {n: "merge" for n in flagged})
    with pytest.raises(DomainError):
        ops.start_import(session, world.coordinator, batch.id, today())
    ops.decide(session, world.coordinator, batch.id, {2: "import", 3: "import", 4: "import", 5: "skip", 6: "skip"})
    ops.start_import(session, world.coordinator, batch.id, today())
    assert ops.run_import(session, batch.id, today(), _link).created == {"Household": 1, "HouseholdMember": 3}


def test_undo_removes_the_families_with_members_requests_and_consents(session, world):
    before = (_count(session, Household), _count(session, HouseholdMember), _count(session, Request),
              _count(session, ConsentRecord))
    batch, _result = _run(session, world, world.family_program, "households",
                          csv_bytes(FAMILY_HEADERS, family_rows()), "f.csv", {6: "skip"})
    assert _count(session, Household) == before[0] + 2
    ops.undo_import(session, world.admin, batch.id, today())
    assert (_count(session, Household), _count(session, HouseholdMember), _count(session, Request),
            _count(session, ConsentRecord)) == before


def _youths(session, world) -> list[Youth]:  # noqa: ANN001
    year = today().year
    headers = ["Fornavn", "Efternavn", "Fødselsår", "Køn", "Postnr", "Samtykke givet af", "Samtykke som",
               "Samtykkedato"]
    rows = [["Ali", "Hassan", str(year - 15), "Dreng", "4000", "Mona Hassan", "Forælder", f"01-01-{year}"],
            ["Sara", "Nielsen", str(year - 14), "Pige", "4000", "Jens Nielsen", "Forælder", f"01-01-{year}"]]
    _run(session, world, world.program, "youths", xlsx_bytes(headers, rows), "unge.xlsx")
    return list(session.exec(select(Youth).where(Youth.first_name.in_(["Ali", "Sara"])).order_by(Youth.first_name)))


def pair_rows(email: str, *mentees: tuple[str, int]) -> list[list[str]]:
    start = (today() - timedelta(days=200)).strftime("%d.%m.%Y")
    return [[email, name, str(year), "4000", start, "Hver 14. dag"] for name, year in mentees]


def test_a_running_pair_comes_in_as_an_active_match_with_its_history_start_and_undo_puts_them_back(session, world):
    ali, _sara = _youths(session, world)
    bo = world.other_volunteer
    rows = pair_rows(bo.email, ("Ali Hassan", ali.birth_year))
    batch, result = _run(session, world, world.program, "pairs", csv_bytes(PAIR_HEADERS, rows), "par.csv")
    assert result.created == {"Match": 1}
    match = session.exec(select(Match).where(Match.volunteer_id == bo.id)).one()
    start = today() - timedelta(days=200)
    assert (match.status, match.started_on, match.meeting_rhythm) == ("active", start, "biweekly")
    events = session.exec(select(MatchEvent).where(MatchEvent.match_id == match.id).order_by(MatchEvent.id)).all()
    assert [(e.to_status, e.on) for e in events] == [("introduced", start), ("active", start)]
    request = session.get(Request, match.request_id)
    assert request.youth_id == ali.id and request.status == "matched"
    ops.undo_import(session, world.admin, batch.id, today())
    session.refresh(request)
    assert request.status == "waiting" and session.get(Match, match.id) is None


def test_pairs_that_break_a_hard_rule_or_name_nobody_are_error_rows_that_say_why(session, world):
    ali, sara = _youths(session, world)
    sara_request = session.exec(select(Request).where(Request.youth_id == sara.id)).one()
    sara_request.mentor_gender_required = "female"
    session.add(sara_request)
    session.commit()
    rows = [*pair_rows(world.other_volunteer.email, ("Sara Nielsen", sara.birth_year), ("Ali Hassan", ali.birth_year)),
            *pair_rows("ingen@findes.dk", ("Ali Hassan", ali.birth_year)),
            *pair_rows(world.other_volunteer.email, ("Ukendt Person", 2010)),
            *pair_rows(world.volunteer.email, (world.youth.name, world.youth.birth_year))]
    rows[-1][3] = world.youth.postcode
    batch = ops.upload(session, world.coordinator, world.program.id, "pairs", "par.csv", csv_bytes(PAIR_HEADERS, rows))
    preview = ops.check_batch(session, batch, today())
    said = {r.number: [(e.column, e.params.get("rule", e.msgid)) for e in r.errors] for r in preview.rows}
    assert said[2] == [("Frivillig e-mail", "the request requires a mentor of another gender")]
    assert said[3] == []
    assert said[4][0][0] == "Frivillig e-mail" and "No volunteer" in said[4][0][1]
    assert said[5][0][0] == "Ung"
    assert said[6] == [("Frivillig e-mail", "the youth or family already has a running match in this programme")]


def test_a_volunteers_free_places_count_the_earlier_rows_of_the_same_file(session, world):
    ali, sara = _youths(session, world)
    rows = pair_rows(world.other_volunteer.email, ("Ali Hassan", ali.birth_year), ("Sara Nielsen", sara.birth_year))
    batch = ops.upload(session, world.coordinator, world.program.id, "pairs", "par.csv", csv_bytes(PAIR_HEADERS, rows))
    preview = ops.check_batch(session, batch, today())
    assert [r.errors for r in preview.rows][0] == []
    assert preview.rows[1].errors[0].params["rule"] == "the volunteer has no free places"


def test_a_pair_matched_by_hand_after_the_preview_fails_the_whole_import_at_commit(session, world):
    ali, _sara = _youths(session, world)
    rows = pair_rows(world.other_volunteer.email, ("Ali Hassan", ali.birth_year))
    batch = ops.upload(session, world.coordinator, world.program.id, "pairs", "par.csv", csv_bytes(PAIR_HEADERS, rows))
    ops.start_import(session, world.coordinator, batch.id, today())
    request = session.exec(select(Request).where(Request.youth_id == ali.id)).one()
    manual_match(session, request.id, world.other_volunteer.id, world.coordinator, today(), confirm_soft=True)
    before = _count(session, Match)
    assert ops.run_import(session, batch.id, today(), _link) is None
    failed = session.get(ImportBatch, batch.id)
    assert failed.status == "failed" and failed.result["error"]["msgid"]
    assert _count(session, Match) == before
    assert session.exec(select(ImportedRecord).where(ImportedRecord.batch_id == batch.id)).all() == []


def test_merging_a_volunteer_into_an_import_for_another_programme_gives_them_a_place_in_it(session, world):
    assert membership(session, world.volunteer.id, world.family_program.id) is None
    rows = volunteer_rows(1, seed=9)
    rows[0][1] = world.volunteer.email
    batch, result = _run(session, world, world.family_program, "volunteers", csv_bytes(VOLUNTEER_HEADERS, rows),
                         "frivillige.csv", {2: "merge"})
    assert result.merged == 1
    place = membership(session, world.volunteer.id, world.family_program.id)
    assert place is not None and place.status in ("active", "applied")
    ops.undo_import(session, world.admin, batch.id, today())
    assert membership(session, world.volunteer.id, world.family_program.id) is None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(required=st.sampled_from([None, "female", "male"]), gender=st.sampled_from(["female", "male"]),
       status=st.sampled_from(["approved", "screening"]), supports=st.sampled_from(["youth", "family", "either"]),
       postcode=st.sampled_from(["4000", "4130", "9000"]))
def test_an_imported_pair_is_refused_exactly_when_a_manual_match_of_the_same_pair_would_be(
        session, world, required, gender, status, supports, postcode):
    from seed import builders as b

    volunteer = b.make_volunteer(session, world.program, status=status, gender=gender, supports=supports)
    youth = b.make_youth(session, world.organisation, postcode=postcode)  # 9000 Aalborg: too far from 4000
    request = b.make_request(session, world.program, youth=youth, mentor_gender_required=required)
    session.commit()
    rows = [[volunteer.email, youth.name, str(youth.birth_year), youth.postcode,
             (today() - timedelta(days=30)).strftime("%d-%m-%Y"), ""]]
    batch = ops.upload(session, world.coordinator, world.program.id, "pairs", "p.csv", csv_bytes(PAIR_HEADERS, rows))
    refused_by_import = bool(ops.check_batch(session, batch, today()).rows[0].errors)
    try:
        manual_match(session, request.id, volunteer.id, world.coordinator, today(), confirm_soft=True)
    except (DomainError, Conflict):
        refused_by_hand = True
    else:
        refused_by_hand = False
    assert refused_by_import == refused_by_hand


def test_a_family_that_fails_at_commit_leaves_no_family_behind(session, world, monkeypatch):
    from models.imports import households

    batch = ops.upload(session, world.coordinator, world.family_program.id, "households", "f.csv",
                       csv_bytes(FAMILY_HEADERS, family_rows()))
    ops.decide(session, world.coordinator, batch.id, {6: "skip"})
    ops.start_import(session, world.coordinator, batch.id, today())
    before = (_count(session, Household), _count(session, HouseholdMember), _count(session, Request))
    real = households.record_consent

    def failing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if args[5] != min(h.id for h in session.exec(select(Household))) and \
                session.exec(select(func.count()).select_from(Household)).one() > before[0] + 1:
            raise RuntimeError("the disk is full")  # the second family: the first is written by now
        return real(*args, **kwargs)

    monkeypatch.setattr(households, "record_consent", failing)
    with pytest.raises(RuntimeError):
        ops.run_import(session, batch.id, today(), _link)
    assert (_count(session, Household), _count(session, HouseholdMember), _count(session, Request)) == before
    assert session.get(ImportBatch, batch.id).status == "failed"


def test_an_imported_pair_that_has_met_since_cannot_be_undone(session, world):
    from models.matches import MeetingLog

    ali, _sara = _youths(session, world)
    batch, _result = _run(session, world, world.program, "pairs",
                          csv_bytes(PAIR_HEADERS, pair_rows(world.other_volunteer.email, ("Ali Hassan", ali.birth_year))),
                          "par.csv")
    match = session.exec(select(Match).where(Match.volunteer_id == world.other_volunteer.id)).one()
    session.add(MeetingLog(match_id=match.id, volunteer_id=world.other_volunteer.id, met_on=today(), minutes=60,
                           rating=4))
    session.commit()
    with pytest.raises(Conflict) as refused:
        ops.undo_import(session, world.admin, batch.id, today())
    assert "meeting" in refused.value.msgid
    assert session.get(Match, match.id) is not None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["households", "pairs"]),
       cells=st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
                               .map(lambda t: t.replace(";", ",").replace('"', "")), min_size=13, max_size=13),
                      min_size=1, max_size=4))
def test_any_cells_in_a_family_or_pairs_sheet_give_row_errors_never_a_crash(session, world, kind, cells):
    headers = FAMILY_HEADERS if kind == "households" else [*PAIR_HEADERS, *(f"Ekstra{i}" for i in range(7))]
    program = world.family_program if kind == "households" else world.program
    try:
        batch = ops.prepare(session, world.coordinator, program.id, kind, "rod.csv", csv_bytes(headers, cells))
    except BadFile:
        return  # empty rows only: the file's own clear message
    preview = ops.check_batch(session, batch, today())
    assert len(preview.rows) <= len(cells)
    for row in preview.rows:
        assert all(isinstance(e.msgid, str) and e.column for e in row.errors)
