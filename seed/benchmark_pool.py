"""Large realistic pools as plain profiles (no database), for ``makker bench``.

People live where Danes live: most near the big towns, some anywhere. Interests come in the
same clusters as the demo's, volunteers are mostly free in the evenings and at weekends, some
youths have known crime (complexity 3) and some families speak little Danish.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from matching.geo import danish_postcodes
from matching.profiles import RequestProfile, VolunteerProfile, slot_bit
from seed.people import FAMILY_ORIGINS, _interests

# Town centres (first postcode digits) and their share of the population of a national pool.
TOWNS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("1", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29"), 0.32),  # Copenhagen area
    (("80", "81", "82", "83"), 0.12),  # Aarhus
    (("50", "51", "52"), 0.08),  # Odense
    (("90", "91", "92"), 0.07),  # Aalborg
    (("40",), 0.03),  # Roskilde
    (("47", "46"), 0.05),  # south Zealand
    (("60", "70", "71", "72"), 0.08),  # Kolding, Fredericia, Vejle
    (("",), 0.25),  # anywhere
)


def _places_by_town():  # noqa: ANN202
    places = list(danish_postcodes().values())
    return [([p for p in places if p.postcode.startswith(prefixes)], share) for prefixes, share in TOWNS]


def _availability(rng: random.Random, evenings: bool) -> int:
    mask = 0
    for _ in range(rng.randint(2, 6)):
        day = rng.randrange(7)
        part = 2 if evenings and day < 5 and rng.random() < 0.7 else rng.randrange(3)
        mask |= slot_bit(day, part)
    return mask


def generate_pool(n_requests: int, n_volunteers: int, seed: int = 0, today: date | None = None,
                  family_share: float = 0.25) -> tuple[list[RequestProfile], list[VolunteerProfile]]:
    """Deterministic for a seed."""
    rng = random.Random(seed)
    today = today or date(2026, 11, 22)
    towns = _places_by_town()
    groups = [places for places, _ in towns]
    shares = [share for _, share in towns]

    def place():  # noqa: ANN202
        return rng.choice(rng.choices(groups, shares)[0])

    volunteers = []
    for i in range(n_volunteers):
        p = place()
        languages = {"da": 3}
        if rng.random() < 0.5:
            languages["en"] = rng.choice((2, 3))
        if rng.random() < 0.12:
            languages[rng.choice(("ar", "fa", "so", "ti", "ku", "uk"))] = 3
        gender = "female" if rng.random() < 0.62 else "male"
        volunteers.append(VolunteerProfile(
            id=i + 1, birth_year=today.year - rng.choice((rng.randint(20, 45), rng.randint(46, 75))), gender=gender,
            lat=p.lat, lon=p.lon, waiting_since=today - timedelta(days=rng.randint(0, 450)), languages=languages,
            interests=tuple(_interests(rng)), interests_text="", availability=_availability(rng, True),
            capacity=rng.choices((1, 2, 3), (0.8, 0.15, 0.05))[0], experience=rng.choices((0, 1, 2, 3), (3, 4, 2, 1))[0],
            supports=rng.choices(("youth", "family", "either"), (0.5, 0.2, 0.3))[0],
            age_min=13, age_max=18, mentee_gender_wish=rng.choice((None, None, None, gender)), postcode=p.postcode,
        ))
    requests = []
    for i in range(n_requests):
        p = place()
        if rng.random() < family_share:
            origin = rng.choice(FAMILY_ORIGINS)
            requests.append(RequestProfile(
                id=i + 1, kind="family", lat=p.lat, lon=p.lon, waiting_since=today - timedelta(days=rng.randint(0, 450)),
                languages={**origin[3], "da": rng.choice((1, 1, 2))}, interests=tuple(_interests(rng)),
                availability=_availability(rng, False), complexity=rng.choices((0, 1, 2), (4, 3, 1))[0],
                postcode=p.postcode,
            ))
        else:
            gender = "female" if rng.random() < 0.4 else "male"
            requests.append(RequestProfile(
                id=i + 1, kind="youth", lat=p.lat, lon=p.lon, waiting_since=today - timedelta(days=rng.randint(0, 450)),
                age=rng.randint(13, 18), gender=gender, languages={"da": 3}, interests=tuple(_interests(rng)),
                availability=_availability(rng, True), complexity=rng.choices((0, 1, 2, 3), (3, 4, 2, 1.3))[0],
                mentor_gender_required="female" if gender == "female" and rng.random() < 0.15 else None,
                mentor_gender_preferred=rng.choice((None, None, gender)), no_trusted_adult=rng.random() < 0.3,
                postcode=p.postcode,
            ))
    return requests, volunteers
