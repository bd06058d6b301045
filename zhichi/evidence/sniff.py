"""What an evidence file is, judged by its bytes and never by its name (rule R11).

Pure Python, no Django: ``sniff`` reads a seekable binary stream and returns the accepted type,
or raises ``Refused`` with a code; the upload service turns the code into a translated message.
``clean_name`` makes a user's file name safe to keep and to send back in a download.

Accepted: PDF, JPEG, PNG, GIF, WebP, TIFF, HEIC, MP3, M4A/MP4, WAV, AMR, DOCX/XLSX (checked
member by member: paths, count, size, compression ratio, DTDs, macros and remote templates),
legacy DOC/XLS (OLE2, without macros or packaged objects) and plain text (UTF-8 or GB18030).
Everything else is refused: web pages, SVG, scripts, programs, archives, and files that look like
one type but carry another's markup (polyglots).
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

# --- refusal codes (the service maps each to a message) ---------------------------------------
EMPTY = "empty"
TYPE = "type"  # not one of the accepted types
EXECUTABLE = "executable"  # a program or a script
ACTIVE = "active_content"  # web markup or script inside the file (HTML, SVG, PDF JavaScript)
ARCHIVE = "archive"  # a damaged or unsafe Word/Excel package
BOMB = "zip_bomb"  # decompresses to far more than it weighs
ENTITIES = "xml_entities"  # a DTD or entity declaration in the document's XML (XXE)
MACRO = "macro"  # macros, ActiveX, packaged objects or a remote template
ENCODING = "encoding"  # text that is neither UTF-8 nor GB18030

HEAD = 4096
CHUNK = 1024 * 1024

# Markup that makes a browser, a viewer or a parser treat bytes as a page or a script. Searched
# (case-insensitively) in the first 4 KB of every file, and in the whole of a text file.
MARKUP = (
    b"<script",
    b"<html",
    b"<svg",
    b"<body",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<!doctype html",
    b"javascript:",
)
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"#!",  # a script with an interpreter line
    b"\x00asm",  # WebAssembly
    b"dex\n",  # Android
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# ISO base media brands (the ftyp box): audio, video (phone recordings), and iPhone photos
MP4_BRANDS = {
    b"M4A ": ("audio/mp4", "m4a"),
    b"M4B ": ("audio/mp4", "m4a"),
    b"isom": ("video/mp4", "mp4"),
    b"iso2": ("video/mp4", "mp4"),
    b"mp41": ("video/mp4", "mp4"),
    b"mp42": ("video/mp4", "mp4"),
    b"avc1": ("video/mp4", "mp4"),
    b"3gp4": ("video/3gpp", "3gp"),
    b"3gp5": ("video/3gpp", "3gp"),
    b"3gp6": ("video/3gpp", "3gp"),
    b"heic": ("image/heic", "heic"),
    b"heix": ("image/heic", "heic"),
    b"mif1": ("image/heic", "heic"),
}

DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")

# other spellings of an extension that name the same type (kept in download names)
EXTENSION_ALIASES = {
    "jpg": {"jpg", "jpeg", "jpe"},
    "tif": {"tif", "tiff"},
    "txt": {"txt", "text", "csv", "log", "md"},
    "m4a": {"m4a", "mp4"},
    "mp4": {"mp4", "m4v"},
}


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


class Refused(ValueError):
    """The file is not accepted; ``code`` says why (one of the codes above)."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        self.detail = detail
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 1000
    max_total: int = 100 * 1024 * 1024  # uncompressed bytes
    max_ratio: int = 100  # uncompressed / compressed


# --- the entry point -----------------------------------------------------------------------------
def sniff(stream: BinaryIO, *, limits: ZipLimits | None = None) -> Sniffed:
    """The accepted type of ``stream`` (read from its start), or ``Refused``."""
    stream.seek(0)
    head = stream.read(HEAD)
    if not head:
        raise Refused(EMPTY)
    found = _binary_type(head)
    if found is None:
        return _text(stream)
    _refuse_markup(head)
    if found == "zip":
        return _office_package(stream, limits or ZipLimits())
    if found == "ole2":
        return _ole2(stream)
    if found[0] == "application/pdf":
        _pdf(stream)
    return Sniffed(*found)


