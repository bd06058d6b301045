"""What an evidence file is, judged by its bytes and never by its name (rule R11).

Pure Python, no Django: ``sniff`` reads a seekable binary stream and returns the accepted type,
or raises ``Refused`` with a code; the upload service turns the code into a translated message.
``clean_name`` makes a user's file name safe to keep and to send back in a download.

Accepted: PDF (read with pypdf within bounded work: no script, launch, embedded file, form
submission or rich media anywhere in it), JPEG, PNG, GIF, WebP, TIFF, HEIC, MP3, M4A/MP4, WAV,
AMR, DOCX/XLSX (checked member by member: paths, count, size, compression ratio, DTDs, macros and
remote templates),
legacy DOC/XLS (OLE2, without macros or packaged objects) and plain text (UTF-8 or GB18030).
Everything else is refused: web pages, SVG, scripts, programs, archives, and files that look like
one type but carry another's markup (polyglots).
"""

from __future__ import annotations

import codecs
import io
import re
import time
import unicodedata
import warnings
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
PDF_ACTION = "pdf_action"  # a PDF that starts a program, imports or sends data
EMBEDDED = "embedded_file"  # a PDF carrying other files
UNREADABLE = "unreadable"  # a PDF that cannot be read (damaged, or locked with a password)
TOO_COMPLEX = "too_complex"  # a PDF over the limits of the check (objects, unpacked size, time)

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
def sniff(
    stream: BinaryIO, *, limits: ZipLimits | None = None, pdf_limits: PdfLimits | None = None
) -> Sniffed:
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
        _pdf(stream, pdf_limits or PdfLimits())
    return Sniffed(*found)


def sniff_bytes(
    data: bytes, *, limits: ZipLimits | None = None, pdf_limits: PdfLimits | None = None
) -> Sniffed:
    return sniff(io.BytesIO(data), limits=limits, pdf_limits=pdf_limits)


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
# What makes a PDF do more than show pages: run script, start a program, carry other files, send
# form data, or play embedded media. Refused wherever it is, with the code of its kind.
PDF_SCRIPT_KEYS = frozenset(
    {"/JS", "/JavaScript", "/XFA", "/RichMediaContent", "/RichMediaSettings", "/3DD"}
)
PDF_EMBEDDED_KEYS = frozenset({"/EmbeddedFiles"})
PDF_ACTIONS = {  # the /S of an action dictionary
    "/JavaScript": ACTIVE,
    "/RichMediaExecute": ACTIVE,
    "/Launch": PDF_ACTION,
    "/SubmitForm": PDF_ACTION,
    "/ImportData": PDF_ACTION,
    "/GoToE": EMBEDDED,
}
PDF_TYPES = {  # a /Type or /Subtype
    "/EmbeddedFile": EMBEDDED,
    "/FileAttachment": EMBEDDED,
    "/RichMedia": ACTIVE,
    "/3D": ACTIVE,
}
PDF_URI_SCHEMES = ("javascript:", "vbscript:", "data:")
# The byte-level check: these names anywhere outside stream data (hex escapes like /J#61vaScript
# decoded). Short names that a producer may also give a font or an image (/EF, /3D) are left to
# the parsed check, which looks at what they point to.
PDF_NAMES = {
    "JavaScript": ACTIVE,
    "JS": ACTIVE,
    "XFA": ACTIVE,
    "RichMedia": ACTIVE,
    "RichMediaContent": ACTIVE,
    "RichMediaSettings": ACTIVE,
    "RichMediaExecute": ACTIVE,
    "Launch": PDF_ACTION,
    "SubmitForm": PDF_ACTION,
    "ImportData": PDF_ACTION,
    "EmbeddedFile": EMBEDDED,
    "EmbeddedFiles": EMBEDDED,
    "FileAttachment": EMBEDDED,
    "GoToE": EMBEDDED,
}
_PDF_DELIMITERS = rb"\x00\t\n\x0c\r ()<>\[\]{}/%"
PDF_NAME = re.compile(
    rb"/((?:"
    + b"|".join(re.escape(n.encode()) for n in sorted(PDF_NAMES, key=len, reverse=True))
    + rb")|[^"
    + _PDF_DELIMITERS
    + rb"]*#[^"
    + _PDF_DELIMITERS
    + rb"]*)(?=["
    + _PDF_DELIMITERS
    + rb"]|\Z)"
)
PDF_LAST_DELIMITER = re.compile(rb"[" + _PDF_DELIMITERS + rb"][^" + _PDF_DELIMITERS + rb"]*\Z")
PDF_STREAM_START = re.compile(rb"(?<![A-Za-z0-9#/])stream(?:\r\n|\n|\r)")  # not /stream
PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_KEEP = 256  # bytes kept between chunks: longer than any name we look for, hex-escaped


