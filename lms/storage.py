"""Uploaded files: one storage interface, checks on what may be uploaded, and clean-up.

Every upload goes through :func:`store_upload`: the file's extension AND its first bytes must
match an allowed type for the upload's *kind* (``document``, ``video``, ``captions``, ``image``,
``package``), and its size must be under ``UPLOAD_MAX_MB_<KIND>``. The bytes go to the site's
:class:`Storage` (``STORAGE_BACKEND``; the default :class:`LocalStorage` keeps them under
``STORAGE_DIR``, by default ``<instance>/files``) and a :class:`~lms.models.StoredFile` row names
the course whose members may read them. Files are served by ``learn.file`` with access checks.

Storage is transactional from the caller's point of view: bytes saved during a database
transaction that rolls back are removed, and bytes of files discarded with :func:`discard` are
removed only once the transaction commits.

An S3-compatible storage would subclass :class:`Storage`, return a pre-signed URL from
:meth:`Storage.url` (then :meth:`Storage.serve` is never used) and be chosen by
``STORAGE_BACKEND``.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import re
import shutil
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from flask import Flask, Response, current_app, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.models import StoredFile


class UploadError(ValueError):
    """An upload was refused; ``str(exc)`` is a message for the person who sent it."""


class Storage(ABC):
    """Where the bytes of uploaded files live. Keys are opaque strings chosen by the storage."""

    @abstractmethod
    def save(self, stream: IO[bytes], filename: str, content_type: str) -> str:
        """Store the bytes of ``stream`` and return a new key."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary file object for reading ``key``; the caller closes it."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; a key that is already gone is not an error."""

    @abstractmethod
    def size(self, key: str) -> int:
        """The size of ``key`` in bytes."""

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except (FileNotFoundError, KeyError):
            return False
        return True

    def url(self, key: str) -> str | None:
        """A direct URL to the bytes (a pre-signed S3 URL), or None to serve through the site."""
        return None

    @abstractmethod
    def serve(self, key: str, filename: str, content_type: str, as_attachment: bool) -> Response:
        """A response with the bytes, honouring conditional and Range requests."""


class LocalStorage(Storage):
    """Files in a folder on this server: ``<root>/<2 hex>/<32 hex><.ext>``."""

    _KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not self._KEY.match(key):  # never let a key walk out of the folder
            raise KeyError(key)
        return self.root / key

    def save(self, stream: IO[bytes], filename: str, content_type: str) -> str:
        ext = Path(filename).suffix.lower()
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", ext):
            ext = ""
        name = uuid.uuid4().hex
        key = f"{name[:2]}/{name}{ext}"
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            shutil.copyfileobj(stream, out, 1024 * 1024)
        return key

    def open(self, key: str) -> BinaryIO:
        return open(self._path(key), "rb")

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError, KeyError):
            self._path(key).unlink()

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size

    def serve(self, key: str, filename: str, content_type: str, as_attachment: bool) -> Response:
        return send_file(
            self._path(key),
            mimetype=content_type,
            as_attachment=as_attachment,
            download_name=filename,
            conditional=True,
            max_age=3600,
        )


BACKENDS: dict[str, type[Storage]] = {"local": LocalStorage}


def get_storage(app: Flask | None = None) -> Storage:
    """The site's storage, created once per application from ``STORAGE_BACKEND``."""
    app = app or current_app._get_current_object()
    storage = app.extensions.get("lms_storage")
    if storage is None:
        backend = app.config.get("STORAGE_BACKEND") or "local"
        if backend != "local":
            raise RuntimeError(f"unknown STORAGE_BACKEND {backend!r}")
        root = app.config.get("STORAGE_DIR") or os.path.join(app.instance_path, "files")
        storage = BACKENDS[backend](root)
        app.extensions["lms_storage"] = storage
    return storage


# -- what may be uploaded -------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    extension: str
    content_type: str
    magic: tuple[bytes, ...] = ()  # any of these prefixes; empty: checked by a function
    inline: bool = False  # shown in the browser rather than downloaded


ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_OFFICE = "application/vnd.openxmlformats-officedocument"
FILE_TYPES: dict[str, FileType] = {
    t.extension: t
    for t in (
        FileType("pdf", "application/pdf", (b"%PDF-",), inline=True),
        FileType("docx", f"{_OFFICE}.wordprocessingml.document", ZIP),
        FileType("xlsx", f"{_OFFICE}.spreadsheetml.sheet", ZIP),
        FileType("pptx", f"{_OFFICE}.presentationml.presentation", ZIP),
        FileType("odt", "application/vnd.oasis.opendocument.text", ZIP),
        FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", ZIP),
        FileType("odp", "application/vnd.oasis.opendocument.presentation", ZIP),
        FileType("doc", "application/msword", OLE),
        FileType("xls", "application/vnd.ms-excel", OLE),
        FileType("ppt", "application/vnd.ms-powerpoint", OLE),
        FileType("mp4", "video/mp4", inline=True),
        FileType("vtt", "text/vtt", inline=True),
        FileType("png", "image/png", (b"\x89PNG\r\n\x1a\n",), inline=True),
        FileType("jpg", "image/jpeg", (b"\xff\xd8\xff",), inline=True),
        FileType("jpeg", "image/jpeg", (b"\xff\xd8\xff",), inline=True),
        FileType("gif", "image/gif", (b"GIF87a", b"GIF89a"), inline=True),
        FileType("webp", "image/webp", inline=True),
        FileType("zip", "application/zip", ZIP),
    )
}