def sniff_bytes(data: bytes, *, limits: ZipLimits | None = None) -> Sniffed:
    return sniff(io.BytesIO(data), limits=limits)


def _binary_type(head: bytes):
    """("content/type", "ext"), "zip" or "ole2" for a known magic, None for no magic (text?)."""
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return ("audio/amr", "amr")
    if head.startswith(EXECUTABLE_MAGIC):
        raise Refused(EXECUTABLE)
    if head.startswith(b"%PDF-"):
        return ("application/pdf", "pdf")
    if head.startswith(b"\xff\xd8\xff"):
        return ("image/jpeg", "jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ("image/png", "png")
    if head.startswith((b"GIF87a", b"GIF89a")):
        return ("image/gif", "gif")
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return ("image/tiff", "tif")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return ("image/webp", "webp")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return ("audio/wav", "wav")
    if head.startswith(b"ID3") or _mp3_frame(head):
        return ("audio/mpeg", "mp3")
    if head[4:8] == b"ftyp" and 8 <= int.from_bytes(head[:4], "big") <= 4096:
        if head[8:12] not in MP4_BRANDS:
            raise Refused(TYPE, "an ISO media brand not accepted (QuickTime, AVIF...)")
        return MP4_BRANDS[head[8:12]]
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused(ENCODING, "UTF-16 or UTF-32 text")
    if b"\x00" in head:
        raise Refused(TYPE, "binary data of an unknown type")
    return None


def _mp3_frame(head: bytes) -> bool:
    """An MPEG audio layer III frame header: 11 sync bits, a real version, bitrate and rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 15) and rate != 0b11


def _refuse_markup(head: bytes) -> None:
    lowered = head.lower()
    if any(m in lowered for m in MARKUP):
        raise Refused(ACTIVE, "markup in a binary file (polyglot)")


# --- PDF -------------------------------------------------------------------------------------------
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?=[\s/<(\[>])")


def _pdf(stream: BinaryIO) -> None:
    """A PDF that runs script or launches programs is refused (a heuristic over the uncompressed
    bytes: scanned and printed PDFs never hold these names)."""
    for _at, chunk in _chunks(stream, overlap=16):
        if PDF_ACTIVE.search(chunk):
            raise Refused(ACTIVE, "PDF with script, launch action or embedded file")


def _chunks(stream: BinaryIO, *, overlap: int):
    """The whole stream as (offset, piece), the pieces overlapping so that a pattern across a
    boundary is still seen."""
    stream.seek(0)
    tail = b""
    position = 0
    while True:
        block = stream.read(CHUNK)
        if not block:
            return
        yield position - len(tail), tail + block
        position += len(block)
        tail = block[-overlap:]


# --- DOCX / XLSX ----------------------------------------------------------------------------------
DRIVE = re.compile(r"^[A-Za-z]:")
XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>", re.I)
REMOTE_TYPES = (b"/attachedTemplate", b"/oleObject", b"/frame", b"/subDocument")


def _office_package(stream: BinaryIO, limits: ZipLimits) -> Sniffed:
    stream.seek(0, 2)
    archive_size = stream.tell()
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            names = _check_members(infos, limits, archive_size)
            found = _office_kind(names)
            budget = min(limits.max_total, limits.max_ratio * archive_size)
            total = 0
            for info in infos:
                total = _read_member(archive, info, total, budget)
    except Refused:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        OSError,
        ValueError,
    ):
        raise Refused(ARCHIVE, "unreadable package") from None
    return Sniffed(*found)


def _check_members(infos, limits: ZipLimits, archive_size: int) -> set[str]:
    if not infos:
        raise Refused(ARCHIVE, "empty package")
    if len(infos) > limits.max_members:
        raise Refused(BOMB, f"{len(infos)} members")
    names: set[str] = set()
    declared = 0
    for info in infos:
        name = info.filename
        if not safe_member_name(name):
            raise Refused(ARCHIVE, "unsafe member name")
        if name in names:
            raise Refused(ARCHIVE, "duplicate member")
        if info.flag_bits & 0x1:
            raise Refused(ARCHIVE, "encrypted member")
        names.add(name)
        lowered = name.lower()
        if lowered.rsplit("/", 1)[-1] in {"vbaproject.bin", "vbadata.xml"} or "activex" in lowered:
            raise Refused(MACRO, name)
        declared += info.file_size
    if declared > limits.max_total or declared > limits.max_ratio * archive_size:
        raise Refused(BOMB, "declared size")
    return names


def safe_member_name(name: str) -> bool:
    """A package member's path stays inside the package: relative, no '..', no odd characters."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or DRIVE.match(name):
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return False
    return all(part not in ("..", ".") for part in name.split("/"))


def _office_kind(names: set[str]) -> tuple[str, str]:
    if "[Content_Types].xml" not in names:
        raise Refused(TYPE, "a ZIP archive, not a Word or Excel document")
    word = any(n.startswith("word/") for n in names)
    excel = any(n.startswith("xl/") for n in names)
    if word == excel:
        raise Refused(TYPE, "neither (or both) Word and Excel parts")
    return DOCX if word else XLSX


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, total: int, budget: int) -> int:
    """Decompress one member, counting real bytes (declared sizes can lie); check its XML."""
    lowered = info.filename.lower()
    is_xml = lowered.endswith((".xml", ".rels"))
    tail = b""
    first = True
    rels = bytearray()
    with archive.open(info) as member:
        while True:
            block = member.read(64 * 1024)
            if not block:
                break
            total += len(block)
            if total > budget:
                raise Refused(BOMB, "decompressed size")
            if not is_xml:
                continue
            if first:
                _check_xml_start(block)
                first = False
            window = (tail + block).lower()
            if b"<!doctype" in window or b"<!entity" in window:
                raise Refused(ENTITIES, info.filename)
            if info.filename == "[Content_Types].xml" and b"macroenabled" in window:
                raise Refused(MACRO, "macro-enabled content type")
            tail = block[-16:]
            if lowered.endswith(".rels") and len(rels) < 1024 * 1024:
                rels += block
    if rels:
        _check_relationships(bytes(rels))
    return total


