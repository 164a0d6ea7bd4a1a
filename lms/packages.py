"""Course packages: a whole course in one .zip, to share it with another site.

The archive holds ``manifest.json`` and the uploaded files under ``files/``::

    {"format": "lms-course-package", "version": 1,
     "course": {"title": ..., "summary": ..., "language": "th", ...},
     "sections": [{"title": ..., "summary": ...}, ...],
     "activities": [{"section": 0, "title": ..., "content_type": "video", "is_visible": true,
                     "completion": "auto", "available_from": null, "available_until": null,
                     "requires": null, "data": {...}}, ...],
     "files": [{"path": "files/1-clip.mp4", "filename": "clip.mp4",
                "content_type": "video/mp4", "size": 1234, "sha256": "..."}]}

``data`` is the content type's :meth:`~lms.content.ContentType.export_data`; the keys a type
lists in ``file_fields`` hold a ``files[].path`` instead of a stored file id. ``requires`` is
the index of another activity.

:func:`import_course` checks EVERYTHING before it writes anything, and refuses a bad archive
with a :class:`PackageError` naming what and where (``activities[3].content_type 'quiz' is not
installed``). The import is one transaction; on failure it is rolled back and the files it
stored are removed.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import zipfile
from datetime import datetime
from typing import IO, Any

from flask import current_app

from lms.extensions import db
from lms.models import Course, StoredFile, User
from lms.models.base import utcnow

FORMAT = "lms-course-package"
VERSION = 1
MANIFEST = "manifest.json"


class PackageError(ValueError):
    """The archive was refused; ``str(exc)`` says what is wrong and where."""


def _content():
    state = current_app.extensions["lms"]
    return state.content, state.disabled_now()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- export ----------------------------------------------------------------------------------


def export_course(course: Course, out: IO[bytes]) -> dict[str, Any]:
    """Write ``course`` as a package to the binary file ``out``; return the manifest."""
    from lms.courses import visible_activities
    from lms.storage import get_storage

    registry, _disabled = _content()
    storage = get_storage()
    sections = list(course.sections)
    section_index = {s.id: i for i, s in enumerate(sections)}
    activities = visible_activities(course, staff=True)
    activity_index = {a.id: i for i, a in enumerate(activities)}
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "course": {
            "title": course.title,
            "summary": course.summary,
            "language": course.language,
            "self_enrol": course.self_enrol,
            "capacity": course.capacity,
        },
        "sections": [{"title": s.title, "summary": s.summary} for s in sections],
        "activities": [],
        "files": [],
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for activity in activities:
            ct = registry.get(activity.content_type)
            if ct is None:
                raise PackageError(
                    f"activity {activity.id} ({activity.title!r}) has content type "
                    f"{activity.content_type!r}, which is not installed: it cannot be exported"
                )
            data = dict(ct.export_data(activity))
            for key in ct.file_fields:
                stored = db.session.get(StoredFile, data.get(key)) if data.get(key) else None
                if stored is None:
                    data[key] = None
                    continue
                n = len(manifest["files"]) + 1
                path = f"files/{n}-{_ascii_name(stored.filename)}"
                with storage.open(stored.key) as src, zf.open(path, "w") as dst:
                    digest = hashlib.sha256()
                    for chunk in iter(lambda src=src: src.read(1024 * 1024), b""):
                        digest.update(chunk)
                        dst.write(chunk)
                manifest["files"].append(
                    {
                        "path": path,
                        "filename": stored.filename,
                        "content_type": stored.content_type,
                        "size": stored.size,
                        "sha256": digest.hexdigest(),
                    }
                )
                data[key] = path
            manifest["activities"].append(
                {
                    "section": section_index[activity.section_id],
                    "title": activity.title,
                    "content_type": activity.content_type,
                    "is_visible": activity.is_visible,
                    "completion": activity.completion,
                    "available_from": _iso(activity.available_from),
                    "available_until": _iso(activity.available_until),
                    "requires": activity_index.get(activity.requires_id),
                    "data": data,
                }
            )
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _ascii_name(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_") or "file"
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    return stem[-60:] + (f".{ext}" if ext else "")


# -- validation ------------------------------------------------------------------------------


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise PackageError(message)


def _text(obj: dict, key: str, where: str, max_len: int, required: bool = False) -> str:
    value = obj.get(key, "")
    if value is None and not required:
        value = ""
    _require(isinstance(value, str), f"{where}.{key} must be text")
    _require(not required or value.strip() != "", f"{where}.{key} is missing or empty")
    _require(len(value) <= max_len, f"{where}.{key} is longer than {max_len} characters")
    return value


def _when(obj: dict, key: str, where: str) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise PackageError(f"{where}.{key} {value!r} is not an ISO date-time") from None
    _require(parsed.tzinfo is not None, f"{where}.{key} {value!r} has no time zone")
    return parsed


def _read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    _require(MANIFEST in zf.namelist(), f"{MANIFEST} is missing from the archive")
    _require(zf.getinfo(MANIFEST).file_size <= 20 * 1024 * 1024, f"{MANIFEST} is too large")
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(f"{MANIFEST} is not valid JSON: {exc}") from None
    _require(isinstance(manifest, dict), f"{MANIFEST} must hold a JSON object")
    _require(
        manifest.get("format") == FORMAT,
        f"{MANIFEST}: format {manifest.get('format')!r} is not {FORMAT!r}",
    )
    _require(
        manifest.get("version") == VERSION,
        f"{MANIFEST}: version {manifest.get('version')!r} is not supported (this site reads "
        f"version {VERSION})",
    )
    return manifest


def _check_files(
    zf: zipfile.ZipFile, manifest: dict, checked: dict[str, tuple[dict, IO[bytes]]]
) -> None:
    """Every listed file: present, the right checksum, an allowed type and size. The checked
    copies go into ``checked`` (the caller closes them)."""
    from lms.storage import KINDS, UploadError, check_upload, max_bytes

    files = manifest.get("files", [])
    _require(isinstance(files, list), "files must be a list")
    names = set(zf.namelist())
    for i, entry in enumerate(files):
        where = f"files[{i}]"
        _require(isinstance(entry, dict), f"{where} must be an object")
        path = _text(entry, "path", where, 300, required=True)
        _require(path not in checked, f"{where}.path {path!r} is listed twice")
        _require(path in names, f"{where}.path {path!r} is not in the archive")
        sha = _text(entry, "sha256", where, 64, required=True).lower()
        filename = _text(entry, "filename", where, 255) or path.rsplit("/", 1)[-1]
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        kind = next((k for k, exts in KINDS.items() if ext in exts and k != "package"), None)
        _require(
            kind is not None, f"{where}.filename {filename!r}: this kind of file is not allowed"
        )
        _require(  # before extracting anything: no zip bombs
            zf.getinfo(path).file_size <= max_bytes(kind),
            f"{where} {path!r}: larger than the {kind} limit of {max_bytes(kind)} bytes",
        )
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        checked[path] = ({**entry, "filename": filename}, spool)
        digest = hashlib.sha256()
        with zf.open(path) as src:
            for chunk in iter(lambda src=src: src.read(1024 * 1024), b""):
                digest.update(chunk)
                spool.write(chunk)
        _require(digest.hexdigest() == sha, f"{where} {path!r}: checksum does not match")
        try:
            check_upload(spool, filename, kind)
        except UploadError as exc:
            raise PackageError(f"{where} {path!r}: {exc}") from None


def validate(zf: zipfile.ZipFile, files: dict[str, tuple[dict, IO[bytes]]]) -> dict[str, Any]:
    """Check the whole archive (nothing is written); return the manifest. ``files`` receives
    temporary copies of the checked files, by path: close them after use."""
    manifest = _read_manifest(zf)
    course = manifest.get("course")
    _require(isinstance(course, dict), "course must be an object")
    _text(course, "title", "course", 200, required=True)
    _text(course, "summary", "course", 5000)
    sections = manifest.get("sections")
    _require(isinstance(sections, list) and sections, "sections must be a non-empty list")
    for i, section in enumerate(sections):
        _require(isinstance(section, dict), f"sections[{i}] must be an object")
        _text(section, "title", f"sections[{i}]", 200, required=True)
        _text(section, "summary", f"sections[{i}]", 5000)
    _check_files(zf, manifest, files)
    activities = manifest.get("activities")
    _require(isinstance(activities, list), "activities must be a list")
    registry, disabled = _content()
    for i, a in enumerate(activities):
        where = f"activities[{i}]"
        _require(isinstance(a, dict), f"{where} must be an object")
        _text(a, "title", where, 200, required=True)
        section = a.get("section")
        _require(
            isinstance(section, int) and 0 <= section < len(sections),
            f"{where}.section {section!r} is not a section index (0 to {len(sections) - 1})",
        )
        key = a.get("content_type")
        ct = registry.get(key, disabled) if isinstance(key, str) else None
        _require(ct is not None, f"{where}.content_type {key!r} is not installed")
        completion = a.get("completion", ct.completion_modes[0])
        _require(
            completion in ct.completion_modes,
            f"{where}.completion {completion!r} is not one of {', '.join(ct.completion_modes)}",
        )
        data = a.get("data", {})
        _require(isinstance(data, dict), f"{where}.data must be an object")
        for field in ct.file_fields:
            ref = data.get(field)
            _require(
                ref is None or (isinstance(ref, str) and ref in files),
                f"{where}.data.{field} {ref!r} is not listed in files",
            )
        requires = a.get("requires")
        _require(
            requires is None
            or (isinstance(requires, int) and 0 <= requires < len(activities) and requires != i),
            f"{where}.requires {requires!r} is not the index of another activity",
        )
        _when(a, "available_from", where)
        _when(a, "available_until", where)
    return manifest


# -- import ----------------------------------------------------------------------------------


def import_course(stream: IO[bytes], owner: User) -> Course:
    """Create a new, unpublished course from a package, owned by ``owner``. Does not commit.

    Raises :class:`PackageError` (after rolling back and removing stored files) when the
    archive is refused or a content type rejects its data.
    """
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        raise PackageError("the file is not a .zip course package") from None
    files: dict[str, tuple[dict, IO[bytes]]] = {}
    with zf:
        try:
            manifest = validate(zf, files)
            return _create(manifest, files, owner)
        except PackageError:
            db.session.rollback()
            raise
        except Exception as exc:
            db.session.rollback()
            raise PackageError(f"the import failed and was undone: {exc}") from exc
        finally:
            for _entry, spool in files.values():
                spool.close()


def _create(manifest: dict, files: dict[str, tuple[dict, IO[bytes]]], owner: User) -> Course:
    from lms.storage import FileType, file_type_of, store
    from lms.teach import services

    registry, disabled = _content()
    meta = manifest["course"]
    capacity = meta.get("capacity")
    course = services.create_course(
        owner,
        title=meta["title"].strip(),
        summary=meta.get("summary") or "",
        language=meta.get("language") if meta.get("language") in ("th", "en") else "th",
        self_enrol=bool(meta.get("self_enrol", True)),
        capacity=capacity if isinstance(capacity, int) and capacity > 0 else None,
    )
    db.session.flush()
    sections = []
    for i, s in enumerate(manifest["sections"]):
        if i == 0:
            section = course.sections[0]
            section.title, section.summary = s["title"], s.get("summary") or ""
        else:
            section = services.add_section(course, s["title"], s.get("summary") or "")
        sections.append(section)
    created = []
    for i, a in enumerate(manifest["activities"]):
        ct = registry.get(a["content_type"], disabled)
        activity = services.add_activity(
            sections[a["section"]],
            ct.key,
            title=a["title"].strip(),
            is_visible=bool(a.get("is_visible", True)),
            completion=a.get("completion", ct.completion_modes[0]),
            available_from=_when(a, "available_from", ""),
            available_until=_when(a, "available_until", ""),
        )
        data = dict(a.get("data") or {})
        for field in ct.file_fields:
            ref = data.get(field)
            if ref is None:
                continue
            entry, spool = files[ref]
            spool.seek(0)
            ftype = file_type_of(entry["filename"]) or FileType("", entry.get("content_type", ""))
            data[field] = store(spool, entry["filename"], ftype, course.id).id
        try:
            ct.import_data(activity, data)
        except (ValueError, TypeError, KeyError) as exc:
            raise PackageError(f"activities[{i}].data was refused by {ct.key!r}: {exc}") from None
        created.append(activity)
    for activity, a in zip(created, manifest["activities"], strict=True):
        if a.get("requires") is not None:
            activity.requires_id = created[a["requires"]].id
    db.session.flush()
    return course


# -- command line ----------------------------------------------------------------------------


def register_cli(app) -> None:
    """``lms course export COURSE_ID FILE`` and ``lms course import FILE [--owner EMAIL]``."""
    import click
    from flask.cli import with_appcontext

    @click.group("course")
    def course_group() -> None:
        """Export and import courses as packages (.zip)."""

    @course_group.command("export")
    @click.argument("course_id", type=int)
    @click.argument("file", type=click.Path(dir_okay=False, writable=True))
    @with_appcontext
    def export_command(course_id: int, file: str) -> None:
        """Write course COURSE_ID with its files to FILE."""
        course = db.session.get(Course, course_id)
        if course is None:
            raise click.ClickException(f"there is no course {course_id}")
        with open(file, "wb") as out:
            try:
                manifest = export_course(course, out)
            except PackageError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(
            f"Course {course_id} exported to {file}: {len(manifest['activities'])} activities, "
            f"{len(manifest['files'])} files."
        )

    @course_group.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--owner", "owner_email", help="Email of the teacher (default: an admin).")
    @with_appcontext
    def import_command(file: str, owner_email: str | None) -> None:
        """Create a new hidden course from the package FILE."""
        from lms.auth.services import find_by_email
        from lms.models import Role

        if owner_email:
            owner = find_by_email(owner_email)
        else:
            owner = db.session.scalar(
                db.select(User).where(User.roles.any(Role.code == "admin")).order_by(User.id)
            )
        if owner is None:
            raise click.ClickException("no owner: pass --owner EMAIL of an existing user")
        with open(file, "rb") as stream:
            try:
                course = import_course(stream, owner)
            except PackageError as exc:
                raise click.ClickException(f"refused, nothing imported: {exc}") from exc
        db.session.commit()
        click.echo(f"Imported as course {course.id} ({course.title}), hidden until published.")

    app.cli.add_command(course_group)
