"""Uploaded files: which are taken, judged by their content, stored under names of our own, and how they
are handed back.

One rule for every edge (API, admin, forms, services): a file is what its first bytes say, never what its
name or the client's content type claims. Zip containers are opened to see what is inside: an OOXML
document has ``[Content_Types].xml`` and a ``word/`` or ``xl/`` part, an ODF one a ``mimetype`` entry.
Plain text has no signature, so text is taken as CSV only when its name says ``.csv`` (and it does not
open like markup): an HTML page renamed ``.pdf`` or ``.csv`` is refused. Old Office files (.doc, .xls)
are refused with a word on what to save them as.

A file is stored as ``<uuid4>.<extension of the detected type>`` in the dated folder of its field; the
name it came with is kept apart (``original_name``) for display and for the download's file name.
"""

import codecs
import re
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import FileResponse
from django.utils.deconstruct import deconstructible
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from voorsprong.services import WorkflowRefusal
from voorsprong.validators import CONTROL_CHARACTERS

EMPTY_FILE = "empty_file"
FILE_TOO_LARGE = "file_too_large"
UNSUPPORTED_FILE_TYPE = "unsupported_file_type"
# The longest original name kept; longer ones keep their extension and lose the end of their stem.
ORIGINAL_NAME_MAX_LENGTH = 255
# How much of a file is read at a time when checking that it is text.
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    label: str
    # Other extensions people give files of this type (a download keeps an original name ending in one).
    aliases: tuple[str, ...] = ()

    @property
    def extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.aliases)


PDF = FileType("pdf", "application/pdf", "PDF")
PNG = FileType("png", "image/png", "PNG")
JPEG = FileType("jpg", "image/jpeg", "JPEG", ("jpeg",))
WEBP = FileType("webp", "image/webp", "WebP")
TIFF = FileType("tif", "image/tiff", "TIFF", ("tiff",))
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", "ODT")
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", "ODS")
CSV = FileType("csv", "text/csv", "CSV")

# Evidence with a declaration: documents, scans and spreadsheets.
ATTACHMENT_TYPES = (PDF, PNG, JPEG, WEBP, TIFF, DOCX, ODT, XLSX, ODS, CSV)
# A signed declaration or a company's accounts: a PDF or a scan.
SCAN_TYPES = (PDF, PNG, JPEG, WEBP, TIFF)
# What the importers read (participants.spreadsheets).
SPREADSHEET_TYPES = (XLSX, CSV)

