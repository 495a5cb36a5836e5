"""Finding 5: malformed paths, queries and forms get a 4xx answer, never a server error.

Huge integers and NUL bytes behave differently on SQLite (OverflowError) and PostgreSQL (out of
range, 'cannot contain NUL'): the suite runs this file on both."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.web.test_volunteer_pages import signup_data

HUGE = "9223372036854775808"  # 2**63, past what SQLite's INTEGER holds
PG_HUGE = "2147483648"  # 2**31, past what PostgreSQL's INTEGER holds


@pytest.mark.parametrize("role", ["coordinator", "admin", "volunteer"])
@pytest.mark.parametrize("path", [
    f"/koordinator/unge/{HUGE}", f"/koordinator/familier/{HUGE}", f"/koordinator/frivillige/{HUGE}",
    f"/koordinator/makkerpar/{HUGE}", f"/koordinator/matchning/{HUGE}", f"/admin/programmer/{HUGE}",
    f"/admin/personer/youth/{HUGE}/eksport", f"/frivillig/moede/{HUGE}", f"/koordinator/unge/{'9' * 400}",
    f"/koordinator/unge/{PG_HUGE}", f"/koordinator/makkerpar/{PG_HUGE}", f"/frivillig/moede/{PG_HUGE}",
])
def test_an_id_too_large_for_the_database_is_simply_not_found(as_role, path, role):
    response = as_role(role).get(path)
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("query", [
    f"program={HUGE}", f"program={PG_HUGE}", "program=-1", "program=abc", f"side={HUGE}", "side=-5", "side=1e9", "side=%00",
])
def test_a_filter_with_a_number_out_of_range_is_ignored_on_the_waiting_list(as_role, query):
    response = as_role("coordinator").get(f"/koordinator/venteliste/anmodninger?{query}")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("path", ["/admin/oversigt", "/admin/makkerpar", "/admin/log", "/admin/makkerpar.csv",
                                  "/admin/oversigt.csv", "/admin/rapport.pdf"])
def test_admin_filters_with_huge_numbers_are_ignored(as_role, path):
    client = as_role("admin")
    response = client.get(f"{path}?program={HUGE}&coordinator={HUGE}&user={HUGE}&id={HUGE}")
    assert response.status_code == 200


def test_a_check_in_link_with_a_huge_check_in_number_still_opens_the_form(as_role, world):
    response = as_role("coordinator").get(f"/koordinator/makkerpar/{world.match.id}/opfoelgning?checkin={HUGE}")
    assert response.status_code == 200
    response = as_role("coordinator").post(f"/koordinator/makkerpar/{world.match.id}/opfoelgning",
                                           data={"checkin_id": HUGE, "version": HUGE, "done_on": "2026-01-05"})
    assert response.status_code < 500


@pytest.mark.parametrize("value", ["abc", "", HUGE, "1.5", "²"])
def test_an_experience_that_is_not_a_choice_is_refused_next_to_the_field_on_sign_up(client, world, value):
    response = client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}",
                           data=signup_data(experience=value))
    assert response.status_code == 400
    assert 'value="Signe"' in response.get_data(as_text=True)  # what was typed is kept


def test_an_experience_that_is_not_a_choice_is_refused_on_the_profile(client, world):
    login(client, world.volunteer_user.email)
    response = client.post("/frivillig/profil", data=signup_data(experience="abc"))
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["first_name", "motivation", "email", "postcode", "birth_year"])
def test_a_nul_byte_in_a_form_is_refused_and_nothing_is_stored(client, world, field):
    response = client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}",
                           data=signup_data(**{field: "Sig\x00ne"}))
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/log-ind?next=/%00", "/koordinator/venteliste/anmodninger?q=%00",
                                  "/admin/log?action=%00", "/bliv-frivillig/rosk%00ilde/unge",
                                  "/sprog/%00", "/nulstil/%00"])
def test_a_nul_byte_in_the_address_is_refused(as_role, path):
    response = as_role("admin").get(path)
    assert response.status_code in (400, 404)


def test_a_nul_byte_in_the_sign_in_form_is_refused(client):
    assert login(client, "a\x00@example.org", "x").status_code == 400


def test_a_nul_byte_in_a_second_value_of_a_field_is_refused_too(client, world):
    response = client.post(f"/bliv-frivillig/{world.organisation.slug}/{world.program.slug}",
                           data=signup_data(interests=["fodbold", "mus\x00ik"]))
    assert response.status_code == 400
