"""Course packages: round trip through export and import; bad archives refused whole."""

import hashlib
import io
import json
import os
import zipfile
from datetime import timedelta

import pytest
from flask_babel import force_locale

from lms.extensions import db
from lms.models import Activity, Course, StoredFile
from lms.models.base import utcnow
from lms.packages import PackageError, export_course, import_course
from lms.teach.services import add_activity
from tests.unit.content_helpers import MP4, PDF, VTT, add, base_fields, setup_course, upload


@pytest.fixture
def en(app):
    """Refusals in English (outside a request the site's default locale, Thai, applies)."""
    with force_locale("en"):
        yield


def _rich_course(app, login, f):
    """A course with one activity of every built-in type, files, a prerequisite, dates."""
    teacher, course, learner = setup_course(f, lessons=1)
    client = login(teacher)
    client.post(f"/teach/{course.id}/sections", data={"title": "บทที่ 2"})
    add(client, course, "link", base_fields("Link", "auto", link_url="https://a.example/"))
    add(client, course, "file", base_fields("Doc", "view", file_upload=upload(PDF, "เอกสาร.pdf")))
    add(
        client,
        course,
        "video",
        base_fields(
            "Clip",
            "auto",
            video_upload=upload(MP4, "clip.mp4"),
            captions_upload=upload(VTT, "th.vtt"),
            threshold="75",
        ),
    )
    add(
        client,
        course,
        "video",
        base_fields("YT", "manual", video_url="https://youtu.be/dQw4w9WgXcQ"),
    )
    live = add_activity(course.sections[1], "live", title="Live", completion="auto")
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    app.extensions["lms"].content.get("live").import_data(
        live,
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "join_url": "https://meet.example/x",
            "capacity": 20,
        },
    )
    acts = db.session.scalars(db.select(Activity).where(Activity.course_id == course.id)).all()
    live.requires_id = acts[0].id
    live.available_until = start + timedelta(days=1)
    db.session.commit()
    return teacher, course


def _snapshot(app, course):
    registry = app.extensions["lms"].content
    from lms.courses import visible_activities

    out = []
    for a in visible_activities(course, staff=True):
        ct = registry.get(a.content_type)
        data = ct.export_data(a)
        for key in ct.file_fields:
            stored = db.session.get(StoredFile, data[key]) if data.get(key) else None
            data[key] = (stored.filename, stored.sha256) if stored else None
        required = db.session.get(Activity, a.requires_id).title if a.requires_id else None
        out.append(
            (a.section.title, a.title, a.content_type, a.completion, a.is_visible,
             a.available_until, required, data)
        )  # fmt: skip
    return out


def test_round_trip_keeps_every_activity_and_file(app, login, f):
    teacher, course = _rich_course(app, login, f)
    buffer = io.BytesIO()
    manifest = export_course(course, buffer)
    assert len(manifest["files"]) == 3 and len(manifest["activities"]) == 6
    buffer.seek(0)
    copy = import_course(buffer, teacher)
    db.session.commit()
    assert copy.id != course.id and not copy.is_published
    assert _snapshot(app, copy) == _snapshot(app, course)
    assert [s.title for s in copy.sections] == [s.title for s in course.sections]
    new_files = db.session.scalars(db.select(StoredFile).where(StoredFile.course_id == copy.id))
    assert sorted(f.filename for f in new_files) == ["clip.mp4", "th.vtt", "เอกสาร.pdf"]


def _package(app, login, f) -> tuple:
    teacher, course = _rich_course(app, login, f)
    buffer = io.BytesIO()
    export_course(course, buffer)
    return teacher, buffer.getvalue()


def _rewrite(data: bytes, manifest_change=None, drop=None, replace=None) -> io.BytesIO:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name == drop:
                continue
            content = src.read(name)
            if name == "manifest.json" and manifest_change is not None:
                manifest = json.loads(content)
                manifest_change(manifest)
                content = json.dumps(manifest).encode()
            if replace and name in replace:
                content = replace[name]
            dst.writestr(name, content)
    out.seek(0)
    return out


