"""Sniffing by content (rule R11), as plain vectors: accepted types, hostile files, names."""

from __future__ import annotations

import contextlib
import io

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.evidence import samples
from zhichi.evidence import sniff

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("label", sorted(samples.ACCEPTED))
def test_accepted_files_are_recognised_by_their_content(label):
    data, content_type, extension = samples.ACCEPTED[label]

    found = sniff.sniff_bytes(data)

    assert (found.content_type, found.extension) == (content_type, extension)


@pytest.mark.parametrize(
    ("label", "data", "code"),
    [(label, data, code) for label, _name, data, code in samples.HOSTILE],
    ids=[h[0] for h in samples.HOSTILE],
)
def test_hostile_files_are_refused_with_their_reason(label, data, code):
    with pytest.raises(sniff.Refused) as refused:
        sniff.sniff_bytes(data)

    assert refused.value.code == code


def test_there_are_at_least_thirty_hostile_vectors():
    assert len(samples.HOSTILE) >= 30


def test_a_word_document_with_an_embedded_spreadsheet_is_still_word():
    data = samples.ole2("WordDocument", "1Table", "ObjectPool", "Workbook")

    assert sniff.sniff_bytes(data).extension == "doc"


def test_an_ordinary_hyperlink_is_not_a_remote_template():
    rels = (
        '<Relationships><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/hyperlink" Target="https://www.12333.gov.cn/" '
        'TargetMode="External"/></Relationships>'
    )
    data = samples.docx_with({"word/_rels/document.xml.rels": rels})

    assert sniff.sniff_bytes(data).extension == "docx"


def test_the_total_size_limit_counts_the_real_decompressed_bytes():
    data = samples.docx_with({"word/media/a.bin": bytes(range(256)) * 400})
    limits = sniff.ZipLimits(max_total=50_000)

    with pytest.raises(sniff.Refused) as refused:
        sniff.sniff_bytes(data, limits=limits)

    assert refused.value.code == sniff.BOMB


def test_a_file_with_both_word_and_excel_parts_is_refused():
    data = samples.docx_with({"xl/workbook.xml": samples.WORKBOOK})

    with pytest.raises(sniff.Refused) as refused:
        sniff.sniff_bytes(data)

    assert refused.value.code == sniff.TYPE


def test_markup_across_a_chunk_boundary_in_a_text_file_is_found(monkeypatch):
    monkeypatch.setattr(sniff, "CHUNK", 64)
    data = b"a" * 60 + b"<script>alert(1)</script>"

    with pytest.raises(sniff.Refused) as refused:
        sniff.sniff(io.BytesIO(data))

    assert refused.value.code == sniff.ACTIVE


def test_text_decoding_across_chunks_keeps_multibyte_characters(monkeypatch):
    monkeypatch.setattr(sniff, "CHUNK", 7)

    assert sniff.sniff(io.BytesIO(samples.TEXT_UTF8)).content_type == "text/plain; charset=utf-8"


def test_a_stream_is_read_from_its_start_whatever_its_position():
    stream = io.BytesIO(samples.PDF)
    stream.seek(10)

    assert sniff.sniff(stream).content_type == "application/pdf"


@hsettings(max_examples=1000)
@given(st.binary(max_size=2048))
def test_any_bytes_are_either_accepted_or_refused_with_a_known_code(data):
    codes = {
        sniff.EMPTY,
        sniff.TYPE,
        sniff.EXECUTABLE,
        sniff.ACTIVE,
        sniff.ARCHIVE,
        sniff.BOMB,
        sniff.ENTITIES,
        sniff.MACRO,
        sniff.ENCODING,
        sniff.PDF_ACTION,
        sniff.EMBEDDED,
        sniff.UNREADABLE,
        sniff.TOO_COMPLEX,
    }
    try:
        found = sniff.sniff_bytes(data)
    except sniff.Refused as exc:
        assert exc.code in codes
    else:
        assert found.extension and "/" in found.content_type


@hsettings(max_examples=300)
@given(st.binary(max_size=512))
def test_any_bytes_after_a_known_magic_never_crash_the_sniffer(data):
    for magic in (b"PK\x03\x04", sniff.OLE2_MAGIC, b"%PDF-", b"\xff\xd8\xff", b"RIFF"):
        with contextlib.suppress(sniff.Refused):
            sniff.sniff_bytes(magic + data)


# --- names ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\evil.pdf", "evil.pdf"),
        ("/abs/path/合同.pdf", "合同.pdf"),
        ("C:\\Users\\王\\Desktop\\欠条.jpg", "欠条.jpg"),
        ("..", "attachment"),
        ("", "attachment"),
        ("   ", "attachment"),
        ("...", "attachment"),
        (".bashrc", "bashrc"),
        ("evil\u202etxt.exe", "eviltxt.exe"),  # the right-to-left override is dropped
        ("a\x00b\nc\td.pdf", "abcd.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("..／..／etc／passwd", "_.._etc_passwd"),
        ("工资  表   2026.xlsx", "工资 表 2026.xlsx"),
        ("CON.txt", "_CON.txt"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_clean_name_keeps_only_a_safe_base_name(raw, clean):
    assert sniff.clean_name(raw) == clean


@pytest.mark.parametrize(
    ("original", "extension", "name"),
    [
        ("合同.pdf", "pdf", "合同.pdf"),
        ("照片.JPEG", "jpg", "照片.JPEG"),
        ("合同.pdf", "jpg", "合同.pdf.jpg"),
        ("工资表.csv", "txt", "工资表.csv"),
        ("noextension", "docx", "noextension.docx"),
        ("page.html", "txt", "page.html.txt"),
        ("y" * 200, "pdf", "y" * 196 + ".pdf"),
    ],
)
def test_download_name_ends_in_the_real_type(original, extension, name):
    assert sniff.download_name(original, extension) == name


@hsettings(max_examples=1000)
@given(st.text(max_size=400))
def test_clean_names_never_hold_separators_or_control_characters(raw):
    name = sniff.clean_name(raw)

    assert name
    assert "/" not in name and "\\" not in name
    assert name not in (".", "..")
    assert not name.startswith(".")
    assert len(name) <= sniff.NAME_MAX
    assert all(ord(ch) >= 32 and ord(ch) != 127 for ch in name)
    assert not any(ch in sniff.NAME_FORBIDDEN for ch in name)
    assert sniff.clean_name(name) == name  # cleaning twice changes nothing


@hsettings(max_examples=1000)
@given(st.text(max_size=300), st.sampled_from(["pdf", "jpg", "docx", "txt", "mp3"]))
def test_download_names_are_clean_and_keep_the_real_extension(raw, extension):
    name = sniff.download_name(raw, extension)

    assert sniff.clean_name(name) == name
    assert name.rpartition(".")[2].lower() in sniff.EXTENSION_ALIASES.get(extension, {extension})
