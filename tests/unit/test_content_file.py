"""The file content type: PDFs inline, other documents downloaded, completion on view."""

from lms.extensions import db
from lms.models import Activity, StoredFile
from lms.progress import get_progress
from lms.storage import get_storage
from tests.unit.content_helpers import DOCX, PDF, add, base_fields, setup_course, upload


def test_pdf_is_shown_inline_and_completes_on_view(login, f):
    teacher, course, learner = setup_course(f)
    activity = add(
        login(teacher),
        course,
        "file",
        base_fields("Leaflet", "view", file_upload=upload(PDF, "leaflet.pdf")),
    )
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    page = client.get(f"/activity/{activity.id}").text
    assert '<object class="file-inline"' in page and 'type="application/pdf"' in page
    assert "download=1" in page  # the fallback link
    assert get_progress(learner, activity).completed_at is not None


def test_office_document_is_downloaded(login, f):
    teacher, course, learner = setup_course(f)
    activity = add(
        login(teacher),
        course,
        "file",
        base_fields("Sheet", "view", file_upload=upload(DOCX, "form.docx")),
    )
    page = login(teacher).get(f"/activity/{activity.id}").text
    assert "<object" not in page and "form.docx" in page


def test_disallowed_upload_refused_beside_the_field(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    for name, data in (("x.exe", b"MZ\x90\x00"), ("fake.pdf", b"<html><script>x</script>")):
        r = client.post(
            f"/teach/section/{course.sections[0].id}/add/file",
            data=base_fields("x", "view", file_upload=upload(data, name)),
            content_type="multipart/form-data",
        )
        assert r.status_code == 200
        assert 'id="file_upload-error"' in r.text
    r = client.post(
        f"/teach/section/{course.sections[0].id}/add/file",
        data=base_fields("x", "view"),
        content_type="multipart/form-data",
    )
    assert 'id="file_upload-error"' in r.text and "Choose a file" in r.text
    assert db.session.scalar(db.select(db.func.count(Activity.id))) == 0
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0


def test_oversized_upload_refused(make_app, tmp_path):
    app = make_app(UPLOAD_MAX_MB_DOCUMENT=0.001)
    with app.app_context():
        from tests import factories as f
        from tests.conftest import LoginClient

        teacher, course, _learner = setup_course(f)
        client = LoginClient(app.test_client())(teacher)
        r = client.post(
            f"/teach/section/{course.sections[0].id}/add/file",
            data=base_fields("x", "view", file_upload=upload(PDF + b"0" * 5000, "big.pdf")),
            content_type="multipart/form-data",
        )
        assert r.status_code == 200 and "too large" in r.text


def test_edit_keeps_or_replaces_the_file_and_delete_removes_it(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    activity = add(
        client, course, "file", base_fields("Doc", "view", file_upload=upload(PDF, "a.pdf"))
    )
    first = db.session.scalars(db.select(StoredFile)).one()
    first_key = first.key
    r = client.post(
        f"/teach/activity/{activity.id}/edit",
        data=base_fields("Doc 2", "view"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 1
    client.post(
        f"/teach/activity/{activity.id}/edit",
        data=base_fields("Doc 3", "view", file_upload=upload(DOCX, "b.docx")),
        content_type="multipart/form-data",
    )
    db.session.expire_all()
    (second,) = db.session.scalars(db.select(StoredFile)).all()
    assert second.filename == "b.docx" and not get_storage().exists(first_key)
    client.post(f"/teach/activity/{activity.id}/delete")
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0
    assert not get_storage().exists(second.key)
