"""The one page that takes large files: the import upload may send up to the import's limit,
every other request keeps the app's MAX_CONTENT_LENGTH. Set when the request is made, so the
CSRF check (which reads the form before any view) already sees the larger limit."""

from __future__ import annotations

from typing import Any

from flask import Request

from models.imports.reading import MAX_BYTES

UPLOAD_PATH = "/import"
# Room for the file and the form around it; more is answered by the page with a message.
REQUEST_LIMIT = MAX_BYTES + 256 * 1024


class UploadAwareRequest(Request):
    def __init__(self, environ: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(environ, *args, **kwargs)
        if (environ.get("PATH_INFO") or "").rstrip("/") == UPLOAD_PATH:
            self._max_content_length = REQUEST_LIMIT
