"""What makes a pair score high or low, and the rules that no score can buy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from matching.explanation import alternatives, explain_pair
from matching.geo import lookup_postcode
from matching.profiles import ProgramRules, RequestProfile, VolunteerProfile, slot_bit
from matching.scoring import score_pool
from matching.text import analyse

TODAY = date(2026, 11, 22)
ROSKILDE = lookup_postcode("4000")
KOEGE = lookup_postcode("4600")  # ~25 km from Roskilde
AALBORG = lookup_postcode("9000")
EVENINGS = slot_bit(0, 2) | slot_bit(2, 2) | slot_bit(4, 2)


def volunteer(**kw) -> VolunteerProfile:  # noqa: ANN003
    base = dict(id=1, birth_year=1990, gender="female", lat=ROSKILDE.lat, lon=ROSKILDE.lon,
                waiting_since=TODAY - timedelta(days=30), languages={"da": 3}, interests=("fodbold",),
                availability=EVENINGS, capacity=1, experience=1, supports="either", age_min=13, age_max=18)
    base.update(kw)
    return VolunteerProfile(**base)


def youth(**kw) -> RequestProfile:  # noqa: ANN003
    base = dict(id=1, kind="youth", lat=ROSKILDE.lat, lon=ROSKILDE.lon, waiting_since=TODAY - timedelta(days=30),
                age=15, gender="male", languages={"da": 3}, interests=("fodbold",), availability=EVENINGS,
                complexity=0)
    base.update(kw)
    return RequestProfile(**base)


RULES = ProgramRules(serves="youth", min_age=13, max_age=18, max_distance_km=25)


def value(name: str, request: RequestProfile, vol: VolunteerProfile, rules: ProgramRules = RULES) -> float:
    return next(c.value for c in explain_pair(request, vol, rules, TODAY).components if c.name == name)


def held(name: str, request: RequestProfile, vol: VolunteerProfile, rules: ProgramRules = RULES) -> bool:
    return next(r.held for r in explain_pair(request, vol, rules, TODAY).rules if r.name == name)


def test_shared_interests_score_higher_than_none():
    assert value("interests", youth(), volunteer()) > value("interests", youth(), volunteer(interests=("musik",)))
    assert value("interests", youth(interests=("musik",)), volunteer(interests=("fodbold",))) == 0


def test_free_text_in_danish_meets_the_tag():
    vol = volunteer(interests=(), interests_text="Jeg spiller fodbold i weekenden")
    assert value("interests", youth(interests=("fodbold",)), vol) > 0
    assert analyse("fodbolden") == analyse("fodbold")


def test_a_shared_mother_tongue_counts_fully_and_a_little_danish_little():
    family = RequestProfile(id=2, kind="family", lat=ROSKILDE.lat, lon=ROSKILDE.lon, waiting_since=TODAY,
                            languages={"ar": 3, "da": 1})
    assert value("languages", family, volunteer(languages={"da": 3, "ar": 3})) == 1.0
    assert value("languages", family, volunteer(languages={"da": 3})) == pytest.approx(1 / 3, abs=1e-4)


def test_distance_falls_from_one_at_home_to_zero_at_the_limit():
    assert value("distance", youth(), volunteer()) == 1.0
    koege = value("distance", youth(), volunteer(lat=KOEGE.lat, lon=KOEGE.lon))
    assert 0.0 <= koege < 0.3


def test_availability_counts_shared_free_slots():
    assert value("availability", youth(), volunteer()) == 1.0
    assert value("availability", youth(), volunteer(availability=slot_bit(5, 0))) == 0.0
    assert value("availability", youth(availability=0), volunteer()) == 0.5  # unknown


def test_experience_must_meet_complexity_or_the_score_drops_steeply():
    heavy = youth(complexity=3)
    assert value("experience", heavy, volunteer(experience=3)) == 1.0
    assert value("experience", heavy, volunteer(experience=2)) == pytest.approx(0.4)
    assert value("experience", youth(complexity=2), volunteer(experience=0)) == pytest.approx(0.1)


def test_soft_gender_wishes_weigh_but_do_not_exclude():
    wish = youth(mentor_gender_preferred="male")
    assert value("wishes", wish, volunteer(gender="male")) == 1.0
    assert value("wishes", wish, volunteer(gender="female")) == 0.0
    assert held("required_gender", wish, volunteer(gender="female"))


def test_longer_waiting_scores_higher_and_no_trusted_adult_weighs_up():
    fresh, old = youth(waiting_since=TODAY), youth(waiting_since=TODAY - timedelta(days=400))
    assert value("waiting", old, volunteer()) > value("waiting", fresh, volunteer())
    assert value("waiting", replace(fresh, no_trusted_adult=True), volunteer()) > value("waiting", fresh, volunteer())


def test_the_age_difference_is_best_in_a_grown_up_friend_band():
    teen = youth(age=15)
    assert value("age", teen, volunteer(birth_year=TODAY.year - 35)) == 1.0
    assert value("age", teen, volunteer(birth_year=TODAY.year - 19)) < 0.5
    assert value("age", teen, volunteer(birth_year=TODAY.year - 35, age_min=16, age_max=18)) == 0.5


@pytest.mark.parametrize(
    ("rule", "req", "vol", "rules"),
    [
        ("approved", youth(), volunteer(approved=False), RULES),
        ("capacity", youth(), volunteer(capacity=0), RULES),
        ("program", RequestProfile(id=3, kind="family", lat=ROSKILDE.lat, lon=ROSKILDE.lon, waiting_since=TODAY),
         volunteer(), RULES),
        ("supports", youth(), volunteer(supports="family"), RULES),
        ("age_eligible", youth(age=25), volunteer(), RULES),
        ("required_gender", youth(mentor_gender_required="male"), volunteer(gender="female"), RULES),
        ("distance", youth(), volunteer(lat=AALBORG.lat, lon=AALBORG.lon), RULES),
        ("experience_minimum", youth(complexity=3), volunteer(experience=0), RULES),
        ("experience_minimum", youth(complexity=2), volunteer(experience=1), RULES),
        ("heavy_cases", youth(complexity=2), volunteer(experience=3, heavy_cases=1), RULES),
        ("child_certificate", youth(age=14), volunteer(child_certificate=False), RULES),
        ("child_certificate", RequestProfile(id=4, kind="family", lat=ROSKILDE.lat, lon=ROSKILDE.lon,
                                             waiting_since=TODAY, children_under_15=True),
         volunteer(child_certificate=False), ProgramRules(serves="family")),
    ],
)
def test_a_hard_rule_removes_the_pair_whatever_its_score(rule, req, vol, rules):
    explanation = explain_pair(req, vol, rules, TODAY)
    assert not explanation.allowed and rule in explanation.broken_rules
    pool = score_pool([req], [vol], rules, TODAY)
    assert len(pool.scores) == 0 and pool.removed_by_rule[rule] == 1


def test_an_excluded_or_already_matched_pair_is_never_a_candidate():
    r, v = youth(), volunteer()
    assert len(score_pool([r], [v], RULES, TODAY, exclusions={(r.id, v.id)}).scores) == 0
    assert len(score_pool([r], [v], RULES, TODAY, already_matched={(r.id, v.id)}).scores) == 0
    assert "excluded" in explain_pair(r, v, RULES, TODAY, exclusions={(r.id, v.id)}).broken_rules


def test_the_explanation_names_the_facts_behind_each_component():
    e = explain_pair(youth(interests=("fodbold", "musik")), volunteer(interests=("fodbold",)), RULES, TODAY)
    detail = {c.name: c.detail for c in e.components}
    assert detail["interests"]["shared_tags"] == ["fodbold"]
    assert detail["languages"]["shared"] == {"da": 3}
    assert detail["distance"]["km"] == 0.0
    assert sum(c.contribution for c in e.components) == pytest.approx(e.total, abs=1e-3)


def test_alternatives_are_the_next_best_volunteers_in_order():
    vols = [volunteer(id=i, interests=(("fodbold",) if i < 3 else ("musik",)), experience=i % 4) for i in range(6)]
    pool = score_pool([youth(complexity=1)], vols, RULES, TODAY)
    alts = alternatives(pool, 0, n=3)
    assert len(alts) == 3 and [a.score for a in alts] == sorted((a.score for a in alts), reverse=True)
    best = int(np.argmax(pool.scores))
    assert alts[0].volunteer_index == int(pool.cols[best])
    assert all(a.volunteer_index != alts[0].volunteer_index for a in alternatives(pool, 0, exclude_volunteer=alts[0].volunteer_index))
