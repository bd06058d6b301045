"""The PDF check (issue 12 item 15, rule R11): read with pypdf, every object walked, the cheap
byte scan kept, the work bounded. Plain vectors, no database."""

from __future__ import annotations

import io

import pypdf
import pytest
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from tests.evidence import samples
from zhichi.evidence import sniff

pytestmark = pytest.mark.unit

HOSTILE_PDFS = [
    pytest.param(data, code, id=label) for label, _name, data, code in samples.hostile_pdfs()
]
# the hostile PDFs pypdf can read: the parsed check alone must refuse each of them
PARSED_HOSTILE = [p for p in HOSTILE_PDFS if p.values[1] not in (sniff.UNREADABLE,)]


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(sniff.Refused) as refused:
        sniff.sniff_bytes(data, **kwargs)
    return refused.value.code


def parsed_refusal(data: bytes, limits: sniff.PdfLimits | None = None) -> str:
    with pytest.raises(sniff.Refused) as refused:
        sniff._pdf_parse(io.BytesIO(data), limits or sniff.PdfLimits())
    return refused.value.code


def written_by_pypdf(action: dict | None = None) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    if action is not None:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {NameObject(k): v for k, v in action.items()}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the reproductions of item 15 --------------------------------------------------------------
@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (b" /OpenAction << /S/J#61vaScript /JS (app.alert(1)) >>", sniff.ACTIVE),
        (b" /OpenAction << /S/L#61unch /F (calc.exe) >>", sniff.PDF_ACTION),
        (b" /OpenAction << /S /J#61v#61Script /J#53 (app.alert(1)) >>", sniff.ACTIVE),
    ],
    ids=["/S/J#61vaScript", "/L#61unch", "every name escaped"],
)
def test_hex_escaped_names_are_decoded_and_refused(entry, code):
    data = samples.pdf_file(samples.pdf_objects(catalog=entry))

    assert refusal(data) == code
    assert parsed_refusal(data) == code  # the parsed check finds it on its own too


def test_javascript_in_a_compressed_object_stream_is_refused():
    data = samples.hostile_pdfs()[2][2]
    assert b"JavaScript" not in data  # invisible to a scan of the bytes: it is compressed

    assert refusal(data) == sniff.ACTIVE


def test_the_parsed_check_finds_packed_javascript_without_the_unpacked_name_scan(monkeypatch):
    """Every object is visited through pypdf, not only the names in unpacked bytes."""
    monkeypatch.setattr(sniff, "_pdf_names", lambda data: None)

    assert parsed_refusal(samples.hostile_pdfs()[2][2]) == sniff.ACTIVE


@pytest.mark.parametrize(("data", "code"), PARSED_HOSTILE)
def test_the_parsed_check_alone_refuses_every_hostile_pdf(data, code):
    assert parsed_refusal(data) == code


@pytest.mark.parametrize(("data", "code"), HOSTILE_PDFS)
def test_every_hostile_pdf_is_refused_with_its_code(data, code):
    assert refusal(data) == code


def test_javascript_written_by_pypdf_is_refused():
    data = written_by_pypdf(
        {"/S": NameObject("/JavaScript"), "/JS": TextStringObject("app.alert(1)")}
    )

    assert refusal(data) == sniff.ACTIVE


# --- ordinary PDFs are accepted ----------------------------------------------------------------
ORDINARY = {
    "one page": samples.PDF,
    "written by pypdf": written_by_pypdf(),
    "PDF 1.5 with object and xref streams": samples.pdf_compressed(
        {n: samples.pdf_objects()[n] for n in (1, 4)},
        {n: samples.pdf_objects()[n] for n in (2, 3, 5)},
    ),
    "incremental update": samples.pdf_update(
        samples.PDF, {1: b"<< /Type /Catalog /Pages 2 0 R /Lang (zh-CN) >>"}
    ),
    "open at page one, a web link": samples.pdf_file(
        samples.pdf_objects(
            catalog=b" /OpenAction [3 0 R /Fit]",
            page=b" /Annots [6 0 R]",
            extra={
                6: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 20]"
                b" /A << /S /URI /URI (https://www.12333.gov.cn/) >> >>"
            },
        )
    ),
    "a font a producer named /EF": samples.pdf_file(
        samples.pdf_objects(page=b" /Resources << /Font << /EF 5 0 R >> >>")
    ),
    "script-like bytes inside image data": samples.pdf_file(
        samples.pdf_objects(
            extra={6: samples.pdf_stream(b"\x00/JavaScript /Launch \xff" * 40, b" /Subtype /Image")}
        )
    ),
    "scan-sized": samples.pdf_padded(2 * 1024 * 1024),
}