def _check_xml_start(block: bytes) -> None:
    """XML parts must be UTF-8: another encoding (UTF-16, UTF-7...) could hide a DTD from us."""
    if block.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in block[:4]:
        raise Refused(ARCHIVE, "XML part not in UTF-8")
    declared = XML_ENCODING.search(block[:200]) if block.lstrip().startswith(b"<?xml") else None
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Refused(ARCHIVE, "XML part not in UTF-8")


def _check_relationships(data: bytes) -> None:
    """A remote template or OLE object (TargetMode="External") is fetched when the file opens."""
    for match in RELATIONSHIP.finditer(data):
        element = match.group(0)
        if b'targetmode="external"' in element.lower() and any(
            t.lower() in element.lower() for t in REMOTE_TYPES
        ):
            raise Refused(MACRO, "remote template or object")


# --- DOC / XLS (OLE2) ------------------------------------------------------------------------------
def _ole_name(name: str) -> bytes:
    # a directory entry holds its name in UTF-16LE followed by a NUL character
    return name.encode("utf-16-le") + b"\x00\x00"


OLE_WORD = _ole_name("WordDocument")
OLE_EXCEL = (_ole_name("Workbook"), _ole_name("Book"))
OLE_MACRO = (
    _ole_name("Macros"),
    _ole_name("_VBA_PROJECT"),
    _ole_name("_VBA_PROJECT_CUR"),
    _ole_name("VBA"),
    _ole_name("\x01Ole10Native"),  # a packaged file (often a program) inside the document
)
OLE_ENCRYPTED = (_ole_name("EncryptedPackage"), _ole_name("EncryptionInfo"))


