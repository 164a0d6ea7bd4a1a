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
installed (activity "Quiz 1")``), in the reader's language (gettext; the JSON paths and values
stay as they are in the archive). The import is one transaction; on failure it is rolled back
and the files it stored are removed.
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
from flask_babel import gettext as _

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
                    _(
                        'Activity %(id)s ("%(title)s") has content type %(type)s, which is not '
                        "installed: it cannot be exported.",
                        id=activity.id,
                        title=activity.title,
                        type=repr(activity.content_type),
                    )
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


def _text(obj: dict, key: str, where: str, max_len: int, required: bool = False) -> str:
    value = obj.get(key, "")
    if value is None and not required:
        value = ""
    at = f"{where}.{key}"
    if not isinstance(value, str):
        raise PackageError(_("%(where)s must be text", where=at))
    if required and value.strip() == "":
        raise PackageError(_("%(where)s is missing or empty", where=at))
    if len(value) > max_len:
        raise PackageError(_("%(where)s is longer than %(max)s characters", where=at, max=max_len))
    return value


def _when(obj: dict, key: str, where: str) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise PackageError(
            _(
                "%(where)s %(value)s is not an ISO date-time",
                where=f"{where}.{key}",
                value=repr(value),
            )
        ) from None
    if parsed.tzinfo is None:
        raise PackageError(
            _("%(where)s %(value)s has no time zone", where=f"{where}.{key}", value=repr(value))
        )
    return parsed


def _read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    if MANIFEST not in zf.namelist():
        raise PackageError(_("%(name)s is missing from the archive", name=MANIFEST))
    if zf.getinfo(MANIFEST).file_size > 20 * 1024 * 1024:
        raise PackageError(_("%(name)s is too large", name=MANIFEST))
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageError(
            _("%(name)s is not valid JSON: %(error)s", name=MANIFEST, error=str(exc))
        ) from None
    if not isinstance(manifest, dict):
        raise PackageError(_("%(name)s must hold a JSON object", name=MANIFEST))
    if manifest.get("format") != FORMAT:
        raise PackageError(
            _(
                "%(name)s: format %(value)s is not %(expected)s",
                name=MANIFEST,
                value=repr(manifest.get("format")),
                expected=repr(FORMAT),
            )
        )
    if manifest.get("version") != VERSION:
        raise PackageError(
            _(
                "%(name)s: version %(value)s is not supported (this site reads version "
                "%(version)s)",
                name=MANIFEST,
                value=repr(manifest.get("version")),
                version=VERSION,
            )
        )
    return manifest


def _check_files(
    zf: zipfile.ZipFile, manifest: dict, checked: dict[str, tuple[dict, IO[bytes]]]
) -> None:
    """Every listed file: present, the right checksum, an allowed type and size. The checked
    copies go into ``checked`` (the caller closes them)."""
    from lms.storage import KINDS, UploadError, check_upload, max_bytes

    files = manifest.get("files", [])
    if not isinstance(files, list):
        raise PackageError(_("%(where)s must be a list", where="files"))
    names = set(zf.namelist())
    for i, entry in enumerate(files):
        where = f"files[{i}]"
        if not isinstance(entry, dict):
            raise PackageError(_("%(where)s must be an object", where=where))
        path = _text(entry, "path", where, 300, required=True)
        if path in checked:
            raise PackageError(
                _("%(where)s %(path)s is listed twice", where=f"{where}.path", path=repr(path))
            )
        if path not in names:  # a missing file
            raise PackageError(
                _(
                    "%(where)s %(path)s is not in the archive",
                    where=f"{where}.path",
                    path=repr(path),
                )
            )
        sha = _text(entry, "sha256", where, 64, required=True).lower()
        filename = _text(entry, "filename", where, 255) or path.rsplit("/", 1)[-1]
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        kind = next((k for k, exts in KINDS.items() if ext in exts and k != "package"), None)
        if kind is None:
            raise PackageError(
                _(
                    "%(where)s %(filename)s: this kind of file is not allowed",
                    where=f"{where}.filename",
                    filename=repr(filename),
                )
            )
        if zf.getinfo(path).file_size > max_bytes(kind):  # before extracting: no zip bombs
            raise PackageError(
                _(
                    "%(where)s %(path)s: larger than the %(kind)s limit of %(limit)s bytes",
                    where=where,
                    path=repr(path),
                    kind=kind,
                    limit=max_bytes(kind),
                )
            )
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        checked[path] = ({**entry, "filename": filename}, spool)
        digest = hashlib.sha256()
        with zf.open(path) as src:
            for chunk in iter(lambda src=src: src.read(1024 * 1024), b""):
                digest.update(chunk)
                spool.write(chunk)
        if digest.hexdigest() != sha:
            raise PackageError(
                _("%(where)s %(path)s: checksum does not match", where=where, path=repr(path))
            )
        try:
            check_upload(spool, filename, kind)
        except UploadError as exc:
            raise PackageError(f"{where} {path!r}: {exc}") from None


