"""Checking uploaded files by their content, shared by the apps that take files from staff (attachments of
contributions from other channels, documents of the plan's repository).

A file's name says what it claims to be; its first bytes (and, for office files, the parts inside the zip)
say what it is. A file whose content does not match its extension is refused: a renamed program or web
page must never reach the repository, where anyone may download it. `safe_name` turns a file name sent
by a browser into one that can be shown and offered again (no folders, no control characters, bounded).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile

BINARY_STARTS = (
    b"%PDF",
    b"PK\x03\x04",
    b"\xff\xd8\xff",
    b"\x89PNG",
    b"GIF8",
    b"MZ",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",
)
# Office Open XML: the part that makes the package what it is, and its content type.
OOXML = {
    ".docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
# What the main part of each package may declare in [Content_Types].xml (any other main type is refused).
OOXML_MAIN_TYPES = (
    b"wordprocessingml.document.main+xml",
    b"wordprocessingml.template.main+xml",
    b"spreadsheetml.sheet.main+xml",
    b"spreadsheetml.template.main+xml",
    b"presentationml.presentation.main+xml",
    b"presentationml.slideshow.main+xml",
    b"presentationml.template.main+xml",
    b"macroEnabled",
)
OOXML_OWN_MAIN_TYPE = {
    ".docx": b"wordprocessingml.document.main+xml",
    ".xlsx": b"spreadsheetml.sheet.main+xml",
    ".pptx": b"presentationml.presentation.main+xml",
}
# OpenDocument: the first entry of the zip, "mimetype", says what it is.
ODF = {
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
}
MARKUP_STARTS = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe", b"<head")
CONTENT_TYPES_LIMIT = 1024 * 1024  # [Content_Types].xml is a few KB; never read a bomb's worth


def looks_like_text(head: bytes) -> bool:
    """Plain text (UTF-8, or Windows' Latin-1 as older spreadsheets save CSV), not a binary format."""
    if b"\x00" in head or head.startswith(BINARY_STARTS):
        return False
    for cut in range(4):  # the sample may end inside a multi-byte character
        try:
            head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    try:
        decoded = head.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in decoded)


def looks_like_markup(head: bytes) -> bool:
    """A web page or SVG (which a browser would run) rather than text or data."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(MARKUP_STARTS) or b"<script" in head.lower()


def _ooxml_matches(extension: str, upload) -> bool:
    """A zip with [Content_Types].xml and the package's main part; a content type declared for the main
    part must be this extension's (a spreadsheet renamed .docx, or a macro-enabled file, is refused)."""
    main_part, _ = OOXML[extension]
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or main_part not in names:
                return False
            with archive.open("[Content_Types].xml") as handle:
                types = handle.read(CONTENT_TYPES_LIMIT)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError):
        return False
    finally:
        upload.seek(0)
    declared = [t for t in OOXML_MAIN_TYPES if t in types]
    return all(t == OOXML_OWN_MAIN_TYPE[extension] for t in declared)


def _odf_matches(extension: str, upload) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            first = archive.infolist()[:1]
            if not first or first[0].filename != "mimetype":
                return False
            with archive.open(first[0]) as handle:
                mimetype = handle.read(200)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError):
        return False
    finally:
        upload.seek(0)
    return mimetype.strip() == ODF[extension].encode()


def content_matches(extension: str, upload) -> bool:
    """The first bytes (and for office files, the parts of the zip) say the file is what its name says."""
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in OOXML:
        return head.startswith(b"PK\x03\x04") and _ooxml_matches(extension, upload)
    if extension in ODF:
        return head.startswith(b"PK\x03\x04") and _odf_matches(extension, upload)
    if extension in (".txt", ".csv"):
        return looks_like_text(head)
    return False


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def safe_name(name: str, *, max_length: int = 200, fallback: str = "documento") -> str:
    """The file name as sent, made safe to show and to offer again: only its last part (no folders, on
    any system), without control or invisible characters, no leading dots, at most `max_length`
    characters with the extension kept."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).strip(" .")
    stem, extension = os.path.splitext(name)
    if len(extension) > 10:  # not an extension worth keeping apart
        stem, extension = name, ""
    if not stem:
        stem = fallback
    return stem[: max(1, max_length - len(extension))].rstrip(" .") + extension


def sha256_of(upload) -> str:
    """The SHA-256 of the whole file, read in chunks (the file is left at its start)."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
