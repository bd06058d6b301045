"""How a file of ours goes to one reader: named for saving, never sniffed into another type, and
never kept by a cache on the way (documents, case files, exports, reports hold personal data)."""

from __future__ import annotations

from django.http import HttpResponseBase
from django.utils.http import content_disposition_header


def private_file(response: HttpResponseBase, name: str, *, attachment: bool = True):
    """``response`` (plain or streaming) with the headers every download of ours carries."""
    response["Content-Disposition"] = content_disposition_header(attachment, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