@pytest.mark.parametrize("data", list(ORDINARY.values()), ids=list(ORDINARY))
def test_ordinary_pdfs_are_accepted(data):
    assert sniff.sniff_bytes(data) == sniff.Sniffed("application/pdf", "pdf")


# --- the byte scan -----------------------------------------------------------------------------
def test_the_byte_scan_finds_a_name_split_across_chunks(monkeypatch):
    data = samples.pdf_file(samples.pdf_objects(catalog=b" /OpenAction << /S /L#61unch /F (x) >>"))
    at = data.index(b"/L#61unch")
    for chunk in (at + 3, at + 5, 64, 7):
        monkeypatch.setattr(sniff, "CHUNK", chunk)
        with pytest.raises(sniff.Refused) as refused:
            sniff._pdf_scan(io.BytesIO(data))
        assert refused.value.code == sniff.PDF_ACTION


def test_the_byte_scan_skips_stream_data_but_not_what_follows(monkeypatch):
    monkeypatch.setattr(sniff, "CHUNK", 16)
    image = samples.pdf_stream(b"/JavaScript " * 10, b" /Subtype /Image")
    data = samples.pdf_file(
        samples.pdf_objects(extra={6: image, 7: b"<< /S /Launch /F (calc.exe) >>"})
    )

    with pytest.raises(sniff.Refused) as refused:
        sniff._pdf_scan(io.BytesIO(data))

    assert refused.value.code == sniff.PDF_ACTION  # /Launch after the stream, not /JavaScript


# --- bounded work ------------------------------------------------------------------------------
def test_too_many_objects_is_refused_as_too_complex():
    assert parsed_refusal(samples.PDF, sniff.PdfLimits(max_objects=3)) == sniff.TOO_COMPLEX


def test_too_many_values_is_refused_as_too_complex():
    assert parsed_refusal(samples.PDF, sniff.PdfLimits(max_nodes=5)) == sniff.TOO_COMPLEX


def test_object_streams_unpacking_to_too_much_in_total_are_refused():
    data = samples.pdf_compressed(
        {n: samples.pdf_objects()[n] for n in (1, 4)},
        {n: samples.pdf_objects()[n] for n in (2, 3, 5)},
    )

    assert parsed_refusal(data, sniff.PdfLimits(max_total_output=50)) == sniff.TOO_COMPLEX


def test_one_stream_unpacking_past_its_cap_is_refused():
    data = samples.pdf_compressed(
        {n: samples.pdf_objects()[n] for n in (1, 2, 3, 4, 5)},
        {6: b"<< >>"},
        stream_data=b"6 0 " + b" " * 100_000 + b"<< >>",
    )

    assert parsed_refusal(data, sniff.PdfLimits(max_stream_output=10_000)) == sniff.TOO_COMPLEX


def test_a_pdf_that_takes_too_long_is_refused(monkeypatch):
    clock = iter(range(0, 10_000, 100))  # every look at the clock is 100 s later
    monkeypatch.setattr(sniff.time, "monotonic", lambda: next(clock))

    assert parsed_refusal(samples.pdf_padded(1024)) == sniff.TOO_COMPLEX


def test_the_bomb_is_refused_without_unpacking_it(monkeypatch):
    """The 48 MB object stream is stopped at the 32 MB cap by pypdf's bounded decompression."""
    data = samples.hostile_pdfs()[-1][2]
    assert len(data) < 300_000

    assert parsed_refusal(data) == sniff.TOO_COMPLEX


def test_a_pdf_with_an_empty_user_password_is_read_and_checked():
    """Encrypted only to set permissions (no password to open it): read, checked, accepted."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(samples.PDF))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)

    assert sniff.sniff_bytes(out.getvalue()).extension == "pdf"
