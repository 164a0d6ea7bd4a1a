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
