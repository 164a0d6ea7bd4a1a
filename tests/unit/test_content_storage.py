"""Storage: upload checks, the access-checked file route, Range requests, clean-up."""

import io

import pytest
from flask_babel import force_locale

from lms.extensions import db
from lms.models import StoredFile
from lms.storage import LocalStorage, UploadError, check_upload, get_storage, store
from tests.unit.content_helpers import MP4, PDF, PNG, VTT, add, base_fields, setup_course, upload


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [(PDF, "a.pdf", "document"), (MP4, "v.mp4", "video"), (VTT, "c.vtt", "captions"),
     (PNG, "p.png", "image"), (b"PK\x03\x04xx", "d.docx", "document")],
)  # fmt: skip
def test_allowed_uploads_pass(app, data, name, kind):
    assert check_upload(io.BytesIO(data), name, kind).extension == name.rsplit(".")[-1]


@pytest.mark.parametrize(
    ("data", "name", "kind", "message"),
    [
        (b"<script>alert(1)</script>", "evil.pdf", "document", "not a .pdf"),
        (PDF, "a.exe", "document", "not allowed"),
        (PDF, "a.mp4", "video", "not a .mp4"),
        (b"hello", "c.vtt", "captions", "not a .vtt"),
        (MP4, "a.pdf", "document", "not a .pdf"),
        (PDF, "a.html", "document", "not allowed"),
    ],
)
def test_disallowed_uploads_are_refused(app, data, name, kind, message):
    with force_locale("en"), pytest.raises(UploadError, match=message):
        check_upload(io.BytesIO(data), name, kind)


def test_oversized_upload_is_refused(make_app):
    app = make_app(UPLOAD_MAX_MB_DOCUMENT=0.001)  # about 1 KB
    with app.app_context(), force_locale("en"), pytest.raises(UploadError, match="too large"):
        check_upload(io.BytesIO(PDF + b"0" * 2000), "big.pdf", "document")