KINDS: dict[str, tuple[str, ...]] = {
    "document": ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt"),
    "video": ("mp4",),
    "captions": ("vtt",),
    "image": ("png", "jpg", "jpeg", "gif", "webp"),
    "package": ("zip",),
}
DEFAULT_MAX_MB = {"document": 20, "video": 200, "captions": 1, "image": 5, "package": 500}


def max_bytes(kind: str) -> int:
    mb = current_app.config.get(f"UPLOAD_MAX_MB_{kind.upper()}", DEFAULT_MAX_MB.get(kind, 10))
    return int(float(mb) * 1024 * 1024)


def _magic_ok(ftype: FileType, head: bytes) -> bool:
    if ftype.extension == "mp4":
        return head[4:8] == b"ftyp"
    if ftype.extension == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ftype.extension == "vtt":
        return head.removeprefix(b"\xef\xbb\xbf").startswith(b"WEBVTT")
    return any(head.startswith(m) for m in ftype.magic)


def file_type_of(filename: str) -> FileType | None:
    return FILE_TYPES.get(Path(filename or "").suffix.lower().lstrip("."))


def check_upload(stream: IO[bytes], filename: str, kind: str) -> FileType:
    """The file's type if it may be uploaded as ``kind``; raises :class:`UploadError`.

    Checks the extension, the sniffed first bytes and the size. Leaves ``stream`` at 0.
    """
    allowed = KINDS[kind]
    ftype = file_type_of(filename)
    if ftype is None or ftype.extension not in allowed:
        raise UploadError(
            _(
                "This kind of file is not allowed here. Allowed: %(types)s.",
                types=", ".join(allowed),
            )
        )
    stream.seek(0)
    head = stream.read(16)
    if not _magic_ok(ftype, head):
        raise UploadError(_("The file's content is not a .%(ext)s file.", ext=ftype.extension))
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    limit = max_bytes(kind)
    if size > limit:
        raise UploadError(
            _("The file is too large: the limit is %(mb)s MB.", mb=f"{limit / 1024 / 1024:.3g}")
        )
    if size == 0:
        raise UploadError(_("The file is empty."))
    return ftype


def _sha256(stream: IO[bytes]) -> str:
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def safe_filename(filename: str) -> str:
    """Keep the name people recognise (Thai included), without paths or control characters."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip() or "file"
    return name[-200:]


def store(stream: IO[bytes], filename: str, ftype: FileType, course_id: int | None) -> StoredFile:
    """Save checked bytes and add their :class:`StoredFile` row (flushed, not committed)."""
    storage = get_storage()
    sha = _sha256(stream)
    key = storage.save(stream, filename, ftype.content_type)
    _track(db.session, "lms_new_files", storage, key)
    row = StoredFile(
        key=key,
        course_id=course_id,
        filename=safe_filename(filename),
        content_type=ftype.content_type,
        size=storage.size(key),
        sha256=sha,
    )
    db.session.add(row)
    db.session.flush()
    return row


def store_upload(upload, kind: str, course_id: int | None) -> StoredFile:
    """Check and store a Werkzeug ``FileStorage`` from a form. Raises :class:`UploadError`."""
    if upload is None or not getattr(upload, "filename", ""):
        raise UploadError(_("Choose a file to upload."))
    ftype = check_upload(upload.stream, upload.filename, kind)
    return store(upload.stream, upload.filename, ftype, course_id)


def copy_file(source: StoredFile, course_id: int | None) -> StoredFile:
    """A new stored copy of ``source`` (duplicating an activity, importing a course)."""
    ftype = file_type_of(source.filename) or FileType("", source.content_type)
    with get_storage().open(source.key) as stream:
        return store(stream, source.filename, ftype, course_id)


def discard(row: StoredFile | None) -> None:
    """Delete the row now and the bytes once the transaction commits."""
    if row is None:
        return
    _track(db.session, "lms_dead_files", get_storage(), row.key)
    db.session.delete(row)


def _track(session: Session, bucket: str, storage: Storage, key: str) -> None:
    session.info.setdefault(bucket, []).append((storage, key))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop("lms_new_files", None)
    for storage, key in session.info.pop("lms_dead_files", []):
        storage.delete(key)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint or subtransaction
        return
    session.info.pop("lms_dead_files", None)
    for storage, key in session.info.pop("lms_new_files", []):
        storage.delete(key)


def guess_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def file_url(stored: StoredFile | None, download: bool = False) -> str:
    """The URL of a stored file (served by ``learn.file`` with access checks)."""
    if stored is None:
        return ""
    direct = get_storage().url(stored.key)
    if direct:
        return direct
    args = {"download": "1"} if download else {}
    return url_for("learn.file", file_id=stored.id, name=stored.filename, **args)
