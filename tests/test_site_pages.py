"""The crawl of tests/site_pages.py knows every page: adding a page means choosing its records."""

from __future__ import annotations

from tests.site_pages import SAMPLES, page_endpoints


def test_every_page_is_in_the_crawl(app):
    missing = sorted(page_endpoints(app) - SAMPLES.keys())
    assert not missing, f"give these pages sample arguments in tests/site_pages.py SAMPLES: {missing}"