def validate(zf: zipfile.ZipFile, files: dict[str, tuple[dict, IO[bytes]]]) -> dict[str, Any]:
    """Check the whole archive (nothing is written); return the manifest. ``files`` receives
    temporary copies of the checked files, by path: close them after use."""
    manifest = _read_manifest(zf)
    course = manifest.get("course")
    if not isinstance(course, dict):
        raise PackageError(_("%(where)s must be an object", where="course"))
    _text(course, "title", "course", 200, required=True)
    _text(course, "summary", "course", 5000)
    sections = manifest.get("sections")
    if not isinstance(sections, list) or not sections:
        raise PackageError(_("%(where)s must be a non-empty list", where="sections"))
    for i, section in enumerate(sections):
        if not isinstance(section, dict):
            raise PackageError(_("%(where)s must be an object", where=f"sections[{i}]"))
        _text(section, "title", f"sections[{i}]", 200, required=True)
        _text(section, "summary", f"sections[{i}]", 5000)
    _check_files(zf, manifest, files)
    activities = manifest.get("activities")
    if not isinstance(activities, list):
        raise PackageError(_("%(where)s must be a list", where="activities"))
    for i, a in enumerate(activities):
        try:
            _check_activity(i, a, len(sections), len(activities), files)
        except PackageError as exc:
            raise _in_activity(exc, a) from None
    return manifest


def _check_activity(i: int, a: Any, n_sections: int, n_activities: int, files: dict) -> None:
    where = f"activities[{i}]"
    if not isinstance(a, dict):
        raise PackageError(_("%(where)s must be an object", where=where))
    _text(a, "title", where, 200, required=True)
    section = a.get("section")
    if not (isinstance(section, int) and 0 <= section < n_sections):
        raise PackageError(
            _(
                "%(where)s %(value)s is not a section index (0 to %(last)s)",
                where=f"{where}.section",
                value=repr(section),
                last=n_sections - 1,
            )
        )
    registry, disabled = _content()
    key = a.get("content_type")
    ct = registry.get(key, disabled) if isinstance(key, str) else None
    if ct is None:  # an unknown content type
        raise PackageError(
            _(
                "%(where)s %(value)s is not installed",
                where=f"{where}.content_type",
                value=repr(key),
            )
        )
    completion = a.get("completion", ct.completion_modes[0])
    if completion not in ct.completion_modes:
        raise PackageError(
            _(
                "%(where)s %(value)s is not one of %(choices)s",
                where=f"{where}.completion",
                value=repr(completion),
                choices=", ".join(ct.completion_modes),
            )
        )
    data = a.get("data", {})
    if not isinstance(data, dict):
        raise PackageError(_("%(where)s must be an object", where=f"{where}.data"))
    for field in ct.file_fields:
        ref = data.get(field)
        if not (ref is None or (isinstance(ref, str) and ref in files)):
            raise PackageError(
                _(
                    "%(where)s %(value)s is not listed in files",
                    where=f"{where}.data.{field}",
                    value=repr(ref),
                )
            )
    requires = a.get("requires")
    if not (
        requires is None
        or (isinstance(requires, int) and 0 <= requires < n_activities and requires != i)
    ):
        raise PackageError(
            _(
                "%(where)s %(value)s is not the index of another activity",
                where=f"{where}.requires",
                value=repr(requires),
            )
        )
    _when(a, "available_from", where)
    _when(a, "available_until", where)


def _in_activity(exc: PackageError, a: Any) -> PackageError:
    """``exc`` with the activity's title added, so a person can find it in their course."""
    title = a.get("title") if isinstance(a, dict) else None
    if not isinstance(title, str) or not title.strip():
        return exc
    return PackageError(_('%(problem)s (activity "%(title)s")', problem=str(exc), title=title[:80]))


# -- import ----------------------------------------------------------------------------------


def import_course(stream: IO[bytes], owner: User) -> Course:
    """Create a new, unpublished course from a package, owned by ``owner``. Does not commit.

    Raises :class:`PackageError` (after rolling back and removing stored files) when the
    archive is refused or a content type rejects its data.
    """
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError):
        raise PackageError(_("the file is not a .zip course package")) from None
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
            raise PackageError(
                _("the import failed and was undone: %(error)s", error=str(exc))
            ) from exc
        finally:
            for _entry, spool in files.values():
                spool.close()


def _create(manifest: dict, files: dict[str, tuple[dict, IO[bytes]]], owner: User) -> Course:
    from lms.storage import FileType, file_type_of, link_files, store
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
            refused = PackageError(
                _(
                    "%(where)s was refused by %(type)s: %(error)s",
                    where=f"activities[{i}].data",
                    type=repr(ct.key),
                    error=str(exc),
                )
            )
            raise _in_activity(refused, a) from None
        link_files(activity, ct)
        created.append(activity)
    for activity, a in zip(created, manifest["activities"], strict=True):
        if a.get("requires") is not None:
            activity.requires_id = created[a["requires"]].id
    db.session.flush()
    return course


# -- command line ----------------------------------------------------------------------------


def register_cli(app) -> None:
    """``lms course export COURSE_ID FILE``, ``lms course import FILE [--owner EMAIL]``,
    ``lms course delete COURSE_ID [--yes]`` and ``lms files sweep``."""
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

    @course_group.command("delete")
    @click.argument("course_id", type=int)
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    @with_appcontext
    def delete_command(course_id: int, yes: bool) -> None:
        """Delete course COURSE_ID with its activities, files and progress."""
        from lms.teach.services import delete_course

        course = db.session.get(Course, course_id)
        if course is None:
            raise click.ClickException(f"there is no course {course_id}")
        if not yes:
            click.confirm(f"Delete course {course_id} ({course.title}) for good?", abort=True)
        delete_course(course, current_app.extensions["lms"].content)
        db.session.commit()
        click.echo(f"Course {course_id} deleted, with its files.")

    app.cli.add_command(course_group)
    from lms.storage import register_cli as register_files_cli

    register_files_cli(app)  # lms files sweep
