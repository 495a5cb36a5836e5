"""Realistic, invented Danish people and the words they use, for the demo organisation.

No real persons: names are common ones, e-mails use example.org domains, phone numbers are
random 8-digit Danish numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from matching.vocabulary import INTERESTS

FEMALE = ("Anna", "Sofie", "Mette", "Camilla", "Line", "Maria", "Louise", "Julie", "Emma", "Ida", "Signe", "Karen",
          "Hanne", "Susanne", "Lene", "Tina", "Pernille", "Marianne", "Nanna", "Freja", "Cecilie", "Mathilde",
          "Birgitte", "Helle", "Rikke", "Katrine", "Astrid", "Lærke", "Josefine", "Malene")
MALE = ("Peter", "Jens", "Lars", "Søren", "Henrik", "Thomas", "Michael", "Martin", "Jesper", "Anders", "Rasmus",
        "Christian", "Mads", "Jonas", "Mikkel", "Frederik", "Emil", "Kasper", "Niels", "Morten", "Jakob", "Simon",
        "Ole", "Bent", "Torben", "Kim", "Mathias", "Oliver", "Lucas", "Magnus")
SURNAMES = ("Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
            "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen", "Poulsen",
            "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen", "Mikkelsen", "Frederiksen", "Lund", "Holm",
            "Schmidt", "Eriksen", "Kristiansen", "Simonsen", "Clausen", "Svendsen", "Andreasen", "Iversen", "Bach")
YOUTH_FEMALE = ("Emma", "Ida", "Freja", "Alma", "Clara", "Ella", "Maja", "Nora", "Laura", "Asta", "Sara", "Amina",
                "Yasmin", "Hiba", "Layla", "Zainab", "Nadia", "Sofia", "Olivia", "Karla")
YOUTH_MALE = ("William", "Noah", "Oscar", "Lucas", "Victor", "Malthe", "Elias", "Alfred", "Carl", "Aksel", "Ali",
              "Omar", "Yusuf", "Ahmad", "Mohammed", "Hamza", "Adam", "Mikkel", "Sebastian", "Tobias")
# Families who came as refugees, with the languages each group speaks.
FAMILY_ORIGINS: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], dict[str, int]], ...] = (
    (("Al-Hassan", "Khalil", "Haddad", "Al-Ali", "Mansour"), ("Ahmad", "Khaled", "Rami", "Samir"),
     ("Fatima", "Rasha", "Huda", "Lina"), {"ar": 3}),
    (("Ahmadi", "Hosseini", "Rahimi", "Karimi"), ("Mohammad", "Ali", "Reza", "Hamid"),
     ("Zahra", "Maryam", "Shabnam", "Farida"), {"fa": 3, "ps": 2}),
    (("Tesfay", "Gebremedhin", "Haile", "Berhane"), ("Yonas", "Dawit", "Samuel", "Tesfaye"),
     ("Selam", "Helen", "Rahel", "Senait"), {"ti": 3}),
    (("Mohamed", "Warsame", "Abdi", "Hassan"), ("Abdullahi", "Yusuf", "Ismail", "Said"),
     ("Hodan", "Amina", "Ifrah", "Sahra"), {"so": 3, "ar": 1}),
    (("Kaya", "Ahmed", "Rashid", "Bakr"), ("Aram", "Dilan", "Karwan", "Rebin"),
     ("Avin", "Berivan", "Rojin", "Shirin"), {"ku": 3, "ar": 2}),
    (("Kovalenko", "Shevchenko", "Bondarenko", "Melnyk"), ("Oleksandr", "Andrii", "Dmytro", "Serhii"),
     ("Olena", "Iryna", "Natalia", "Kateryna"), {"uk": 3, "ru": 2}),
)
CHILD_NAMES = ("Adam", "Sara", "Yousef", "Lina", "Mariam", "Omar", "Noor", "Elias", "Hana", "Daniel", "Leila", "Amir")

INTEREST_CLUSTERS = (
    ("fodbold", "fitness", "loeb", "kampsport", "svoemning", "cykling", "basketball", "haandbold"),
    ("musik", "spille_instrument", "tegning", "foto", "dans", "film", "mode"),
    ("lektiehjaelp", "matematik", "laesning", "dansk_sprog", "programmering", "job_uddannelse"),
    ("madlavning", "mekanik", "haandvaerk", "natur", "dyr", "udflugter"),
    ("gaming", "braetspil", "film", "programmering"),
)
INTEREST_TEXTS = (
    "Jeg spiller fodbold i weekenden og laver gerne mad.", "Går meget i naturen og fisker ved fjorden.",
    "Spiller guitar og går til koncerter.", "Jeg elsker at bage og tage på udflugter.",
    "Træner i fitnesscenteret et par gange om ugen.", "Interesseret i computere og spil.",
    "Glad for at læse og hjælpe med lektier, især matematik.", "Skruer på knallerter og cykler.",
    "Tegner og maler, og går på museer.", "Løber og cykler, og går gerne til håndbold.", "",
)
MOTIVATIONS = (
    "Jeg har selv haft en voksenven, da jeg var ung, og ved hvor meget det betyder.",
    "Jeg vil gerne give noget tilbage til mit lokalsamfund og har tid om aftenen.",
    "Som pensioneret lærer savner jeg kontakten med de unge.",
    "Jeg tror på, at alle unge har brug for en voksen, der lytter uden at dømme.",
    "Vi er en familie, der gerne vil lære nye mennesker at kende og vise dem foreningslivet.",
    "Jeg har boet i udlandet og ved, hvor svært det er at være ny i et land.",
    "Jeg arbejder med unge til daglig og vil gerne gøre en forskel i min fritid også.",
    "Jeg kan godt lide at være en fast voksen for nogen, som ikke har så mange.",
)
EXPERIENCE_TEXTS = (
    "Fodboldtræner for U14 i fem år.", "Pædagog i en fritidsklub.", "Har været lektiehjælper i Røde Kors.",
    "Ingen særlig erfaring, men to teenagere derhjemme.", "Socialrådgiver.", "Spejderleder.", "",
)
YOUTH_NEEDS = (
    ("En voksen at tale med", "Har brug for en fast voksen uden for systemet at tale med og lave noget sjovt med."),
    ("Hjælp til at finde en fritidsaktivitet", "Vil gerne i gang med en sport, men mangler en at følges med."),
    ("Støtte i skolen", "Har svært ved at komme i skole og brug for hjælp til lektier og motivation."),
    ("Hjælp til uddannelse og job", "Skal vælge uddannelse efter 9. klasse og vil gerne have en at sparre med."),
    ("En rollemodel", "Mangler en voksen at se op til og en at spørge om hverdagens ting."),
)
FAMILY_NEEDS = ("Lektiehjælp til børnene", "En venskabsfamilie", "Jobmentor til en forælder",
                "Hjælp til at forstå breve fra kommunen", "Børnene i gang med en fritidsaktivitet")
FAMILY_WISHES = (
    "Familien ønsker at lære en dansk familie at kende og øve dansk.",
    "Forældrene vil gerne have hjælp til skole-hjem-samarbejdet og lektier.",
    "Mor vil gerne i praktik og har brug for en at øve jobsamtaler med.",
    "Børnene vil gerne gå til fodbold og gymnastik, men familien kender ikke klubberne.",
)
GOALS = (
    ("Er meget alene efter skole.", "Er glad for at spille fodbold.", "Komme i gang i en klub og få en fast voksen."),
    ("Høj skolefravær det seneste halve år.", "Har en god kontakt til sin klasselærer.", "Komme i skole hver dag."),
    ("Har været i konflikt med politiet.", "Er motiveret for at ændre retning.", "Holde sig fra kriminalitet og finde et fritidsjob."),
    ("Føler sig usikker på fremtiden.", "Er god til matematik.", "Vælge en ungdomsuddannelse."),
)
COMPLEXITY_REASONS = {
    0: "",
    1: "Skolefravær og uro derhjemme.",
    2: "Sag i kommunen; perioder med mistrivsel.",
    3: "Kendt kriminalitet (tyveri); tilknyttet SSP.",
}
REFERRERS = ("Skole", "SSP-konsulent", "Sagsbehandler", "Ungdomsklub", "Forælder selv", "Boligsocial medarbejder",
             "Integrationsmedarbejder")
SCHOOLS = ("Himmelev Skole", "Lindebjergskolen", "Hedegårdsskolen", "Tjørnegårdskolen", "Roskilde Lille Skole",
           "Trekronergade Friskole", "")
INTRO_NOTES = (
    "I mødes første gang på biblioteket torsdag kl. 16. Han glæder sig, men er lidt genert i starten.",
    "Hun vil gerne i svømmehallen eller en tur i byen. Hun taler bedst, når man laver noget sammen.",
    "Familien har inviteret på te. Far taler lidt dansk; mor foretrækker arabisk.",
    "Aftal gerne faste tider; struktur hjælper ham meget.",
)
MEETING_NOTES = ("Spillede fodbold i parken.", "Lavede lektier og fik en is.", "Gik en tur ved fjorden og snakkede.",
                 "Lavede mad sammen.", "Var i biografen.", "Øvede dansk og talte om skolen.", "")


def _phone(rng: random.Random) -> str:
    return f"+45 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def _interests(rng: random.Random) -> list[str]:
    primary = rng.choice(INTEREST_CLUSTERS)
    picked = set(rng.sample(primary, k=min(len(primary), rng.randint(2, 3))))
    if rng.random() < 0.6:
        picked.add(rng.choice(list(INTERESTS)))
    return sorted(picked)


def _email_slug(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "-": ""})
    return "".join(ch for ch in text.lower().translate(table) if ch.isalnum())


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    birth_year: int
    gender: str
    languages: dict[str, int]
    interests: list[str]
    interests_text: str
    motivation: str = ""
    experience_text: str = ""


def volunteer(rng: random.Random, today: date, used_emails: set[str], domain: str = "example.org") -> Person:
    gender = "female" if rng.random() < 0.62 else "male"
    first = rng.choice(FEMALE if gender == "female" else MALE)
    last = rng.choice(SURNAMES)
    age = rng.choice((rng.randint(20, 45), rng.randint(20, 45), rng.randint(46, 75)))
    base = f"{_email_slug(first)}.{_email_slug(last)}"
    email, n = f"{base}@{domain}", 2
    while email in used_emails:
        email, n = f"{base}{n}@{domain}", n + 1
    used_emails.add(email)
    languages = {"da": 3}
    if rng.random() < 0.5:
        languages["en"] = rng.choice((2, 3))
    if rng.random() < 0.12:
        languages[rng.choice(("ar", "fa", "so", "ti", "ku", "tr", "uk", "pl"))] = 3
    return Person(first, last, email, _phone(rng), today.year - age, gender, languages, _interests(rng),
                  rng.choice(INTEREST_TEXTS), rng.choice(MOTIVATIONS), rng.choice(EXPERIENCE_TEXTS))


@dataclass
class YouthPerson:
    first_name: str
    last_name: str
    birth_year: int
    gender: str
    languages: dict[str, int]
    interests: list[str]
    interests_text: str
    guardian_name: str
    guardian_phone: str
    school: str
    notes: str
    need: str
    description: str
    goal_worries: str
    goal_works: str
    goal_next: str


def youth(rng: random.Random, today: date) -> YouthPerson:
    gender = "female" if rng.random() < 0.4 else "male"
    first = rng.choice(YOUTH_FEMALE if gender == "female" else YOUTH_MALE)
    if rng.random() < 0.3:
        origin = rng.choice(FAMILY_ORIGINS)
        last, languages = rng.choice(origin[0]), {**origin[3], "da": 3}
        guardian = rng.choice(origin[1] + origin[2]) + " " + last
    else:
        last, languages = rng.choice(SURNAMES), {"da": 3}
        guardian = rng.choice(FEMALE + MALE) + " " + last
    need, description = rng.choice(YOUTH_NEEDS)
    worries, works, next_ = rng.choice(GOALS)
    return YouthPerson(first, last, today.year - rng.randint(13, 17), gender, languages, _interests(rng),
                       rng.choice(INTEREST_TEXTS), guardian, _phone(rng), rng.choice(SCHOOLS),
                       "Mor ønsker ugentlig kontakt med koordinator." if rng.random() < 0.2 else "",
                       need, description, worries, works, next_)


@dataclass
class HouseholdPerson:
    family_name: str
    contact_name: str
    contact_phone: str
    languages: dict[str, int]
    interests: list[str]
    interests_text: str
    wishes: str
    members: list[tuple[str, str, int, str]] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)


def household(rng: random.Random, today: date) -> HouseholdPerson:
    surnames, male, female, languages = rng.choice(FAMILY_ORIGINS)
    last = rng.choice(surnames)
    father, mother = rng.choice(male), rng.choice(female)
    members = [(father, "parent", today.year - rng.randint(30, 50), "male"),
               (mother, "parent", today.year - rng.randint(28, 48), "female")]
    for child in rng.sample(CHILD_NAMES, rng.randint(1, 4)):
        members.append((child, "child", today.year - rng.randint(2, 17), rng.choice(("female", "male"))))
    langs = dict(languages)
    langs["da"] = rng.choice((1, 1, 2))
    needs = rng.sample(FAMILY_NEEDS, rng.choice((1, 1, 2, 3)))
    return HouseholdPerson(f"Familien {last}", f"{mother} {last}", _phone(rng), langs,
                           sorted(set(rng.sample(["familieliv", "udflugter", "madlavning", "fodbold", "lektiehjaelp",
                                                  "dansk_sprog", "samfund", "natur"], 3))),
                           "", rng.choice(FAMILY_WISHES), members, needs)


def complexity_reason(rng: random.Random, complexity: int) -> str:
    return COMPLEXITY_REASONS[complexity]


def intro_note(rng: random.Random) -> str:
    return rng.choice(INTRO_NOTES)


def meeting_note(rng: random.Random) -> str:
    return rng.choice(MEETING_NOTES)