_BY_EXTENSION = {extension: kind for kind in ATTACHMENT_TYPES for extension in kind.extensions}
_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
_ZIP = b"PK\x03\x04"
# The compound file of Office 97-2003 (.doc, .xls, .ppt).
_OLD_OFFICE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF_TYPES = {kind.content_type.encode(): kind for kind in (ODT, ODS)}
_OOXML_PARTS = (("word/", DOCX), ("xl/", XLSX))
# Line breaks and tabs too: a name is one line.
_UNPRINTABLE = re.compile(f"[\t\n\r{CONTROL_CHARACTERS}]")


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def megabytes(size: int) -> str:
    """Return ``size`` in whole MB as people count them (1 MB = 1,048,576 bytes), rounded up."""
    return str(-(-size // (1024 * 1024)))


def detect_type(file, name: str = "") -> FileType | None:
    """Return the type the content of ``file`` shows, or None; ``name`` counts only for text (CSV)."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(_ZIP):
        return _zipped_type(file)
    if name.lower().endswith(".csv") and not _opens_like_markup(file) and _is_text(file):
        return CSV
    return None


def _opens_like_markup(file) -> bool:
    """Return whether the text opens with a tag (an HTML or SVG page), after any byte-order mark and
    white space."""
    start = file.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n")
    file.seek(0)
    return start.startswith(b"<")


def _zipped_type(file) -> FileType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return _ODF_TYPES.get(archive.read("mimetype")[:100].strip())
            if "[Content_Types].xml" in names:
                return next(
                    (kind for prefix, kind in _OOXML_PARTS if any(n.startswith(prefix) for n in names)), None
                )
            return None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError):
        return None
    finally:
        file.seek(0)


def _is_text(file) -> bool:
    """Return whether the whole of ``file`` reads as text as the importers read it: UTF-8 (with or without
    a byte-order mark) or else Windows-1252 (Excel's plain CSV in Belgium), and no NUL byte."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        file.seek(0)
        try:
            while chunk := file.read(_CHUNK):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return True
        except UnicodeDecodeError:
            continue
        finally:
            file.seek(0)
    return False


def _type_list(types) -> str:
    labels = [kind.label for kind in types]
    return _("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def checked_type(file, types) -> FileType:
    """Return the type of an uploaded ``file``; refuse (ValidationError) an empty one, one over
    ATTACHMENT_MAX_BYTES, and one whose content is not of ``types``."""
    if not file.size:
        raise ValidationError(_("The file is empty."), code=EMPTY_FILE)
    if file.size > max_bytes():
        raise ValidationError(
            _("The file has %(size)s MB; at most %(max)s MB is allowed."),
            code=FILE_TOO_LARGE,
            params={"size": megabytes(file.size), "max": megabytes(max_bytes())},
        )
    kind = detect_type(file, file.name or "")
    if kind in types:
        return kind
    file.seek(0)
    if file.read(len(_OLD_OFFICE)) == _OLD_OFFICE:
        file.seek(0)
        raise ValidationError(
            _("This is an old Office file (.doc, .xls); save it as %(types)s and try again."),
            code=UNSUPPORTED_FILE_TYPE,
            params={"types": _type_list(types)},
        )
    file.seek(0)
    raise ValidationError(
        _("The file's content is not one of the types taken: %(types)s."),
        code=UNSUPPORTED_FILE_TYPE,
        params={"types": _type_list(types)},
    )


@deconstructible
class UploadValidator:
    """Refuse an uploaded file that is empty (``empty_file``), over ATTACHMENT_MAX_BYTES
    (``file_too_large``) or whose content is not of ``types`` (``unsupported_file_type``), in the manner
    of Django's FileExtensionValidator: for model fields, form fields and serializer fields alike."""

    def __init__(self, extensions: tuple[str, ...]):
        # By their extensions, which a migration can write down.
        self.extensions = tuple(extensions)
        self.types = tuple(_BY_EXTENSION[extension] for extension in self.extensions)

    def __call__(self, file) -> None:
        if file:
            checked_type(file, self.types)

    def describe(self) -> str:
        """Return what the validator takes, for help texts and the API's contract (translated and sized
        when shown, not when the help text is defined)."""
        return _described(self.types)

    def __eq__(self, other) -> bool:
        return isinstance(other, UploadValidator) and other.extensions == self.extensions


validate_attachment = UploadValidator(tuple(kind.extension for kind in ATTACHMENT_TYPES))
validate_scan = UploadValidator(tuple(kind.extension for kind in SCAN_TYPES))
validate_spreadsheet = UploadValidator(tuple(kind.extension for kind in SPREADSHEET_TYPES))


class BoundedUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for uploads over FILE_UPLOAD_MAX_MEMORY_SIZE (a temporary file), keeping no more
    than one byte over ATTACHMENT_MAX_BYTES of a file: the rest is counted, not written, so the file's
    size still shows and the size check refuses it without the disk taking all of it."""

    def receive_data_chunk(self, raw_data, start):
        room = max_bytes() + 1 - start
        if room > 0:
            self.file.write(raw_data[:room])


def accepted_type(file, types, field: str) -> FileType:
    """Return the type of an uploaded ``file`` as a service checks it: what ``checked_type`` refuses is a
    WorkflowRefusal of ``field`` with the same message and code."""
    try:
        return checked_type(file, types)
    except ValidationError as error:
        raise WorkflowRefusal(error.messages[0], error.code, field) from error


def _describe(types) -> str:
    return _("At most %(max)s MB, as %(types)s (judged by the content, not the name).") % {
        "max": megabytes(max_bytes()),
        "types": _type_list(types),
    }


_described = lazy(_describe, str)


def stored_name(kind: FileType) -> str:
    """Return the name a file of ``kind`` is stored under (in its field's dated folder)."""
    return f"{uuid.uuid4().hex}.{kind.extension}"


def original_name(name: str) -> str:
    """Return the name a file came with as it is kept: its last path part, without control or
    direction-override characters, at most ORIGINAL_NAME_MAX_LENGTH characters (the extension kept)."""
    name = _UNPRINTABLE.sub("", re.split(r"[\\/]", name or "")[-1]).strip()
    if len(name) <= ORIGINAL_NAME_MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:ORIGINAL_NAME_MAX_LENGTH]
    return stem[: ORIGINAL_NAME_MAX_LENGTH - len(extension) - 1] + "." + extension


def stored_type(stored: str) -> FileType | None:
    """Return the type a stored file was found to have, by the extension it was stored under."""
    return _BY_EXTENSION.get(stored.rpartition(".")[2].lower())


def download(field_file, name: str) -> FileResponse:
    """Return the stored file as a download: its detected content type, never sniffed, never shown in the
    browser, under its original ``name`` (which ends in the detected type's extension, so the file opens
    as what it is on the user's computer too)."""
    kind = stored_type(field_file.name)
    filename = original_name(name) or str(_("attachment"))
    if kind and filename.rpartition(".")[2].lower() not in kind.extensions:
        filename = f"{filename}.{kind.extension}"
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
