"""An admin changes a program's weights and previews the effect, opens the dashboard and downloads
the CSV and the PDF report; the PDF, turned into PNG pages, carries the charts."""

from __future__ import annotations

import re

import pypdfium2
import pypdfium2.raw as pdfium_c
from playwright.sync_api import expect

from seed.demo import build_demo
from tests.browser.test_sign_in import sign_in
from tests.conftest import PASSWORD


def test_admin_previews_weights_reads_the_dashboard_and_downloads_csv_and_pdf(engine, page, tmp_path):
    build_demo(engine, seed=1, password=PASSWORD)
    sign_in(page, "admin@roskilde.example.org")
    page.get_by_role("navigation").get_by_role("link", name="Administration").click()
    page.get_by_role("link", name=re.compile("Indstillinger for Frivillige mentorer")).click()
    expect(page.get_by_role("heading", name=re.compile("Indstillinger"))).to_be_visible()

    # Everything on distance, nothing on interests: the preview says what would change.
    page.get_by_label("Fælles interesser", exact=True).fill("0")
    page.get_by_label("Afstand", exact=True).fill("10")
    page.get_by_label("Ventetid", exact=True).fill("0")
    page.get_by_role("button", name="Se virkningen på dagens forslag").click()
    preview = page.get_by_role("status").filter(has_text="Forhåndsvisning med disse vægte")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text(re.compile(r"[1-9]\d* af \d+ ventende anmodninger ville få et andet forslag"))
    expect(page.get_by_role("table", name="Forslag, der ville ændre sig")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Administration").click()
    page.get_by_role("main").get_by_role("link", name="Overblik for ledelsen").click()
    expect(page.get_by_role("heading", name=re.compile("Overblik for ledelsen"))).to_be_visible()
    survival = page.get_by_role("img", name=re.compile("Stadig i gang efter"))
    # Not drawn ahead in this test: the image request draws it, slowly on a busy machine.
    expect(survival).to_be_visible(timeout=30_000)
    assert survival.evaluate("img => img.naturalWidth") > 100  # the chart really renders
    expect(page.get_by_role("table", name=re.compile("Stadig i gang efter"))).to_be_visible()

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Hent som CSV").click()
    csv_path = tmp_path / "oversigt.csv"
    csv_download.value.save_as(csv_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"Tilmeldt;" in raw

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Hent rapporten som PDF").click()
    pdf_path = tmp_path / "rapport.pdf"
    pdf_download.value.save_as(pdf_path)
    document = pypdfium2.PdfDocument(str(pdf_path))
    images = 0
    for index in range(len(document)):
        pdf_page = document[index]
        images += sum(1 for _ in pdf_page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]))
        png = tmp_path / f"page-{index}.png"
        pdf_page.render(scale=1).to_pil().save(png)
        assert png.stat().st_size > 10_000  # not a blank page
    assert images == 5  # funnel, waiting, survival, status, closure reasons
