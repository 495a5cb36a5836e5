"""The texts of every e-mail, in Danish and English, composed without Flask.

E-mails are queued by domain operations (which know no Flask), so their texts live here
rather than in Babel catalogues; the recipient's language picks the version.
"""

from __future__ import annotations

from string import Template

from sqlmodel import Session

from models.outbox import OutboxMessage, queue_email

SIGNATURE = {
    "da": "\n\nVenlig hilsen\n$organisation\n\n(Denne e-mail er sendt fra Makker. Du kan ikke svare på den.)",
    "en": "\n\nKind regards\n$organisation\n\n(This e-mail was sent by Makker. Replies are not read.)",
}

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "password_reset": {
        "da": (
            "Nulstil din adgangskode til Makker",
            "Hej $name\n\nDu (eller en anden) har bedt om at nulstille adgangskoden til din konto.\n"
            "Brug linket herunder inden for en time:\n\n$link\n\n"
            "Har du ikke bedt om det, kan du se bort fra denne e-mail; din adgangskode er uændret.",
        ),
        "en": (
            "Reset your Makker password",
            "Hello $name\n\nYou (or someone else) asked to reset the password of your account.\n"
            "Use the link below within one hour:\n\n$link\n\n"
            "If you did not ask for it, ignore this e-mail; your password has not changed.",
        ),
    },
    "confirm_email": {
        "da": (
            "Bekræft din e-mail til $organisation",
            "Hej $name\n\nTak fordi du vil være frivillig i $program.\n"
            "Bekræft din e-mailadresse og vælg en adgangskode med linket herunder:\n\n$link\n\n"
            "Linket virker i 7 dage.",
        ),
        "en": (
            "Confirm your e-mail for $organisation",
            "Hello $name\n\nThank you for volunteering in $program.\n"
            "Confirm your e-mail address and choose a password with the link below:\n\n$link\n\n"
            "The link works for 7 days.",
        ),
    },
    "signup_exists": {
        "da": (
            "Nogen har prøvet at tilmelde din e-mail hos $organisation",
            "Hej\n\nNogen, sikkert dig selv, har netop prøvet at tilmelde sig som frivillig i $program med denne "
            "e-mailadresse. Adressen er allerede i brug i Makker, så der er ikke ændret noget.\n\n"
            "Log ind her:\n$sign_in_link\n\n"
            "Har du glemt din adgangskode, kan du få en ny her:\n$reset_link\n\n"
            "Har du aldrig fået en adgangskode (for eksempel fordi en koordinator har skrevet dig ind), så kontakt "
            "foreningen. Var det ikke dig, kan du se bort fra denne e-mail.",
        ),
        "en": (
            "Someone tried to sign up your e-mail at $organisation",
            "Hello\n\nSomeone, probably you, just tried to sign up as a volunteer in $program with this e-mail "
            "address. The address is already in use in Makker, so nothing was changed.\n\n"
            "Sign in here:\n$sign_in_link\n\n"
            "If you have forgotten your password, get a new one here:\n$reset_link\n\n"
            "If you never had a password (for example because a coordinator registered you), contact the "
            "association. If it was not you, ignore this e-mail.",
        ),
    },
    "import_welcome": {
        "da": (
            "Velkommen til Makker hos $organisation",
            "Hej $name\n\n$organisation bruger nu Makker til at finde en makker til dig i $program, "
            "og dine oplysninger er flyttet hertil fra foreningens regneark.\n"
            "Se dine oplysninger, giv dit samtykke og vælg en adgangskode med linket herunder. "
            "Indtil du har gjort det, bliver du ikke foreslået til nogen (linket virker i 30 dage):\n\n$link",
        ),
        "en": (
            "Welcome to Makker at $organisation",
            "Hello $name\n\n$organisation now uses Makker to find a mentee for you in $program, and your "
            "details have been moved here from the association's spreadsheet.\n"
            "Check your details, give your consent and choose a password with the link below. Until you do, "
            "you are not proposed to anyone (the link works for 30 days):\n\n$link",
        ),
    },
    "invite": {
        "da": (
            "Du er inviteret til Makker hos $organisation",
            "Hej $name\n\nDu er blevet oprettet som $role i Makker hos $organisation.\n"
            "Vælg din adgangskode med linket herunder (virker i 7 dage):\n\n$link",
        ),
        "en": (
            "You are invited to Makker at $organisation",
            "Hello $name\n\nYou have been given the role $role in Makker at $organisation.\n"
            "Choose your password with the link below (valid for 7 days):\n\n$link",
        ),
    },
    "screening_update": {
        "da": (
            "Nyt om din godkendelse som frivillig",
            "Hej $name\n\nTrinnet \"$step\" er nu registreret: $status.\n"
            "Du kan følge hele forløbet, når du logger ind:\n\n$link",
        ),
        "en": (
            "News about your volunteer screening",
            "Hello $name\n\nThe step \"$step\" has been recorded: $status.\n"
            "You can follow the whole screening when you sign in:\n\n$link",
        ),
    },
    "volunteer_approved": {
        "da": (
            "Du er godkendt som frivillig",
            "Hej $name\n\nDu er nu godkendt som frivillig i $program og er med i puljen, "
            "når vi finder makkerpar. Vi skriver til dig, så snart vi har et forslag.\n\n$link",
        ),
        "en": (
            "You are approved as a volunteer",
            "Hello $name\n\nYou are now approved as a volunteer in $program and are in the pool "
            "when we make matches. We will write as soon as we have a proposal.\n\n$link",
        ),
    },
    "volunteer_declined": {
        "da": (
            "Om din ansøgning som frivillig",
            "Hej $name\n\nTak for din interesse i at være frivillig i $program. Vi har desværre "
            "ikke mulighed for at gå videre med din ansøgning denne gang.\n\n"
            "Dine oplysninger slettes senest $deletion_date. Har du spørgsmål, er du velkommen "
            "til at kontakte os.",
        ),
        "en": (
            "About your volunteer application",
            "Hello $name\n\nThank you for your interest in volunteering in $program. We are "
            "unfortunately not able to take your application further this time.\n\n"
            "Your data will be deleted by $deletion_date. You are welcome to contact us with "
            "any questions.",
        ),
    },
    "match_proposed": {
        "da": (
            "Vi har fundet en makker til dig",
            "Hej $name\n\nVi foreslår, at du bliver makker med $mentee ($need).\n"
            "Se forslaget og svar ja eller nej senest $reply_by:\n\n$link",
        ),
        "en": (
            "We have found a match for you",
            "Hello $name\n\nWe propose that you become the mentor of $mentee ($need).\n"
            "See the proposal and answer yes or no by $reply_by:\n\n$link",
        ),
    },
    "meeting_reminder": {
        "da": (
            "Hvordan går det med jeres møder?",
            "Hej $name\n\nVi har ikke hørt fra dig om et møde med $mentee i et stykke tid. "
            "Det tager under et minut at skrive et møde ind:\n\n$link\n\n"
            "Brug for en snak? Kontakt din koordinator, $coordinator.",
        ),
        "en": (
            "How are your meetings going?",
            "Hello $name\n\nWe have not heard about a meeting with $mentee for a while. "
            "Logging a meeting takes less than a minute:\n\n$link\n\n"
            "Need to talk? Contact your coordinator, $coordinator.",
        ),
    },
    "volunteer_left": {
        "da": (
            "En frivillig har slettet sin konto",
            "Hej $name\n\n$volunteer har slettet sin konto i Makker. Makkerparret med $mentee er derfor "
            "afsluttet, og anmodningen er tilbage på ventelisten. Tag gerne kontakt til $mentee.\n\n$link",
        ),
        "en": (
            "A volunteer has deleted their account",
            "Hello $name\n\n$volunteer has deleted their Makker account. The match with $mentee is closed "
            "and the request is back on the waiting list. Please get in touch with $mentee.\n\n$link",
        ),
    },
    "event_invitation": {
        "da": (
            "Invitation: $title $when",
            "Hej $name\n\n$organisation inviterer dig til $event_kind: $title\n\nHvornår: $when\nHvor: $place\n$places\n"
            "$description\n\nTilmeld dig (eller meld fra) her:\n$link\n\n"
            "Arrangementet er vedhæftet som en kalenderfil, som du kan åbne i din kalender.",
        ),
        "en": (
            "Invitation: $title $when",
            "Hello $name\n\n$organisation invites you to $event_kind: $title\n\nWhen: $when\nWhere: $place\n$places\n"
            "$description\n\nSign up (or cancel) here:\n$link\n\n"
            "The event is attached as a calendar file that you can open in your calendar.",
        ),
    },
    "event_place_given": {
        "da": (
            "Du har fået en plads: $title $when",
            "Hej $name\n\nEn plads er blevet ledig, og du var den næste på ventelisten. Du er nu tilmeldt "
            "$title $when ($place).\n\nKan du ikke komme alligevel, så meld fra her, så pladsen går videre:\n$link",
        ),
        "en": (
            "You have a place: $title $when",
            "Hello $name\n\nA place became free and you were next on the waiting list. You are now signed up for "
            "$title $when ($place).\n\nIf you cannot come after all, cancel here so the place goes to the next:\n$link",
        ),
    },
    "event_cancelled": {
        "da": (
            "Aflyst: $title $when",
            "Hej $name\n\n$title $when er desværre aflyst.\n\n$reason",
        ),
        "en": (
            "Cancelled: $title $when",
            "Hello $name\n\n$title $when has been cancelled.\n\n$reason",
        ),
    },
    "checkin_due": {
        "da": (
            "Opfølgning forfalden: $count makkerpar",
            "Hej $name\n\n$count opfølgninger er forfaldne eller forfalder i dag:\n\n$items\n\n$link",
        ),
        "en": (
            "Check-ins due: $count matches",
            "Hello $name\n\n$count check-ins are overdue or due today:\n\n$items\n\n$link",
        ),
    },
    # --- safeguarding (issue 15): no names of volunteers or children, only links ---
    "certificate_renewal": {
        "da": (
            "Børneattest skal fornyes: $count frivillige",
            "Hej $name\n\n$count børneattester udløber inden for en måned eller er udløbet. En frivillig med "
            "en udløbet børneattest kommer ikke med i nye forslag, før en ny er registreret.\n\n$items",
        ),
        "en": (
            "Børneattest to renew: $count volunteers",
            "Hello $name\n\n$count child protection certificates (børneattester) run out within a month or have "
            "run out. A volunteer whose certificate has run out is left out of new proposals until a new one is "
            "recorded.\n\n$items",
        ),
    },
    "concern_raised": {
        "da": (
            "En frivillig er bekymret for et barn",
            "Hej $name\n\nEn frivillig har trykket »Jeg er bekymret« i Makker. Se bekymringen og kontakt den "
            "frivillige hurtigst muligt:\n\n$link\n\nAf hensyn til fortroligheden står der ingen navne i denne "
            "e-mail.",
        ),
        "en": (
            "A volunteer is worried about a child",
            "Hello $name\n\nA volunteer has pressed \"I am worried\" in Makker. Read the concern and contact the "
            "volunteer as soon as you can:\n\n$link\n\nFor confidentiality, this e-mail names nobody.",
        ),
    },
    # --- referrals (issue 13): never personal data in these e-mails; the page is behind the sign-in ---
    "referral_received": {
        "da": (
            "Ny henvisning til $program",
            "Hej $name\n\nDer er en ny eller rettet henvisning fra $unit til $program. "
            "Du finder den under Nye henvisninger:\n\n$link",
        ),
        "en": (
            "New referral to $program",
            "Hello $name\n\nThere is a new or corrected referral from $unit to $program. "
            "You find it under New referrals:\n\n$link",
        ),
    },
    "referral_update": {
        "da": (
            "Nyt om en af dine henvisninger",
            "Hej $name\n\nDer er nyt om en henvisning, du har sendt til $organisation. "
            "Log ind for at se det:\n\n$link",
        ),
        "en": (
            "News about one of your referrals",
            "Hello $name\n\nThere is news about a referral you sent to $organisation. "
            "Sign in to see it:\n\n$link",
        ),
    },
    "referral_status_ready": {
        "da": (
            "En ny status er klar til dig",
            "Hej $name\n\n$organisation har skrevet en status om en henvisning, du har sendt. "
            "Log ind for at læse den:\n\n$link",
        ),
        "en": (
            "A new status is ready for you",
            "Hello $name\n\n$organisation has written a status about a referral you sent. "
            "Sign in to read it:\n\n$link",
        ),
    },
    "referral_message": {
        "da": (
            "Ny besked om en henvisning",
            "Hej $name\n\nDer er en ny besked om en henvisning. Log ind for at læse og svare:\n\n$link",
        ),
        "en": (
            "New message about a referral",
            "Hello $name\n\nThere is a new message about a referral. Sign in to read and answer:\n\n$link",
        ),
    },
    "referral_status_due": {
        "da": (
            "Status til henvisere: $count forfalder snart",
            "Hej $name\n\n$count statusser til henvisere forfalder inden for en uge eller er forfaldne:\n\n"
            "$items\n\n$link",
        ),
        "en": (
            "Statuses to referrers: $count due soon",
            "Hello $name\n\n$count statuses to referrers are due within a week or overdue:\n\n$items\n\n$link",
        ),
    },
}


def compose(kind: str, locale: str, **params: object) -> tuple[str, str]:
    """Subject and body of one e-mail in ``locale`` (Danish when unknown)."""
    versions = TEMPLATES[kind]
    locale = locale if locale in versions else "da"
    subject, body = versions[locale]
    values = {k: str(v) for k, v in params.items()}
    values.setdefault("organisation", "Makker")
    text = Template(body + SIGNATURE[locale]).safe_substitute(values)
    return Template(subject).safe_substitute(values), text


def send(
    session: Session,
    kind: str,
    *,
    to: str,
    locale: str = "da",
    organisation_id: int | None = None,
    dedupe_key: str | None = None,
    attachment: tuple[str, str, str] | None = None,
    **params: object,
) -> OutboxMessage | None:
    """Compose and queue one e-mail in the outbox (sent later, or shown in the dev mailbox)."""
    subject, body = compose(kind, locale, **params)
    return queue_email(
        session, to=to, subject=subject, body=body, kind=kind, organisation_id=organisation_id, dedupe_key=dedupe_key,
        attachment=attachment,
    )
