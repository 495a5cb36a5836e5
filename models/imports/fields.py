"""What a column can be imported as, per kind, and how a header suggests it.

Headers are compared after lower-casing and dropping everything but letters and digits, so
"Post nr.", "postnr" and "POSTNR" are one; Danish and English names and common variants.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from models.errors import N_


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str  # English msgid, shown translated
    aliases: tuple[str, ...] = ()
    vocabulary: str | None = None  # values mapped once per distinct value: interests, languages, ...


_NAME = ImportField("name", N_("Full name (split into first and last name)"), ("navn", "name", "fuldtnavn", "fullname"))
_FIRST = ImportField("first_name", N_("First name"), ("fornavn", "firstname", "fornavne", "givenname"))
_LAST = ImportField("last_name", N_("Last name"), ("efternavn", "lastname", "surname", "familyname"))
_EMAIL = ImportField("email", N_("E-mail"), ("email", "mail", "emailadresse", "epost", "mailadresse"))
_PHONE = ImportField("phone", N_("Phone"), ("telefon", "mobil", "tlf", "tlfnr", "telefonnummer", "mobilnummer",
                                            "phone", "mobile", "telephone", "mobilnr"))
_YEAR = ImportField("birth_year", N_("Birth year"), ("fodselsar", "fodselsaar", "fødselsår", "argang", "årgang",
                                                     "birthyear", "yearofbirth", "fodt", "født"))
_BIRTHDATE = ImportField("birth_date", N_("Date of birth (the year is kept)"), ("fodselsdato", "fødselsdato",
                                                                                 "birthdate", "dateofbirth", "dob"))
_GENDER = ImportField("gender", N_("Gender"), ("kon", "køn", "gender", "sex"), vocabulary="gender")
_POSTCODE = ImportField("postcode", N_("Postcode"), ("postnr", "postnummer", "postcode", "zip", "zipcode",
                                                     "postalcode"))
_INTERESTS = ImportField("interests", N_("Interests"), ("interesser", "interests", "fritidsinteresser", "hobbyer",
                                                        "hobbies"), vocabulary="interests")
_LANGUAGES = ImportField("languages", N_("Languages"), ("sprog", "languages", "language", "talersprog"),
                         vocabulary="languages")
_AVAILABILITY = ImportField("availability", N_("When free (weekdays and times of day)"),
                            ("tid", "tider", "ledigtid", "tilgaengelighed", "tilgængelighed", "hvornaar", "hvornår",
                             "availability", "free"))
_NOTES = ImportField("notes", N_("Notes (coordinators only)"), ("noter", "note", "notes", "bemaerkninger",
                                                                  "bemærkninger", "kommentar"))

VOLUNTEER_FIELDS: tuple[ImportField, ...] = (
    _NAME, _FIRST, _LAST, _EMAIL, _PHONE, _YEAR, _BIRTHDATE, _GENDER, _POSTCODE, _INTERESTS, _LANGUAGES,
    _AVAILABILITY,
    ImportField("status", N_("Status"), ("status", "tilstand"), vocabulary="volunteer_status"),
    ImportField("pool_since", N_("Waiting since"), ("ventersiden", "waitingsince", "godkendt", "godkendtdato",
                                                    "approved", "oprettet", "created", "startdato")),
    ImportField("capacity", N_("How many mentees"), ("antal", "kapacitet", "capacity", "antalmentees")),
    ImportField("experience_text", N_("Experience"), ("erfaring", "experience")),
    ImportField("motivation", N_("Motivation"), ("motivation",)),
)

YOUTH_FIELDS: tuple[ImportField, ...] = (
    _NAME, _FIRST, _LAST, _YEAR, _BIRTHDATE, _GENDER, _POSTCODE, _INTERESTS, _LANGUAGES, _AVAILABILITY,
    ImportField("guardian_name", N_("Custody holder"), ("forælder", "foraelder", "forældre", "foraeldre",
                                                        "vaerge", "værge", "guardian", "parent", "forældrenavn")),
    ImportField("guardian_phone", N_("Custody holder's phone"), ("foraeldretlf", "forældretlf", "forældretelefon",
                                                                 "guardianphone", "parentphone")),
    ImportField("guardian_email", N_("Custody holder's e-mail"), ("foraeldremail", "forældremail",
                                                                  "forældreemail", "guardianemail", "parentemail")),
    ImportField("school", N_("School"), ("skole", "school", "uddannelsessted")),
    ImportField("need", N_("What help is needed"), ("behov", "need", "hjaelp", "hjælp", "indsats")),
    ImportField("referred_on", N_("Referred on"), ("henvist", "henvistdato", "henvisningsdato", "referred",
                                                   "referredon", "ventersiden", "oprettet")),
    ImportField("referred_by", N_("Referred by"), ("henviser", "henvistaf", "referredby", "sagsbehandler")),
    ImportField("complexity", N_("Complexity"), ("tyngde", "kompleksitet", "complexity"), vocabulary="complexity"),
    ImportField("consent_given_by", N_("Consent given by"), ("samtykkegivetaf", "samtykkefra", "consentgivenby",
                                                             "samtykke af")),
    ImportField("consent_relation", N_("Consent given as"), ("samtykkesom", "samtykkerolle", "consentrelation",
                                                             "consentas"), vocabulary="consent_role"),
    ImportField("consent_given_on", N_("Consent date"), ("samtykkedato", "samtykkegivet", "consentdate",
                                                         "consentgivenon")),
    _NOTES,
)

# One row per member of a family, grouped by the household column: the way a coordinator's
# "familieliste" looks (a line per person, the family's number repeated). The household's own
# columns (address, contact, consent, languages) may stand on every row or only on the first.
HOUSEHOLD_FIELDS: tuple[ImportField, ...] = (
    ImportField("household_key", N_("Household (the same value on every row of one family)"),
                ("husstand", "familie", "familieid", "familienr", "familienummer", "husstandsnr", "husstandid",
                 "household", "householdid", "family", "familyid")),
    ImportField("family_name", N_("Family name"), ("familienavn", "efternavn", "familyname", "lastname", "surname")),
    ImportField("member_name", N_("Member's name"), ("navn", "fornavn", "medlem", "person", "name", "firstname",
                                                     "membername")),
    ImportField("role", N_("Role in the family (adult or child)"), ("rolle", "voksenbarn", "role", "relation"),
                vocabulary="member_role"),
    _YEAR, _BIRTHDATE, _GENDER, _POSTCODE, _LANGUAGES, _INTERESTS, _AVAILABILITY,
    ImportField("contact_name", N_("Contact person"), ("kontaktperson", "kontakt", "kontaktnavn", "contact",
                                                       "contactname")),
    ImportField("contact_email", N_("Contact e-mail"), ("email", "mail", "emailadresse", "kontaktmail",
                                                        "kontaktemail", "contactemail")),
    ImportField("contact_phone", N_("Contact phone"), ("telefon", "mobil", "tlf", "kontakttlf", "kontakttelefon",
                                                       "phone", "contactphone")),
    ImportField("need", N_("What the family wants help with (one request per distinct answer)"),
                ("behov", "onske", "ønske", "hjaelptil", "hjælptil", "need", "request", "indsats")),
    ImportField("wishes", N_("The family's wishes, in their own words"), ("onsker", "ønsker", "wishes")),
    ImportField("referred_on", N_("Referred on"), ("henvist", "henvistdato", "henvisningsdato", "referred",
                                                   "referredon", "ventersiden", "oprettet")),
    ImportField("referred_by", N_("Referred by"), ("henviser", "henvistaf", "referredby", "sagsbehandler")),
    YOUTH_FIELDS[-4], YOUTH_FIELDS[-2], _NOTES,
)

PAIR_FIELDS: tuple[ImportField, ...] = (
    ImportField("volunteer_email", N_("Volunteer's e-mail"), ("frivilligemail", "frivilligmail", "mentoremail",
                                                              "email", "mail", "volunteeremail")),
    ImportField("volunteer_name", N_("Volunteer's name"), ("frivillig", "frivillignavn", "mentor", "mentornavn",
                                                           "volunteer", "volunteername")),
    ImportField("volunteer_birth_year", N_("Volunteer's birth year"), ("frivilligfodselsar", "frivilligfødselsår",
                                                                       "mentorfodselsar", "mentorfødselsår",
                                                                       "volunteerbirthyear")),
    ImportField("request_id", N_("Request id (from a Makker export)"), ("anmodningid", "henvisningid", "requestid",
                                                                       "sagid", "forlobid", "forløbid")),
    ImportField("mentee_name", N_("Youth's or family member's name"), ("ung", "ungnavn", "mentee", "menteenavn",
                                                                       "familiemedlem", "barn", "youth", "menteename",
                                                                       "deltager")),
    ImportField("mentee_birth_year", N_("Youth's or family member's birth year"),
                ("ungfodselsar", "ungfødselsår", "menteefodselsar", "menteefødselsår", "fodselsar", "fødselsår",
                 "menteebirthyear", "birthyear")),
    ImportField("mentee_postcode", N_("Youth's or family's postcode"), ("postnr", "postnummer", "ungpostnr",
                                                                        "menteepostcode", "postcode")),
    ImportField("started_on", N_("Start date"), ("start", "startdato", "startet", "matchetdato", "begyndt",
                                                 "started", "startdate", "startedon")),
    ImportField("ended_on", N_("End date (the pair has ended)"), ("slut", "slutdato", "afsluttet", "ophort", "ophørt",
                                                                  "ended", "enddate", "endedon")),
    ImportField("status", N_("Status"), ("status", "tilstand"), vocabulary="match_status"),
    ImportField("meeting_rhythm", N_("How often they meet"), ("hyppighed", "modehyppighed", "mødehyppighed",
                                                              "rytme", "frequency", "meetingrhythm"),
                vocabulary="meeting_rhythm"),
)

FIELDS: dict[str, tuple[ImportField, ...]] = {"volunteers": VOLUNTEER_FIELDS, "youths": YOUTH_FIELDS,
                                              "households": HOUSEHOLD_FIELDS, "pairs": PAIR_FIELDS}


@functools.cache
def field_map(kind: str) -> dict[str, ImportField]:
    """Read per cell of every row: built once per kind (callers never change it)."""
    return {f.key: f for f in FIELDS[kind]}


def header_key(header: str) -> str:
    """Only letters and digits, lower case: "Post nr." and "postnr" are one header."""
    return re.sub(r"[^0-9a-zæøå]", "", (header or "").lower())


def _fold(text: str) -> str:
    return text.replace("æ", "ae").replace("ø", "o").replace("å", "a")


def suggest_columns(kind: str, headers: list[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """{column index: field key} for every header we recognise; a field is suggested once.

    A saved mapping (header -> field) wins over the built-in names.
    """
    saved = {header_key(h): key for h, key in (saved or {}).items()}
    known = field_map(kind)
    taken: set[str] = set()
    out: dict[str, str] = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        choice = saved.get(key)
        if choice is None:
            for item in FIELDS[kind]:
                if key and any(_fold(key) == _fold(header_key(alias)) for alias in (*item.aliases, item.key)):
                    choice = item.key
                    break
        if choice and choice in known and choice not in taken:
            out[str(index)] = choice
            taken.add(choice)
    return out