def test_local_storage_keys_cannot_escape(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.save(io.BytesIO(b"abc"), "x.pdf", "application/pdf")
    with storage.open(key) as stream:
        assert storage.size(key) == 3 and stream.read() == b"abc"
    with pytest.raises(KeyError):
        storage.open("../../etc/passwd")
    storage.delete(key)
    assert not storage.exists(key)


def test_rolled_back_upload_leaves_no_file(app, f):
    _teacher, course, _learner = setup_course(f)
    row = store(
        io.BytesIO(PDF), "a.pdf", check_upload(io.BytesIO(PDF), "a.pdf", "document"), course.id
    )
    key = row.key
    assert get_storage().exists(key)
    db.session.rollback()
    assert not get_storage().exists(key)


def _file_activity(login, f):
    teacher, course, learner = setup_course(f)
    client = login(teacher)
    activity = add(
        client, course, "file", base_fields("Handout", "view", file_upload=upload(PDF, "แผ่นพับ.pdf"))
    )
    stored = db.session.scalars(db.select(StoredFile)).one()
    return teacher, course, learner, activity, stored


def test_file_route_access_checks(login, f):
    teacher, course, learner, _activity, stored = _file_activity(login, f)
    url = f"/files/{stored.id}/{stored.filename}"
    client = login(learner)
    assert client.get(url).status_code == 403  # not enrolled
    client.post(f"/courses/{course.id}/enrol")
    r = client.get(url)
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("inline")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r.close()
    r = client.get(url + "?download=1")
    assert r.headers["Content-Disposition"].startswith("attachment")
    r.close()
    r = login(teacher).get(url)
    assert r.status_code == 200
    r.close()
    client.post("/logout")
    assert client.get(url).status_code in (302, 401)  # anonymous: log in first


def test_range_request_gets_206(login, f):
    teacher, course, learner = setup_course(f)
    client = login(teacher)
    add(
        client,
        course,
        "video",
        base_fields("Clip", "auto", video_upload=upload(MP4, "clip.mp4"), threshold="80"),
    )
    stored = db.session.scalars(db.select(StoredFile)).one()
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    r = client.get(f"/files/{stored.id}/clip.mp4", headers={"Range": "bytes=4-11"})
    assert r.status_code == 206
    assert r.data == MP4[4:12]
    assert r.headers["Content-Range"] == f"bytes 4-11/{len(MP4)}"
    assert r.headers["Content-Type"] == "video/mp4"
    r.close()


def test_file_follows_its_activity_hidden_and_locked(login, f):
    """Access is checked per activity: a learner who knows the URL gets 404 while the activity
    is hidden and 403 while it is locked (dates, prerequisite); staff always get the file."""
    from datetime import timedelta

    from lms.models import Activity
    from lms.models.base import utcnow
    from lms.progress import complete

    teacher, course, learner, activity, stored = _file_activity(login, f)
    assert stored.activity_id == activity.id
    url = f"/files/{stored.id}/{stored.filename}"
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")

    def status(who) -> int:
        r = login(who).get(url)
        r.close()
        return r.status_code

    assert status(learner) == 200
    activity.is_visible = False
    db.session.commit()
    assert (status(learner), status(teacher)) == (404, 200)

    activity.is_visible = True
    activity.available_from = utcnow() + timedelta(days=2)
    db.session.commit()
    assert (status(learner), status(teacher)) == (403, 200)
    activity.available_from = None
    activity.available_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert status(learner) == 403

    activity.available_until = None
    first = f.page(course.sections[0].id, "Read first", "x")
    activity.requires_id = first.id
    db.session.commit()
    assert (status(learner), status(teacher)) == (403, 200)
    complete(learner, db.session.get(Activity, first.id))
    db.session.commit()
    assert status(learner) == 200


def test_video_and_captions_follow_their_activity(login, f):
    teacher, course, learner = setup_course(f)
    video = add(
        login(teacher),
        course,
        "video",
        base_fields("Clip", "auto", video_upload=upload(MP4, "c.mp4"),
                    captions_upload=upload(VTT, "c.vtt"), threshold="80"),
    )  # fmt: skip
    rows = db.session.scalars(db.select(StoredFile)).all()
    assert len(rows) == 2 and {r.activity_id for r in rows} == {video.id}
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    video.is_visible = False
    db.session.commit()
    for row in rows:
        assert client.get(f"/files/{row.id}/{row.filename}").status_code == 404


def test_duplicated_activity_files_are_linked_to_the_copy(login, f):
    teacher, course, _learner, activity, stored = _file_activity(login, f)
    r = login(teacher).post(f"/teach/activity/{activity.id}/duplicate")
    assert r.status_code == 302
    rows = db.session.scalars(db.select(StoredFile).order_by(StoredFile.id)).all()
    assert len(rows) == 2 and rows[0].activity_id == activity.id
    assert rows[1].activity_id not in (None, activity.id)  # the hidden copy's own file


def _course_with_files(login, f):
    teacher, course, learner, activity, stored = _file_activity(login, f)
    add(
        login(teacher),
        course,
        "video",
        base_fields("Clip", "auto", video_upload=upload(MP4, "c.mp4"),
                    captions_upload=upload(VTT, "c.vtt"), threshold="80"),
    )  # fmt: skip
    keys = list(db.session.scalars(db.select(StoredFile.key)))
    assert len(keys) == 3 and all(get_storage().exists(k) for k in keys)
    return teacher, course, learner, keys


def test_deleting_a_course_removes_its_files(login, f):
    from lms.models import Activity, Course

    teacher, course, learner, keys = _course_with_files(login, f)
    other = f.course(teacher=teacher)  # another course's file stays
    kept = store(io.BytesIO(PDF), "k.pdf", check_upload(io.BytesIO(PDF), "k.pdf", "document"),
                 other.id)  # fmt: skip
    db.session.commit()
    course_id = course.id
    assert login(learner).post(f"/teach/{course_id}/delete").status_code == 403
    client = login(teacher)
    page = client.get(f"/teach/{course_id}/delete").text
    assert "2 activities" in page and "cannot be undone" in page
    r = client.post(f"/teach/{course_id}/delete")
    assert r.status_code == 302 and r.headers["Location"].endswith("/teach/")
    db.session.expire_all()
    assert db.session.get(Course, course_id) is None
    assert (
        db.session.scalars(db.select(Activity).where(Activity.course_id == course_id)).all() == []
    )
    assert list(db.session.scalars(db.select(StoredFile.key))) == [kept.key]
    assert not any(get_storage().exists(k) for k in keys)
    assert get_storage().exists(kept.key)


def test_rolled_back_course_deletion_keeps_the_files(app, login, f):
    from lms.teach.services import delete_course

    _teacher, course, _learner, keys = _course_with_files(login, f)
    delete_course(course, app.extensions["lms"].content)
    db.session.rollback()
    assert all(get_storage().exists(k) for k in keys)


def test_cli_course_delete(app, login, f):
    from lms.models import Course

    _teacher, course, _learner, keys = _course_with_files(login, f)
    course_id = course.id
    result = app.test_cli_runner().invoke(args=["course", "delete", str(course_id), "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Course, course_id) is None
    assert not any(get_storage().exists(k) for k in keys)


def test_deleting_an_activity_removes_files_its_type_forgot(login, f):
    teacher, course, _learner = setup_course(f)
    page = f.page(course.sections[0].id, "Pictures", "x")
    ftype = check_upload(io.BytesIO(PNG), "p.png", "image")
    key = store(io.BytesIO(PNG), "p.png", ftype, course.id, activity_id=page.id).key
    db.session.commit()
    assert get_storage().exists(key)
    assert login(teacher).post(f"/teach/activity/{page.id}/delete").status_code == 302
    assert db.session.scalars(db.select(StoredFile)).all() == []
    assert not get_storage().exists(key)


def test_sweep_removes_unnamed_bytes_and_links_old_files(app, login, f):
    import os
    import time

    _teacher, _course, _learner, activity, stored = _file_activity(login, f)
    stored.activity_id = None  # as stored before files named their activity
    db.session.commit()
    storage = get_storage()
    old = storage.save(io.BytesIO(PDF), "old.pdf", "application/pdf")  # no row: an orphan
    path = storage.root / old
    os.utime(path, (time.time() - 7200, time.time() - 7200))
    recent = storage.save(io.BytesIO(PDF), "new.pdf", "application/pdf")  # maybe mid-upload

    runner = app.test_cli_runner()
    result = runner.invoke(args=["files", "sweep", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 orphaned files would be removed" in result.output
    assert storage.exists(old)
    db.session.expire_all()
    assert db.session.get(StoredFile, stored.id).activity_id is None

    result = runner.invoke(args=["files", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 files linked" in result.output and "1 orphaned files removed" in result.output
    assert not storage.exists(old) and storage.exists(recent) and storage.exists(stored.key)
    db.session.expire_all()
    assert db.session.get(StoredFile, stored.id).activity_id == activity.id


def test_sweep_on_a_storage_that_cannot_list_its_keys_says_so(app, monkeypatch):
    """An optional capability: a backend without ``keys()`` is not swept, and the command
    says why instead of failing with a traceback."""
    from lms import storage as storage_module

    backend = storage_module.get_storage(app)
    monkeypatch.setattr(type(backend), "keys", storage_module.Storage.keys, raising=True)
    result = app.test_cli_runner().invoke(args=["files", "sweep"])
    assert result.exit_code == 1
    assert "cannot list its keys" in result.output and "cannot be swept" in result.output