def _ole2(stream: BinaryIO) -> Sniffed:
    """Word or Excel by the first of their main streams' directory entries (an embedded chart or
    document brings the other's entry later in the file)."""
    word = excel = None
    for offset, chunk in _chunks(stream, overlap=64):
        if any(name in chunk for name in OLE_MACRO):
            raise Refused(MACRO, "macros or a packaged object")
        if any(name in chunk for name in OLE_ENCRYPTED):
            raise Refused(ARCHIVE, "password-protected document")
        at = chunk.find(OLE_WORD)
        if word is None and at >= 0:
            word = offset + at
        found = [chunk.find(name) for name in OLE_EXCEL]
        if excel is None and max(found) >= 0:
            excel = offset + min(f for f in found if f >= 0)
    if word is not None and (excel is None or word < excel):
        return Sniffed("application/msword", "doc")
    if excel is not None:
        return Sniffed("application/vnd.ms-excel", "xls")
    raise Refused(TYPE, "an OLE2 file that is not a Word or Excel document")


# --- plain text ------------------------------------------------------------------------------------
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _text(stream: BinaryIO) -> Sniffed:
    """UTF-8 (with or without BOM) or GB18030, no NUL or control characters, no markup."""
    for _at, chunk in _chunks(stream, overlap=16):
        if b"\x00" in chunk:
            raise Refused(TYPE, "NUL byte")
        if any(m in chunk.lower() for m in MARKUP):
            raise Refused(ACTIVE, "markup in a text file")
    for encoding, charset in (("utf-8-sig", "utf-8"), ("gb18030", "gb18030")):
        try:
            start = _decoded_start(stream, encoding)
        except UnicodeDecodeError:
            continue
        if start.startswith("<"):
            raise Refused(ACTIVE, "HTML, SVG or XML markup")
        return Sniffed(f"text/plain; charset={charset}", "txt")
    raise Refused(ENCODING)


def _decoded_start(stream: BinaryIO, encoding: str) -> str:
    """Decode the whole stream (UnicodeDecodeError if it is not ``encoding``); return its first
    non-blank characters. Control characters other than tab, newlines and form feed refuse it."""
    decoder = codecs.getincrementaldecoder(encoding)()
    stream.seek(0)
    start = ""
    while True:
        block = stream.read(CHUNK)
        text = decoder.decode(block, final=not block)
        if CONTROL.search(text):
            raise Refused(TYPE, "control characters")
        if len(start) < 64:
            start = (start + text).lstrip()[:64]
        if not block:
            return start


# --- names ----------------------------------------------------------------------------------------
NAME_MAX = 200
# path separators, their look-alikes (NFKC turns the full-width ones into real separators), and
# characters Windows refuses in a file name
NAME_FORBIDDEN = set('/\\<>:"|?*') | {"\uff0f", "\uff3c", "\u2215", "\u2044", "\u29f8", "\u29f9"}
NAME_DROPPED = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}  # controls, bidi overrides, surrogates...
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.I)
FALLBACK_NAME = "attachment"


def clean_name(raw: object, max_length: int = NAME_MAX) -> str:
    """The file name a user gave, made safe to keep and to send back: the last path component
    only, no separators, control or direction characters, at most ``max_length`` characters."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = []
    for ch in name:
        if unicodedata.category(ch) in NAME_DROPPED:
            continue
        cleaned.append("_" if ch in NAME_FORBIDDEN else ch)
    name = " ".join("".join(cleaned).split())  # any run of white space becomes one space
    name = name.strip(" .")
    if not name:
        return FALLBACK_NAME
    if WINDOWS_RESERVED.match(name):
        name = f"_{name}"
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 16:
            name = stem[: max_length - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:max_length]
        name = name.strip(" .") or FALLBACK_NAME
    return name


def download_name(original: str, extension: str) -> str:
    """The name to save a download as: the cleaned name, whose extension matches the real type
    (a JPEG uploaded as "合同.pdf" downloads as "合同.pdf.jpg")."""
    name = clean_name(original)
    _stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in EXTENSION_ALIASES.get(extension, {extension}):
        return name
    return clean_name(f"{name[: NAME_MAX - len(extension) - 1]}.{extension}")
