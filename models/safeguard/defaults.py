"""The texts an organisation starts with, until an admin writes its own (Danish: the
organisations are Danish). Modelled on the written agreement Assens' volunteers made with Dansk
Røde Kors: what volunteers do, what the public authorities do, and the duty of confidentiality."""

from __future__ import annotations

DEFAULT_TEXTS: dict[str, tuple[str, str]] = {
    "confidentiality": (
        "Tavshedserklæring",
        "Som frivillig får jeg kendskab til personlige forhold hos de børn, unge og familier, jeg "
        "møder. Jeg lover:\n\n"
        "- at jeg ikke fortæller andre om det, jeg hører og ser om barnet, den unge eller familien – "
        "hverken navne, helbred, økonomi, familieforhold eller andet privat;\n"
        "- at jeg ikke deler billeder, beskeder eller oplysninger om dem på sociale medier eller andre "
        "steder;\n"
        "- at jeg kun taler om dem med min koordinator, og kun når det er nødvendigt for at hjælpe;\n"
        "- at tavshedspligten også gælder, når jeg ikke længere er frivillig.\n\n"
        "Tavshedspligten gælder ikke, hvis jeg bliver bekymret for et barns sundhed eller udvikling. "
        "Så skal jeg sige det til min koordinator med det samme (knappen »Jeg er bekymret« i Makker), "
        "og er barnet i akut fare, ringer jeg 112. Det er min pligt at sige det videre "
        "(underretningspligt).",
    ),
    "agreement": (
        "Frivilligaftale",
        "Aftalen beskriver, hvad jeg som frivillig gør, og hvad foreningen og kommunen gør.\n\n"
        "Det gør jeg som frivillig:\n"
        "- jeg er en voksen ven og et fast holdepunkt: vi mødes, som vi har aftalt, og jeg melder afbud "
        "i god tid;\n"
        "- jeg hjælper med hverdagen: lektier, fritids- og foreningsliv, indkøb, at finde vej i byen og "
        "at møde nye mennesker;\n"
        "- jeg skriver kort i Makker, når vi har mødtes, og siger til, hvis jeg har brug for at tale med "
        "koordinatoren.\n\n"
        "Det gør jeg ikke:\n"
        "- jeg er ikke sagsbehandler, behandler eller myndighed og træffer ingen afgørelser for "
        "familien;\n"
        "- jeg låner ikke penge ud, tager ikke imod betaling eller større gaver og handler ikke med "
        "familien;\n"
        "- jeg kører ikke med barnet i egen bil og har ikke barnet med hjem uden aftale med forældrene "
        "og koordinatoren;\n"
        "- jeg er ikke alene med barnet i længere tid uden forældrenes accept.\n\n"
        "Det gør foreningen:\n"
        "- giver mig introduktion, kursus, netværksmøder og en koordinator, jeg kan ringe til;\n"
        "- indhenter børneattest, før jeg møder børn, og fornyer den med jævne mellemrum;\n"
        "- lytter, når jeg er i tvivl eller bekymret, og tager over, hvor det kræver fagfolk.\n\n"
        "Jeg kan altid stoppe som frivillig; så siger jeg det til koordinatoren, så barnet eller familien "
        "får en god afslutning.",
    ),
}