def _state():
    return (
        db.session.scalar(db.select(db.func.count(Course.id))),
        db.session.scalar(db.select(db.func.count(Activity.id))),
        db.session.scalar(db.select(db.func.count(StoredFile.id))),
    )


def _files_on_disk(app) -> int:
    import os

    root = os.path.join(app.instance_path, "files")
    return sum(len(files) for _d, _s, files in os.walk(root))


def _bad(manifest, key, value):
    manifest["activities"][3][key] = value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: _bad(m, "content_type", "no_such_type"), "activities[3].content_type 'no_such_type' is not installed"),
        (lambda m: _bad(m, "section", 9), "activities[3].section 9 is not a section index"),
        (lambda m: m.update(version=99), "version 99 is not supported"),
        (lambda m: m.pop("sections"), "sections must be a non-empty list"),
        (lambda m: m["files"][1].update(sha256="0" * 64), "files[1] 'files/2-clip.mp4': checksum does not match"),
        (lambda m: m["files"][0].update(path="files/nope.pdf"), "files[0].path 'files/nope.pdf' is not in the archive"),
        (lambda m: _bad(m, "data", {**m["activities"][3]["data"], "file": "files/x"}), "activities[3].data.file 'files/x' is not listed in files"),
    ],
)  # fmt: skip
def test_bad_archives_are_refused_whole(app, en, login, f, change, message):
    teacher, data = _package(app, login, f)
    before, on_disk = _state(), _files_on_disk(app)
    with pytest.raises(PackageError) as info:
        import_course(_rewrite(data, manifest_change=change), teacher)
    assert message in str(info.value)
    db.session.rollback()
    assert _state() == before and _files_on_disk(app) == on_disk


def test_missing_file_and_bad_json_and_not_a_zip(app, en, login, f):
    teacher, data = _package(app, login, f)
    with pytest.raises(PackageError, match=r"files\[0\].path 'files/1-.*' is not in the archive"):
        name = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))["files"][0][
            "path"
        ]
        import_course(_rewrite(data, drop=name), teacher)
    with pytest.raises(PackageError, match="manifest.json is not valid JSON"):
        import_course(_rewrite(data, replace={"manifest.json": b"{nope"}), teacher)
    with pytest.raises(PackageError, match="not a .zip"):
        import_course(io.BytesIO(b"hello"), teacher)


def test_failure_while_importing_removes_stored_files(app, en, login, f):
    teacher, data = _package(app, login, f)
    before, on_disk = _state(), _files_on_disk(app)

    def break_last(m):  # valid to the validator, refused by the live type's import_data
        m["activities"][-1]["data"]["join_url"] = "ftp://meet.example/x"

    with pytest.raises(PackageError, match=r"activities\[5\].data was refused by 'live'"):
        import_course(_rewrite(data, manifest_change=break_last), teacher)
    assert _state() == before and _files_on_disk(app) == on_disk


def test_cli_export_and_import(app, en, login, f, tmp_path):
    teacher, course = _rich_course(app, login, f)
    runner = app.test_cli_runner()
    target = tmp_path / "course.zip"
    result = runner.invoke(args=["course", "export", str(course.id), str(target)])
    assert result.exit_code == 0, result.output
    assert "6 activities, 3 files" in result.output
    result = runner.invoke(args=["course", "import", str(target), "--owner", teacher.email])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(Course.id))) == 2
    bad = tmp_path / "bad.zip"
    bad.write_bytes(
        _rewrite(
            target.read_bytes(), manifest_change=lambda m: _bad(m, "content_type", "no_such_type")
        ).getvalue()
    )
    result = runner.invoke(args=["course", "import", str(bad), "--owner", teacher.email])
    assert result.exit_code == 1
    assert "activities[3].content_type 'no_such_type' is not installed" in result.output
    assert db.session.scalar(db.select(db.func.count(Course.id))) == 2


