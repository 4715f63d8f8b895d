"""Files written by the portal itself (the plan's PDFs, the self-assessment's), through Django's storage
API like every upload: the local disk (MEDIA_ROOT) or, with COCREA_STORAGE=s3, a bucket of an
S3-compatible object store that every web and worker host shares (paga/settings.py). No path is ever
built here: the same code runs on both.

A rendered document is stored under a name made of its SHA-256, so a rerun or a redelivered task
writes the same name, never a second file. Downloads are streamed from the storage by views that check
who may have the file (never a public URL of the store: its objects stay private).
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

BLOCK = 1 << 20


def stored_sha256(name: str) -> str | None:
    """The SHA-256 of the stored file `name`, or None when there is none."""
    digest = hashlib.sha256()
    try:
        with default_storage.open(name, "rb") as handle:
            for block in iter(lambda: handle.read(BLOCK), b""):
                digest.update(block)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def save_exact(name: str, content: bytes, sha256: str) -> str:
    """Store `content` (whose SHA-256 is `sha256`) under `name` and return the name it is stored under.
    A file already there with these bytes is kept as it is (a rerun stores nothing); one with other
    bytes (a write cut short) is replaced. The storage may answer another name if a second writer
    took `name` meanwhile: the caller records the name returned."""
    if default_storage.exists(name):
        if stored_sha256(name) == sha256:
            return name
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def present(name: str) -> bool:
    """Whether a file is stored under `name` (False for an empty name)."""
    return bool(name) and default_storage.exists(name)


def discard(name: str) -> None:
    """Delete the stored file `name`, if there is one (a document replaced by a new rendering: never
    anything a person uploaded)."""
    if name:
        default_storage.delete(name)


def open_stored(name: str):
    """The stored file `name` opened for reading, to stream in a FileResponse; FileNotFoundError when it
    is missing (on disk and on an object store alike)."""
    if not name:
        raise FileNotFoundError("No file recorded")
    return default_storage.open(name, "rb")
