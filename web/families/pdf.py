"""The family's plan on paper, in plain Danish: only what the family may read."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from fpdf import FPDF

from models.families.queries import PlanView
from web.admin.pdf import FONT_DIR
from web.i18n import format_date
from web.labels import label


def plan_pdf(view: PlanView, today: date) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_("The family's plan") + f" – {view.household.family_name}")
    pdf.set_creator("Makker")
    pdf.add_page()

    def heading(text: str, size: int = 13) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)

    def line(text: str) -> None:
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    heading(_("Our plan: %(family)s", family=view.household.family_name), 16)
    line(_("Printed %(date)s", date=format_date(today)))
    heading(_("Our dreams"))
    line(view.plan.dreams if view.plan and view.plan.dreams else _("Not written yet."))
    heading(_("Our goals"))
    if not view.goals:
        line(_("Not written yet."))
    for goal in view.goals:
        who = view.members[goal.member_id].first_name if goal.member_id in view.members else _("The whole family")
        pdf.set_font("DejaVu", "B", 10)
        line(f"{goal.title} ({who}, {label('life_area', goal.life_area)}) – {label('goal_status', goal.status)}")
        pdf.set_font("DejaVu", "", 10)
        for title, text in ((_("What works well?"), goal.works), (_("What needs to happen?"), goal.next_steps)):
            if text:
                line(f"{title} {text}")
    heading(_("What we have agreed"))
    if not view.agreements:
        line(_("Nothing agreed yet."))
    for a in view.agreements:
        due = _(", by %(date)s", date=format_date(a.due_on)) if a.due_on else ""
        line(f"• {a.text} – {view.owner_name(a)}{due} ({label('agreement_status', a.status)})")
    heading(_("Who to call"))
    for m in view.team_members:
        person = view.volunteers.get(m.volunteer_id) if m.volunteer_id else view.professionals.get(m.professional_id)
        primary = f" – {_('your primary contact')}" if m.primary else ""
        phone = f", {person.phone}" if person is not None and person.phone else ""
        line(f"• {view.member_name(m)}{phone}{primary}")
    if not view.team_members:
        line(_("Your coordinator."))
    return bytes(pdf.output())
