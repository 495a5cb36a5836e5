"""Controlled vocabularies shared by sign-up, intake and scoring.

Each entry is ``slug: (Danish label, English label)``. Programs choose a subset of the
interests; free text is matched on top of the tags.
"""

from __future__ import annotations

INTERESTS: dict[str, tuple[str, str]] = {
    "fodbold": ("Fodbold", "Football"),
    "haandbold": ("Håndbold", "Handball"),
    "basketball": ("Basketball", "Basketball"),
    "svoemning": ("Svømning", "Swimming"),
    "loeb": ("Løb", "Running"),
    "fitness": ("Fitness og styrketræning", "Gym and strength training"),
    "kampsport": ("Kampsport og boksning", "Martial arts and boxing"),
    "cykling": ("Cykling", "Cycling"),
    "natur": ("Natur, fiskeri og friluftsliv", "Nature, fishing and outdoor life"),
    "musik": ("Musik", "Music"),
    "spille_instrument": ("Spille et instrument", "Playing an instrument"),
    "dans": ("Dans", "Dance"),
    "tegning": ("Tegning og kunst", "Drawing and art"),
    "foto": ("Foto og video", "Photo and video"),
    "gaming": ("Computerspil og gaming", "Video games"),
    "programmering": ("Programmering og IT", "Programming and IT"),
    "madlavning": ("Madlavning og bagning", "Cooking and baking"),
    "laesning": ("Læsning og bøger", "Reading and books"),
    "lektiehjaelp": ("Lektiehjælp", "Homework help"),
    "matematik": ("Matematik", "Mathematics"),
    "dansk_sprog": ("Dansk sprog", "Danish language"),
    "film": ("Film og serier", "Films and series"),
    "braetspil": ("Brætspil og skak", "Board games and chess"),
    "mekanik": ("Knallerter, biler og mekanik", "Mopeds, cars and mechanics"),
    "haandvaerk": ("Håndværk og byggeri", "Crafts and building"),
    "dyr": ("Dyr og heste", "Animals and horses"),
    "mode": ("Mode og design", "Fashion and design"),
    "job_uddannelse": ("Job og uddannelse", "Jobs and education"),
    "foreningsliv": ("Foreningsliv og fritidsjob", "Clubs and leisure jobs"),
    "kultur": ("Museer, teater og kultur", "Museums, theatre and culture"),
    "udflugter": ("Udflugter og ture", "Day trips and outings"),
    "familieliv": ("Familieaktiviteter", "Family activities"),
    "samfund": ("Samfund og det danske system", "Society and the Danish system"),
    "tro": ("Tro og livssyn", "Faith and beliefs"),
}

LANGUAGES: dict[str, tuple[str, str]] = {
    "da": ("Dansk", "Danish"),
    "en": ("Engelsk", "English"),
    "ar": ("Arabisk", "Arabic"),
    "ku": ("Kurdisk", "Kurdish"),
    "so": ("Somali", "Somali"),
    "ti": ("Tigrinya", "Tigrinya"),
    "fa": ("Dari/farsi", "Dari/Persian"),
    "ps": ("Pashto", "Pashto"),
    "tr": ("Tyrkisk", "Turkish"),
    "ur": ("Urdu", "Urdu"),
    "uk": ("Ukrainsk", "Ukrainian"),
    "ru": ("Russisk", "Russian"),
    "pl": ("Polsk", "Polish"),
    "de": ("Tysk", "German"),
    "fr": ("Fransk", "French"),
    "es": ("Spansk", "Spanish"),
    "bs": ("Bosnisk/serbokroatisk", "Bosnian/Serbo-Croatian"),
    "vi": ("Vietnamesisk", "Vietnamese"),
}

LANGUAGE_LEVEL_LABELS: dict[int, tuple[str, str]] = {
    1: ("Lidt", "A little"),
    2: ("Godt", "Conversational"),
    3: ("Flydende / modersmål", "Fluent / mother tongue"),
}
