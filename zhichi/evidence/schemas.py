"""An attachment's fields as they are given, declared once: the API takes ``kind`` and
``description`` as multipart form fields beside the file, and ``services.upload_attachment``
reads them (from the API or a page) through ``AttachmentIn``. The file itself is judged by the
service (its bytes, its size), with the case's state."""

from __future__ import annotations

from zhichi.common.schemas import ObjectIn, StrippedIn, choice, text
from zhichi.evidence.models import Attachment, Kind

# the multipart form fields of the upload routes: optional to the schema layer there, so that a
# missing kind is reported by the service beside the file's own refusal
KindIn = choice(Kind, required=False)
DescriptionIn = text(Attachment, "description")


class AttachmentIn(ObjectIn, StrippedIn):
    """What is said about an uploaded file."""

    kind: choice(Kind)
    description: DescriptionIn | None = None