def test_web_export_and_import(app, login, f):
    teacher, course = _rich_course(app, login, f)
    client = login(teacher)
    assert "Export package" in client.get(f"/teach/{course.id}").text
    r = client.get(f"/teach/{course.id}/export")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    package = r.data
    r.close()
    assert hashlib.sha256(package).hexdigest()
    assert 'name="package"' in client.get("/teach/").text
    r = client.post(
        "/teach/import",
        data={"package": (io.BytesIO(package), "course.zip")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count(Course.id))) == 2
    broken = _rewrite(package, manifest_change=lambda m: _bad(m, "content_type", "no_such_type"))
    r = client.post(
        "/teach/import",
        data={"package": (broken, "course.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "activities[3].content_type" in r.text
    assert db.session.scalar(db.select(db.func.count(Course.id))) == 2
    other = login(f.user("educator"))
    assert other.get(f"/teach/{course.id}/export").status_code == 403


def test_oversized_package_and_zip_bomb_refused(make_app, tmp_path):
    app = make_app(UPLOAD_MAX_MB_PACKAGE=0.001, UPLOAD_MAX_MB_DOCUMENT=0.001)
    with app.app_context():
        from tests import factories
        from tests.conftest import LoginClient

        teacher = factories.user("educator", locale="en")
        client = LoginClient(app.test_client())(teacher)
        big = io.BytesIO()
        with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", "{}")
            zf.writestr("pad.bin", os.urandom(4000))  # does not compress
        r = client.post(
            "/teach/import",
            data={"package": (io.BytesIO(big.getvalue()), "big.zip")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert "too large" in r.text
        bomb = io.BytesIO()
        payload = PDF + b"\0" * 50_000  # compresses to almost nothing
        manifest = {
            "format": "lms-course-package",
            "version": 1,
            "course": {"title": "x"},
            "sections": [{"title": "s"}],
            "activities": [],
            "files": [
                {
                    "path": "files/1-a.pdf",
                    "filename": "a.pdf",
                    "sha256": hashlib.sha256(payload).hexdigest(),
                }
            ],
        }
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest))
            zf.writestr("files/1-a.pdf", payload)
        bomb.seek(0)
        with (
            force_locale("en"),
            pytest.raises(PackageError, match=r"files\[0\] 'files/1-a.pdf': larger than"),
        ):
            import_course(bomb, teacher)


def test_refusals_in_thai_say_what_and_where(app, login, f):
    """A Thai educator importing on the web reads why, in Thai, with the file or activity."""
    teacher, data = _package(app, login, f)
    name = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))["files"][0]["path"]
    thai = f.user("educator", locale="th")
    client = login(thai)
    before = _state()

    def refused(package: io.BytesIO) -> str:
        r = client.post(
            "/teach/import",
            data={"package": (package, "course.zip")},
            content_type="multipart/form-data",
            follow_redirects=True,
        )
        assert r.status_code == 200
        return r.text

    page = refused(_rewrite(data, drop=name))  # a missing file
    assert "นำเข้าแพ็กเกจไม่สำเร็จ" in page
    assert f"files[0].path ไม่พบไฟล์ &#39;{name}&#39; ในแพ็กเกจ" in page
    page = refused(_rewrite(data, manifest_change=lambda m: _bad(m, "content_type", "quiz9")))
    assert "activities[3].content_type ไม่ได้ติดตั้งประเภทเนื้อหา &#39;quiz9&#39;" in page
    assert "(กิจกรรม &#34;Clip&#34;)" in page  # which activity, by its title
    page = refused(_rewrite(data, replace={"manifest.json": b"{nope"}))  # a bad manifest
    assert "manifest.json ไม่ใช่ JSON ที่ถูกต้อง" in page
    assert _state() == before  # nothing half-imported
    with force_locale("en"), pytest.raises(PackageError, match=r'\(activity "Clip"\)$'):
        import_course(_rewrite(data, manifest_change=lambda m: _bad(m, "section", 9)), teacher)
