"""Uploaded files: one storage interface, checks on what may be uploaded, and clean-up.

Every upload goes through :func:`store_upload`: the file's extension AND its first bytes must
match an allowed type for the upload's *kind* (``document``, ``video``, ``captions``, ``image``,
``package``, ``audio``), and its size must be under ``UPLOAD_MAX_MB_<KIND>``. The bytes go to
the site's :class:`Storage` (``STORAGE_BACKEND``; the default :class:`LocalStorage` keeps them
under ``STORAGE_DIR``, by default ``<instance>/files``) and a :class:`~lms.models.StoredFile`
row names the course whose members may read them and, once :func:`link_files` ran, the
activity that uses them. Files are served by ``learn.file`` with access checks: a file linked
to an activity is readable by a learner only while that learner may open the activity.

Storage is transactional from the caller's point of view: bytes saved during a database
transaction that rolls back are removed, and bytes of files discarded with :func:`discard` are
removed only once the transaction commits. Rows removed by the database itself (``ON DELETE
CASCADE`` when a course goes) leave their bytes behind: :func:`sweep` (``lms files sweep``)
removes bytes no row names.

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from flask import Flask, Response, current_app, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lms.extensions import db
from lms.models import StoredFile

if TYPE_CHECKING:
    from lms.content import ContentType
    from lms.models import Activity


class CannotListKeys(Exception):
    """Raised by :meth:`Storage.keys` on a backend without that optional capability."""


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

    def keys(self) -> Iterator[tuple[str, float]]:
        """Every stored key with its last-modified time (a Unix timestamp), for :func:`sweep`.
        Optional: a backend that cannot list its keys (an S3 bucket shared with other data)
        keeps this default, and ``lms files sweep`` says so instead of sweeping."""
        raise CannotListKeys(f"{type(self).__name__} cannot list its keys")

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

    def keys(self) -> Iterator[tuple[str, float]]:
        if not self.root.is_dir():
            return
        for path in self.root.glob("*/*"):
            key = path.relative_to(self.root).as_posix()
            if self._KEY.match(key) and path.is_file():
                yield key, path.stat().st_mtime

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
        FileType("mp3", "audio/mpeg", inline=True),
        FileType("m4a", "audio/mp4", inline=True),
        FileType("ogg", "audio/ogg", (b"OggS",), inline=True),
        FileType("wav", "audio/wav", inline=True),
    )
}

KINDS: dict[str, tuple[str, ...]] = {
    "document": ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt"),
    "video": ("mp4",),
    "captions": ("vtt",),
    "image": ("png", "jpg", "jpeg", "gif", "webp"),
    "package": ("zip",),
    "audio": ("mp3", "m4a", "ogg", "wav"),
}
DEFAULT_MAX_MB = {
    "document": 20,
    "video": 200,
    "captions": 1,
    "image": 5,
    "package": 500,
    "audio": 20,
}


def max_bytes(kind: str) -> int:
    mb = current_app.config.get(f"UPLOAD_MAX_MB_{kind.upper()}", DEFAULT_MAX_MB.get(kind, 10))
    return int(float(mb) * 1024 * 1024)


def _magic_ok(ftype: FileType, head: bytes) -> bool:
    if ftype.extension in ("mp4", "m4a"):
        return head[4:8] == b"ftyp"
    if ftype.extension == "mp3":  # an ID3 tag, or an MPEG audio frame's sync bits
        return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)
    if ftype.extension == "wav":
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"
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


def store(
    stream: IO[bytes],
    filename: str,
    ftype: FileType,
    course_id: int | None,
    activity_id: int | None = None,
) -> StoredFile:
    """Save checked bytes and add their :class:`StoredFile` row (flushed, not committed)."""
    storage = get_storage()
    sha = _sha256(stream)
    key = storage.save(stream, filename, ftype.content_type)
    _track(db.session, "lms_new_files", storage, key)
    row = StoredFile(
        key=key,
        course_id=course_id,
        activity_id=activity_id,
        filename=safe_filename(filename),
        content_type=ftype.content_type,
        size=storage.size(key),
        sha256=sha,
    )
    db.session.add(row)
    db.session.flush()
    return row


def store_upload(
    upload, kind: str, course_id: int | None, activity_id: int | None = None
) -> StoredFile:
    """Check and store a Werkzeug ``FileStorage`` from a form. Raises :class:`UploadError`.

    ``activity_id``: the activity that uses the file (the core also links the files a content
    type names in ``file_fields`` after ``save``, see :func:`link_files`)."""
    if upload is None or not getattr(upload, "filename", ""):
        raise UploadError(_("Choose a file to upload."))
    ftype = check_upload(upload.stream, upload.filename, kind)
    return store(upload.stream, upload.filename, ftype, course_id, activity_id)


def copy_file(
    source: StoredFile, course_id: int | None, activity_id: int | None = None
) -> StoredFile:
    """A new stored copy of ``source`` (duplicating an activity, importing a course)."""
    ftype = file_type_of(source.filename) or FileType("", source.content_type)
    with get_storage().open(source.key) as stream:
        return store(stream, source.filename, ftype, course_id, activity_id)


def link_files(activity: Activity, content_type: ContentType) -> list[StoredFile]:
    """Mark the files ``content_type`` names in ``file_fields`` as used by ``activity``.

    The core calls this after a type's ``save`` or ``import_data``, so every content type that
    declares its ``file_fields`` gets per-activity access checks without doing anything. Files
    of another course are left alone. Returns the rows that changed."""
    data: dict[str, Any] = content_type.export_data(activity) or {}
    linked = []
    for field in content_type.file_fields:
        file_id = data.get(field)
        stored = db.session.get(StoredFile, file_id) if isinstance(file_id, int) else None
        mine = stored is not None and stored.course_id == activity.course_id
        if mine and stored.activity_id != activity.id:
            stored.activity_id = activity.id
            linked.append(stored)
    db.session.flush()
    return linked


def discard_activity_files(activity_id: int) -> None:
    """Discard every file still linked to an activity (its content type forgot some)."""
    rows = db.session.scalars(select(StoredFile).where(StoredFile.activity_id == activity_id))
    for row in list(rows):
        discard(row)
    db.session.flush()


def discard_course_files(course_id: int) -> None:
    """Discard every file of a course, before the course itself is deleted."""
    for row in list(
        db.session.scalars(select(StoredFile).where(StoredFile.course_id == course_id))
    ):
        discard(row)
    db.session.flush()


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


# -- clean-up -----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    linked: int = 0  # files newly linked to the activity that uses them
    removed: int = 0  # stored objects no row named, deleted (or that would be, dry run)
    kept_recent: int = 0  # unnamed but younger than the grace period: maybe mid-upload


def relink_all() -> int:
    """Link every file a content type names in ``file_fields`` to its activity (files stored
    before activities were recorded on them). Returns how many rows changed; does not commit."""
    from lms.models import Activity

    registry = current_app.extensions["lms"].content
    changed = 0
    typed = {t.key: t for t in registry.available() if t.file_fields}
    if not typed:
        return 0
    stmt = select(Activity).where(Activity.content_type.in_(typed)).order_by(Activity.id)
    for activity in list(db.session.scalars(stmt)):
        changed += len(link_files(activity, typed[activity.content_type]))
    return changed


def sweep(grace_seconds: float = 3600, dry_run: bool = False) -> SweepResult:
    """Remove stored bytes that no :class:`StoredFile` row names (left by courses or activities
    deleted by the database's cascades), older than ``grace_seconds`` so that an upload in a
    transaction that has not committed yet is never touched. Also runs :func:`relink_all`.
    Commits the links (unless ``dry_run``)."""
    import time

    result = SweepResult()
    result.linked = relink_all()
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    known = set(db.session.scalars(select(StoredFile.key)))
    storage = get_storage()
    cutoff = time.time() - grace_seconds
    for key, modified in list(storage.keys()):
        if key in known:
            continue
        if modified > cutoff:
            result.kept_recent += 1
            continue
        if not dry_run:
            storage.delete(key)
        result.removed += 1
    return result


def register_cli(app: Flask) -> None:
    """``lms files sweep [--grace-minutes N] [--dry-run]``."""
    import click
    from flask.cli import with_appcontext

    @click.group("files")
    def files_group() -> None:
        """Uploaded files in storage."""

    @files_group.command("sweep")
    @click.option(
        "--grace-minutes",
        type=float,
        default=60,
        show_default=True,
        help="Keep unnamed files younger than this (uploads still in progress).",
    )
    @click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
    @with_appcontext
    def sweep_command(grace_minutes: float, dry_run: bool) -> None:
        """Link files to their activities and remove bytes no file record names."""
        try:
            result = sweep(grace_seconds=grace_minutes * 60, dry_run=dry_run)
        except CannotListKeys as exc:
            raise click.ClickException(
                f"{exc}: this storage cannot be swept; remove orphaned files with the "
                "storage's own tools (an S3 lifecycle rule, for instance)"
            ) from exc
        verb = "would be removed" if dry_run else "removed"
        click.echo(
            f"{result.linked} files linked to their activities; {result.removed} orphaned "
            f"files {verb}; {result.kept_recent} recent ones kept."
        )

    app.cli.add_command(files_group)


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