@dataclass(frozen=True)
class PdfLimits:
    """How much work one uploaded PDF may cost before it is refused as too complex."""

    max_objects: int = 100_000  # indirect objects in the file
    max_nodes: int = 5_000_000  # values visited (dictionary entries, array items)
    max_stream_output: int = 32 * 1024 * 1024  # one decompressed object or xref stream
    max_total_output: int = 96 * 1024 * 1024  # every object stream together
    max_recovery_input: int = 256 * 1024  # a damaged stream pypdf retries byte by byte
    max_seconds: float = 20.0  # pypdf reads some 10,000 objects a second on a loaded machine


def _pdf(stream: BinaryIO, limits: PdfLimits) -> None:
    """A PDF is accepted only when pypdf can read it and nothing in it runs, launches, embeds or
    sends anything: first the cheap scan of the bytes, then every object pypdf can reach."""
    _pdf_scan(stream)
    _pdf_parse(stream, limits)


def _pdf_name_code(raw: bytes) -> str | None:
    name = PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw) if b"#" in raw else raw
    return PDF_NAMES.get(name.decode("latin-1"))


def _pdf_scan(stream: BinaryIO) -> None:
    """The names outside stream data (compressed images and page contents are skipped: their
    random bytes would match now and then). Object streams are scanned once pypdf unpacks them."""
    stream.seek(0)
    buf = b""
    in_stream = False
    while True:
        block = stream.read(CHUNK)
        last = not block
        buf += block
        pos = 0
        while True:
            if in_stream:
                end = buf.find(b"endstream", pos)
                if end < 0:
                    pos = max(pos, len(buf) - 9)  # a split "endstream" is found next time
                    break
                pos, in_stream = end + 9, False
                continue
            start = PDF_STREAM_START.search(buf, pos)
            if start is not None:
                _pdf_names(buf[pos : start.start()])
                pos, in_stream = start.end(), True
                continue
            if last:
                _pdf_names(buf[pos:])
                pos = len(buf)
                break
            # stop at the last delimiter: no name (nor the stream keyword) is cut in two
            safe = max(pos, len(buf) - PDF_KEEP)
            found = PDF_LAST_DELIMITER.search(buf, safe)
            cut = found.start() if found is not None else safe
            _pdf_names(buf[pos:cut])
            pos = cut
            break
        buf = buf[pos:]
        if last:
            return


def _pdf_names(data: bytes) -> None:
    for match in PDF_NAME.finditer(data):
        code = _pdf_name_code(match.group(1))
        if code is not None:
            raise Refused(code, f"PDF name /{match.group(1).decode('latin-1')}")


def _pdf_parse(stream: BinaryIO, limits: PdfLimits) -> None:
    """Read the PDF with pypdf (names decoded, object streams unpacked, incremental updates
    followed) and look at every object it can reach. Unreadable → refused; over the limits →
    refused as too complex."""
    # imported here: only PDFs pay for loading pypdf
    import pypdf
    from pypdf.errors import LimitReachedError

    caps = {
        f"{f}_maximum_output_length": limits.max_stream_output
        for f in ("zlib", "lzw", "run_length", "brotli", "jbig2")
    }
    caps["array_based_stream_maximum_output_length"] = limits.max_stream_output
    caps["zlib_maximum_recovery_input_length"] = limits.max_recovery_input
    deadline = time.monotonic() + limits.max_seconds
    stream.seek(0)
    try:
        with pypdf.apply_configuration(**caps), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(
                stream,
                strict=False,
                root_object_recovery_limit=limits.max_objects,
                xref_stream_maximum_entries=limits.max_objects,
            )
            if reader.is_encrypted and not reader.decrypt(""):
                raise Refused(UNREADABLE, "password-protected PDF")
            _PdfWalk(reader, limits, deadline).run()
    except Refused:
        raise
    except (LimitReachedError, MemoryError, RecursionError) as exc:
        raise Refused(TOO_COMPLEX, type(exc).__name__) from None
    except Exception as exc:  # anything pypdf trips over in a hostile file: not readable
        raise Refused(UNREADABLE, type(exc).__name__) from None


