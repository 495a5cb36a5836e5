"""The main menu of each role, and which item the current page belongs to (``aria-current``)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user

from web.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    text: object  # a lazy translation
    section: tuple[str, ...] = ()  # other endpoints that are pages "under" this item

    @property
    def url(self) -> str:
        return url_for(self.endpoint)

    def current(self, endpoint: str | None) -> str | None:
        """``"page"`` on the item's own page, ``"true"`` on a page under it, else None."""
        if endpoint == self.endpoint:
            return "page"
        if endpoint in self.section:
            return "true"
        return None


VOLUNTEER_MENU = (
    NavItem("volunteer.home", _l("My page"), ("volunteer.log", "volunteer.ask_to_end", "volunteer.delete_account")),
    NavItem("volunteer.profile", _l("My profile")),
    NavItem("events.mine", _l("Events"), ("events.volunteer_event", "events.calendar_feed")),
)
STAFF_MENU = (
    NavItem("coordinator.home", _l("Overview")),
    NavItem("coordinator.waiting_requests", _l("Requests"),
            ("coordinator.youth", "coordinator.household", "coordinator.new_youth", "coordinator.new_household",
             "coordinator.manual")),
    NavItem("coordinator.waiting_volunteers", _l("Volunteers"), ("coordinator.volunteer", "coordinator.screening")),
    NavItem("coordinator.runs", _l("Matching"), ("coordinator.run", "coordinator.reject")),
    NavItem("coordinator.matches", _l("Matches"),
            ("coordinator.match", "coordinator.introduction", "coordinator.checkin", "coordinator.pause",
             "coordinator.close")),
    NavItem("coordinator.followup", _l("Follow-up")),
    NavItem("events.index", _l("Events"), ("events.new", "events.show", "events.attendance", "events.cancel")),
    NavItem("families.index", _l("Families"),
            ("families.plan", "families.team", "families.meeting", "families.progress", "families.professionals",
             "families.professional", "families.new_professional", "families.competences")),
    # --- referrals (issue 13) ---
    NavItem("coordinator.referrals", _l("Referrals"),
            ("coordinator.referral", "coordinator.accept", "coordinator.ask", "coordinator.decline",
             "coordinator.referral_message", "coordinator.referral_status", "coordinator.referral_stop_status",
             "coordinator.referral_statuses")),
)
ADMIN_MENU = (
    # One item: the dashboard and its figures (referrals, keeping volunteers) open from the
    # administration page.
    NavItem("admin.home", _l("Administration"),
            ("admin.dashboard", "admin.referral_dashboard", "events.retention", "admin.relationships", "admin.program_settings", "admin.invite", "admin.organisation", "admin.audit",
             "admin.people", "admin.erase_person",
             # --- referrals (issue 13) ---
             "admin.referral_units", "admin.new_referral_unit", "admin.referral_unit", "admin.referrers",
             "admin.invite_referrer", "admin.update_referrer", "admin.program_referrals", "admin.erase_referral")),
)
# --- further roles' menus (e.g. the referrer): one block each ---
REFERRER_MENU = (  # issue 13
    NavItem("referrer.home", _l("My referrals"),
            ("referrer.referral", "referrer.edit", "referrer.message", "referrer.status", "referrer.withdraw",
             "referrer.stop_status")),
    NavItem("referrer.start", _l("New referral"), ("referrer.new",)),
)


def menu_for(role: str | None) -> tuple[NavItem, ...]:
    if role == "volunteer":
        return VOLUNTEER_MENU
    if role == "coordinator":
        return STAFF_MENU
    if role == "admin":
        # An admin lands on the administration page, which opens the dashboard: the coordinator's
        # overview is left out of their menu, so the whole menu fits on one line on a wide screen.
        return tuple(item for item in STAFF_MENU if item.endpoint != "coordinator.home") + ADMIN_MENU
    if role == "referrer":
        return REFERRER_MENU
    return ()


def init_app(app: Flask) -> None:
    @app.context_processor
    def _menu() -> dict:
        role = getattr(current_user, "role", None) if getattr(current_user, "is_authenticated", False) else None
        items = menu_for(role)
        return {"menu": [(item, item.current(request.endpoint)) for item in items]}
