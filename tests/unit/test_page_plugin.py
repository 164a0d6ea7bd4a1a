"""The page content type: sanitised Markdown/HTML, and images uploaded into the course."""

import io
import re
import struct
import zlib

from lms.extensions import db
from lms.html import markdown, sanitize
from lms.models import Activity, StoredFile
from lms.packages import export_course, import_course
from lms.storage import get_storage
from tests.unit.content_helpers import add, base_fields, setup_course, upload


def _png(width: int = 2, height: int = 2) -> bytes:
    """A real, valid PNG: red pixels, built with zlib (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def _page_fields(title: str = "Lesson", body: str = "สวัสดี **ครับ**", **extra) -> dict:
    return base_fields(title, "manual", page_format="markdown", page_body=body, **extra)


def _with_image(client, course, alt: str = "แผนที่ดอยสุเทพ", name: str = "map.png"):
    activity = add(
        client,
        course,
        "page",
        _page_fields(page_image=upload(PNG, name), page_image_alt=alt),
    )
    stored = db.session.scalars(
        db.select(StoredFile).where(StoredFile.activity_id == activity.id)
    ).one()
    return activity, stored


def _image_src(html: str) -> str:
    match = re.search(r'<img src="([^"]+)" alt="([^"]*)"', html)
    assert match, html
    return match.group(1)


def test_script_never_survives():
    dirty = '<p onclick="x()">hi</p><script>alert(1)</script><a href="javascript:alert(1)">l</a><img src=x onerror=alert(1)>'
    clean = str(sanitize(dirty))
    assert "<script" not in clean and "onclick" not in clean
    assert "javascript:" not in clean and "onerror" not in clean
    assert "<p>hi</p>" in clean


def test_markdown_keeps_thai_and_formatting():
    html = str(markdown("## หัวข้อ\n\nข้อความ **ตัวหนา** <script>x</script>"))
    assert "<h2>หัวข้อ</h2>" in html and "<strong>ตัวหนา</strong>" in html
    assert "<script" not in html


def test_page_with_script_renders_safely_for_the_learner(login, f):
    course = f.course(lessons=0)
    lesson = f.page(
        course.sections[0].id, "XSS", '<img src=x onerror="alert(1)"><script>alert(2)</script>ok'
    )
    client = login(f.user())
    client.post(f"/courses/{course.id}/enrol")
    page = client.get(f"/activity/{lesson.id}").text
    assert "alert(" not in page and "ok" in page


def test_export_data_without_images(app, f):
    course = f.course(lessons=1)
    (lesson,) = f.activities(course)
    page_type = app.extensions["lms"].content.get("page")
    data = page_type.export_data(lesson)
    assert data == {"format": "markdown", "body": "Body **1**"}


def test_uploaded_png_is_shown_to_an_enrolled_learner_only(login, f):
    teacher, course, learner = setup_course(f)
    activity, stored = _with_image(login(teacher), course)
    assert stored.content_type == "image/png" and stored.course_id == course.id
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    html = client.get(f"/activity/{activity.id}").text
    assert "สวัสดี <strong>ครับ</strong>" in html  # Thai text intact
    src = _image_src(html)
    assert f"/files/{stored.id}/" in src
    assert 'alt="แผนที่ดอยสุเทพ"' in html and 'loading="lazy"' in html
    r = client.get(src)
    served = r.data
    r.close()  # send_file's open file
    assert r.status_code == 200 and r.mimetype == "image/png" and served == PNG
    login(f.user())  # signed in, not enrolled
    assert client.get(src).status_code == 403


def test_edit_form_lists_images_with_a_snippet_and_removing_deletes(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    activity, stored = _with_image(client, course, alt="แผนที่ [ใหม่]")
    form = client.get(f"/teach/activity/{activity.id}/edit").text
    url = f"/files/{stored.id}/map.png"
    snippet = rf"![แผนที่ \[ใหม่\]]({url})"
    assert f'value="{snippet}"' in form  # ready to paste
    page = db.session.get(Activity, activity.id)
    body = app_page_body(activity)
    assert body.endswith(snippet + "\n")  # the upload was added at the end of the text
    key, stored_id = stored.key, stored.id
    assert get_storage().exists(key)
    row_id = re.search(r'name="page_images" value="(\d+)"', form).group(1)
    r = client.post(
        f"/teach/activity/{activity.id}/edit",
        data=_page_fields(body=body, page_images=row_id),
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.text
    db.session.expire_all()
    assert db.session.get(StoredFile, stored_id) is None
    assert not get_storage().exists(key)
    assert "files/" not in app_page_body(page)  # its line left the text too
    assert 'name="page_images"' not in client.get(f"/teach/activity/{activity.id}/edit").text


def app_page_body(activity) -> str:
    from lms_page.models import Page

    db.session.expire_all()
    return db.session.get(Page, activity.id).body


def test_fake_png_missing_alt_and_oversize_are_refused_beside_the_field(make_app):
    app = make_app(UPLOAD_MAX_MB_IMAGE=0.001)  # about 1 KB
    with app.app_context():
        from tests import factories as f
        from tests.conftest import LoginClient

        teacher, course, _learner = setup_course(f)
        client = LoginClient(app.test_client())(teacher)
        url = f"/teach/section/{course.sections[0].id}/add/page"
        cases = [
            (b"<html><script>alert(1)</script></html>", "evil.png", "alt", "page_image", "not a"),
            (PNG, "x.svg", "alt", "page_image", "not allowed"),
            (PNG + b"\x00" * 5000, "big.png", "alt", "page_image", "too large"),
            (PNG, "ok.png", "", "page_image_alt", "Describe the image"),
        ]
        for data, name, alt, field, message in cases:
            r = client.post(
                url,
                data=_page_fields(page_image=upload(data, name), page_image_alt=alt),
                content_type="multipart/form-data",
            )
            assert r.status_code == 200, name
            error = re.search(rf'id="{field}-error">([^<]*)<', r.text)
            assert error and message in error.group(1), (name, r.text[-2000:])
        assert db.session.scalar(db.select(db.func.count(Activity.id))) == 0
        assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0


def test_markdown_image_renders_img_with_alt_and_pasted_handlers_are_stripped(app, f):
    page_type = app.extensions["lms"].content.get("page")
    course = f.course(lessons=0)
    md = f.page(course.sections[0].id, "md", "ภาพ\n\n![ช้างไทย](/files/7/elephant.png)")
    html = str(page_type.render(md, f.user()))
    assert '<img src="/files/7/elephant.png" alt="ช้างไทย" loading="lazy">' in html
    pasted = f.page(course.sections[0].id, "html", "")
    page_type.import_data(
        pasted,
        {
            "format": "html",
            "body": '<p>ok</p><img src="/files/7/e.png" onerror="alert(1)" onload="x()">'
            '<img src="javascript:alert(2)" alt="j"><img src="data:image/png;base64,AAAA" alt="d">'
            "<script>alert(3)</script>",
        },
    )
    html = str(page_type.render(pasted, f.user()))
    assert "onerror" not in html and "onload" not in html and "<script" not in html
    assert "javascript:" not in html and "data:" not in html and "alert(" not in html
    assert '<img src="/files/7/e.png" alt="" loading="lazy">' in html  # alt added: axe


def test_package_round_trip_keeps_the_image_and_rewrites_its_url(login, f):
    teacher, course, _learner = setup_course(f)
    activity, stored = _with_image(login(teacher), course, name="ดอย.png")
    buffer = io.BytesIO()
    manifest = export_course(course, buffer)
    (entry,) = manifest["activities"]
    assert "lms-page-image:1" in entry["data"]["body"] and "/files/" not in entry["data"]["body"]
    assert [x["filename"] for x in manifest["files"]] == ["ดอย.png"]
    buffer.seek(0)
    copy = import_course(buffer, teacher)
    db.session.commit()
    (new_activity,) = db.session.scalars(
        db.select(Activity).where(Activity.course_id == copy.id)
    ).all()
    new_file = db.session.scalars(
        db.select(StoredFile).where(StoredFile.course_id == copy.id)
    ).one()
    assert new_file.id != stored.id and new_file.activity_id == new_activity.id
    assert new_file.sha256 == stored.sha256 and new_file.filename == "ดอย.png"
    body = app_page_body(new_activity)
    assert f"/files/{new_file.id}/image.png" in body and f"/files/{stored.id}/" not in body
    assert app_page_body(activity).count(f"/files/{stored.id}/") == 1  # original untouched
    client = login(teacher)
    html = client.get(f"/activity/{new_activity.id}").text
    src = _image_src(html)
    assert src == f"/files/{new_file.id}/image.png"
    r = client.get(src)
    served = r.data
    r.close()
    assert r.status_code == 200 and served == PNG


def test_duplicate_copies_the_image(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    activity, stored = _with_image(client, course)
    r = client.post(f"/teach/activity/{activity.id}/duplicate")
    assert r.status_code == 302
    copy = db.session.scalars(
        db.select(Activity).where(Activity.course_id == course.id).order_by(Activity.id.desc())
    ).first()
    assert copy.id != activity.id
    new_file = db.session.scalars(
        db.select(StoredFile).where(StoredFile.activity_id == copy.id)
    ).one()
    assert new_file.id != stored.id and new_file.sha256 == stored.sha256
    assert f"/files/{new_file.id}/map.png" in app_page_body(copy)
    old_id, new_id = stored.id, new_file.id
    client.post(f"/teach/activity/{activity.id}/delete")
    db.session.expire_all()
    assert db.session.get(StoredFile, old_id) is None
    assert db.session.get(StoredFile, new_id) is not None


def test_page_form_in_thai(login, f):
    teacher = f.user("educator", locale="th")
    course = f.course(teacher=teacher, lessons=0)
    html = login(teacher).get(f"/teach/section/{course.sections[0].id}/add/page").text
    assert "คำอธิบายภาพ (ข้อความแทนภาพ)" in html and "เพิ่มภาพ (ไม่บังคับ)" in html
    assert 'accept=".png,.jpg,.jpeg,.gif,.webp"' in html


def _page_row(activity_id: int):
    from lms_page.models import Page

    db.session.expire_all()
    return db.session.get(Page, activity_id)


def test_saving_stores_the_html_and_views_show_it(login, f):
    from lms.html import RENDER_VERSION

    course = f.course(lessons=0)
    lesson = f.page(
        course.sections[0].id, "Stored", "## หัวข้อ\n\nข้อความ **ตัวหนา** <script>x</script>"
    )
    page = _page_row(lesson.id)
    assert page.html_version == RENDER_VERSION
    assert "<strong>ตัวหนา</strong>" in page.html and "<script" not in page.html

    # the view shows what is stored, not a fresh rendering of the source
    page.html = "<p>stored-marker</p>"
    db.session.commit()
    client = login(f.user())
    client.post(f"/courses/{course.id}/enrol")
    assert "stored-marker" in client.get(f"/activity/{lesson.id}").text

    # stored with another rendering (an upgrade changed the sanitiser): rendered from source
    page = _page_row(lesson.id)
    page.html_version = "older"
    db.session.commit()
    shown = client.get(f"/activity/{lesson.id}").text
    assert "stored-marker" not in shown and "<strong>ตัวหนา</strong>" in shown


def test_editing_a_page_stores_its_new_html(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    activity = add(client, course, "page", _page_fields(body="first **one**"))
    assert "<strong>one</strong>" in _page_row(activity.id).html
    r = client.post(
        f"/teach/activity/{activity.id}/edit",
        data=_page_fields(body="second <em>two</em>"),
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.text
    page = _page_row(activity.id)
    assert "<em>two</em>" in page.html and "one" not in page.html


def test_store_html_command_fills_missing_and_stale_pages(app, f):
    from lms.html import RENDER_VERSION

    course = f.course(lessons=3)
    ids = [a.id for a in f.activities(course)]
    first, second, third = (_page_row(i) for i in ids)
    first.html = first.html_version = None  # saved before the column existed
    second.html, second.html_version = "<p>old</p>", "older"  # another rendering
    third.html = "<p>current</p>"  # up to date: left alone without --all
    db.session.commit()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["page", "store-html"])
    assert result.exit_code == 0, result.output
    assert "Stored the HTML of 2 pages." in result.output
    rows = [_page_row(i) for i in ids]
    assert [r.html_version for r in rows] == [RENDER_VERSION] * 3
    assert "<strong>1</strong>" in rows[0].html and "<strong>2</strong>" in rows[1].html
    assert rows[2].html == "<p>current</p>"

    result = runner.invoke(args=["page", "store-html", "--all"])
    assert "Stored the HTML of 3 pages." in result.output
    assert "<strong>3</strong>" in _page_row(ids[2]).html


def test_store_html_before_the_migration_says_to_run_init(make_app, tmp_path):
    # its own SQLite file: dropping the table must not touch the suite's shared database
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/before-init.db")
    with app.app_context():
        db.session.execute(db.text("DROP TABLE lms_page_image"))
        db.session.execute(db.text("DROP TABLE lms_page_page"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["page", "store-html"])
    assert result.exit_code == 1
    assert "run `lms init` first" in result.output
    assert "Traceback" not in result.output