class _PdfWalk:
    """Every object pypdf can reach: the trailer, every object in every cross-reference section
    (those no page points to included), and whatever they refer to."""

    def __init__(self, reader, limits: PdfLimits, deadline: float):
        from pypdf import generic

        self.g = generic
        self.reader = reader
        self.limits = limits
        self.deadline = deadline
        self.seen: set[tuple[int, int]] = set()
        self.unpacked: set[int] = set()
        self.nodes = 0
        self.output = 0

    def run(self) -> None:
        reader, g = self.reader, self.g
        entries = sorted(
            {(num, gen) for gen, nums in reader.xref.items() for num in nums}
            | {(num, 0) for num in reader.xref_objStm}
        )
        if len(entries) > self.limits.max_objects:
            raise Refused(TOO_COMPLEX, f"{len(entries)} objects")
        # unpack the object streams first, within the budget, before anything resolves into them
        for number in sorted({stm for stm, _i in reader.xref_objStm.values()}):
            self._object_stream(g.IndirectObject(number, 0, reader).get_object(), number)
        if not isinstance(reader.trailer.get("/Root", None), g.IndirectObject | g.DictionaryObject):
            raise Refused(UNREADABLE, "no document catalogue")
        self._visit(reader.trailer)
        for number, generation in entries:
            self._visit(g.IndirectObject(number, generation, reader))
        if not isinstance(reader.root_object, g.DictionaryObject):
            raise Refused(UNREADABLE, "no document catalogue")
        len(reader.pages)  # the page tree must be readable too (pypdf bounds its size and depth)

    def _tick(self) -> None:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise Refused(TOO_COMPLEX, "too many values")
        if self.nodes % 256 == 0:
            self._in_time()

    def _in_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise Refused(TOO_COMPLEX, "took too long")

    def _object_stream(self, stream, number: int) -> None:
        if number in self.unpacked:
            return
        self.unpacked.add(number)
        if not isinstance(stream, self.g.StreamObject):
            raise Refused(UNREADABLE, "object stream is not a stream")
        data = stream.get_data()
        self.output += len(data)
        if self.output > self.limits.max_total_output:
            raise Refused(TOO_COMPLEX, "object streams unpack to too much data")
        self._in_time()
        _pdf_names(data)  # objects packed there are seen even if no cross-reference lists them

    def _visit(self, start) -> None:
        g = self.g
        todo = [start]
        while todo:
            obj = todo.pop()
            self._tick()
            if isinstance(obj, g.IndirectObject):
                key = (obj.idnum, obj.generation)
                if key in self.seen:
                    continue
                self.seen.add(key)
                if len(self.seen) > self.limits.max_objects:
                    raise Refused(TOO_COMPLEX, "too many objects")
                number = obj.idnum
                self._in_time()  # reading an object is where a hostile file makes pypdf work
                obj = obj.get_object()
                if isinstance(obj, g.StreamObject) and obj.get("/Type") == "/ObjStm":
                    self._object_stream(obj, number)
            if isinstance(obj, g.DictionaryObject):
                self._check(obj)
                todo.extend(dict.values(obj))  # unresolved: references are followed above
            elif isinstance(obj, g.ArrayObject):
                todo.extend(obj)

    def _check(self, d) -> None:
        g = self.g
        for key, value in dict.items(d):
            if key in PDF_SCRIPT_KEYS:
                raise Refused(ACTIVE, f"PDF {key}")
            if key in PDF_EMBEDDED_KEYS:
                raise Refused(EMBEDDED, f"PDF {key}")
            if key in ("/S", "/Type", "/Subtype", "/EF", "/URI"):
                value = value.get_object() if isinstance(value, g.IndirectObject) else value
            named = isinstance(value, g.NameObject)
            if key == "/S" and named and value in PDF_ACTIONS:
                raise Refused(PDF_ACTIONS[value], f"PDF action {value}")
            if key in ("/Type", "/Subtype") and named and value in PDF_TYPES:
                raise Refused(PDF_TYPES[value], f"PDF {key} {value}")
            if key == "/EF" and _embedded_file_map(g, value):
                raise Refused(EMBEDDED, "PDF file specification with an embedded file")
            if key == "/URI" and _script_uri(value):
                raise Refused(ACTIVE, "PDF link to a script")


def _embedded_file_map(g, value) -> bool:
    """A file specification's /EF maps names to embedded file streams; a font or an image that a
    producer happened to call /EF has a /Type or /Subtype of its own."""
    return isinstance(value, g.DictionaryObject) and not (
        isinstance(value, g.StreamObject) or "/Type" in value or "/Subtype" in value
    )


def _script_uri(value) -> bool:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return False
    text = "".join(ch for ch in value if ch > " ").lower()
    return text.startswith(PDF_URI_SCHEMES)


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
