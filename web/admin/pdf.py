"""The printable report for a period: the dashboard's figures and charts, without personal data."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import matplotlib
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from models.dashboard import Dashboard
from web.admin.report import chart_images, tables
from web.i18n import format_date

# matplotlib ships DejaVu, which has the Danish letters and dashes: no system font is needed.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
CHART_BEFORE = {"volunteer_funnel": "volunteer_funnel", "waiting": "waiting", "status": "status",
                "retention": "survival", "closure_reasons": "closure_reasons"}


def report_pdf(d: Dashboard, organisation: str, scope_name: str, generated: str,
               draw: Callable[..., bytes] | None = None) -> bytes:
    """The report; ``draw`` draws a chart (e.g. through the shared chart cache)."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Makker – {organisation}")
    pdf.set_creator("Makker")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, f"{organisation}: {scope_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(0, 6, _("Period %(start)s to %(end)s · made %(made)s", start=format_date(d.start),
                     end=format_date(d.end), made=generated), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, _("The report holds figures only, no names or other personal data."),
                   new_x="LMARGIN", new_y="NEXT")
    images = chart_images(d, fmt="png", draw=draw)
    for table in tables(d):
        if not table.rows:
            continue
        chart = CHART_BEFORE.get(table.key)
        if pdf.will_page_break(70 if chart else 20):
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
        if chart:
            pdf.image(io.BytesIO(images[chart]), w=120)
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=5, text_align="LEFT") as grid:
            grid.row([str(h) for h in table.header])
            for row in table.rows:
                grid.row([str(cell) for cell in row])
    return bytes(pdf.output())
