"""A text page's narration: an optional audio file, checked on upload, served with the page's
access checks, shown as a labelled player (and a big Listen button in the picture-led
variant), and carried through course packages and duplication."""

from __future__ import annotations

import io
import re

import pytest

from lms.extensions import db
from lms.models import Activity, StoredFile
from lms.packages import export_course, import_course
from lms.storage import UploadError, check_upload, get_storage
from tests.unit.content_helpers import add, base_fields, setup_course, upload

#: An ID3 tag followed by an MPEG-1 Layer III frame header, then silence.
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 64
OGG = b"OggS\x00\x02" + b"\x00" * 100
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 100


def _fields(title: str = "บทเรียน", body: str = "สวัสดี", **extra) -> dict:
    return base_fields(title, "manual", page_format="markdown", page_body=body, **extra)


def _narration_of(activity) -> StoredFile | None:
    from lms_page.models import Page

    db.session.expire_all()
    page = db.session.get(Page, activity.id)
    return page.narration if page is not None else None


def _with_audio(client, course, data: bytes = MP3, name: str = "เสียงบรรยาย.mp3"):
    activity = add(client, course, "page", _fields(page_audio=upload(data, name)))
    stored = _narration_of(activity)
    assert stored is not None
    return activity, stored


def _audio_src(html: str) -> str:
    match = re.search(
        r'<audio id="narration-\d+" controls preload="none">\s*<source src="([^"]+)"', html
    )
    assert match, html
    return match.group(1)


@pytest.mark.parametrize(
    ("data", "name", "mimetype"),
    [
        (MP3, "a.mp3", "audio/mpeg"),
        (M4A, "a.m4a", "audio/mp4"),
        (OGG, "a.ogg", "audio/ogg"),
        (WAV, "a.WAV", "audio/wav"),
        (b"\xff\xf3\x40\xc0" + b"\x00" * 50, "raw.mp3", "audio/mpeg"),
    ],
)
def test_audio_kind_accepts_each_type_by_its_first_bytes(app, data, name, mimetype):
    assert check_upload(io.BytesIO(data), name, "audio").content_type == mimetype


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"<html>", "a.mp3"), (MP3, "a.m4a"), (WAV, "a.ogg"), (OGG, "a.wav"), (MP3, "a.flac")],
)
def test_audio_kind_refuses_wrong_content_or_extension(app, data, name):
    with pytest.raises(UploadError):
        check_upload(io.BytesIO(data), name, "audio")


def test_learner_sees_a_labelled_player_and_others_get_403(login, f):
    teacher, course, learner = setup_course(f)
    activity, stored = _with_audio(login(teacher), course)
    assert stored.content_type == "audio/mpeg" and stored.activity_id == activity.id
    assert stored.course_id == course.id
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    html = client.get(f"/activity/{activity.id}").text
    label_id = f"narration-{activity.id}-label"
    assert f'role="group" aria-labelledby="{label_id}"' in html
    assert f'<p class="page-narration-label" id="{label_id}">Listen to this lesson</p>' in html
    src = _audio_src(html)
    assert src.startswith(f"/files/{stored.id}/")
    assert 'type="audio/mpeg"' in html
    # The big button: present but hidden until narration.js runs; CSS shows it only in the
    # picture-led variant.
    button = re.search(r'<button type="button" class="button page-listen"[^>]*>', html).group(0)
    assert " hidden" in button and f'aria-controls="narration-{activity.id}"' in button
    assert "/plugins/lms_page/static/narration.js" in html
    assert "/plugins/lms_page/static/page.css" in html
    assert html.index("page-narration") < html.index("page-body")  # at the top of the lesson

    r = client.get(src)
    served = r.data
    r.close()
    assert r.status_code == 200 and r.mimetype == "audio/mpeg" and served == MP3
    assert "attachment" not in r.headers.get("Content-Disposition", "")  # plays inline
    r = client.get(src, headers={"Range": "bytes=0-9"})
    part = r.data
    r.close()
    assert r.status_code == 206 and part == MP3[:10]  # seeking works

    login(f.user())  # signed in, not enrolled
    assert client.get(src).status_code == 403
    client.post("/logout")
    assert client.get(src).status_code in (302, 401)  # anonymous: to the login page


def test_page_without_narration_has_no_player(login, f):
    teacher, course, learner = setup_course(f)
    activity = add(login(teacher), course, "page", _fields())
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    html = client.get(f"/activity/{activity.id}").text
    assert "<audio" not in html and "page-listen" not in html and "page.css" not in html


def test_wrong_type_and_too_big_are_refused_beside_the_field(make_app):
    app = make_app(UPLOAD_MAX_MB_AUDIO=0.001)  # about 1 KB
    with app.app_context():
        from tests import factories as f
        from tests.conftest import LoginClient

        teacher, course, _learner = setup_course(f)
        client = LoginClient(app.test_client())(teacher)
        url = f"/teach/section/{course.sections[0].id}/add/page"
        cases = [
            (b"<html><script>alert(1)</script></html>", "evil.mp3", "not a"),
            (MP3, "voice.exe", "not allowed"),
            (MP3, "voice.flac", "not allowed"),
            (MP3 + b"\x00" * 2000, "long.mp3", "too large"),
        ]
        for data, name, message in cases:
            r = client.post(
                url, data=_fields(page_audio=upload(data, name)), content_type="multipart/form-data"
            )
            assert r.status_code == 200, name
            error = re.search(r'id="page_audio-error">([^<]*)<', r.text)
            assert error and message in error.group(1), (name, r.text[-2000:])
        assert db.session.scalar(db.select(db.func.count(Activity.id))) == 0
        assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0


def test_replacing_and_removing_the_narration_deletes_the_old_file(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    activity, first = _with_audio(client, course)
    first_id, first_key = first.id, first.key
    edit = f"/teach/activity/{activity.id}/edit"
    form = client.get(edit).text
    assert 'name="page_audio_remove"' in form and "Now: เสียงบรรยาย.mp3" in form
    r = client.post(
        edit, data=_fields(page_audio=upload(OGG, "new.ogg")), content_type="multipart/form-data"
    )
    assert r.status_code == 302, r.text
    second = _narration_of(activity)
    assert second.id != first_id and second.content_type == "audio/ogg"
    assert db.session.get(StoredFile, first_id) is None
    assert not get_storage().exists(first_key)
    second_id, second_key = second.id, second.key
    r = client.post(edit, data=_fields(page_audio_remove="y"), content_type="multipart/form-data")
    assert r.status_code == 302, r.text
    assert _narration_of(activity) is None
    assert db.session.get(StoredFile, second_id) is None
    assert not get_storage().exists(second_key)
    assert 'name="page_audio_remove"' not in client.get(edit).text
    assert "<audio" not in client.get(f"/activity/{activity.id}").text


def test_package_round_trip_keeps_the_narration(login, f):
    teacher, course, learner = setup_course(f)
    activity, stored = _with_audio(login(teacher), course)
    buffer = io.BytesIO()
    manifest = export_course(course, buffer)
    (entry,) = manifest["activities"]
    assert "narration" in entry["data"]
    assert [(x["filename"], x["content_type"]) for x in manifest["files"]] == [
        ("เสียงบรรยาย.mp3", "audio/mpeg")
    ]
    buffer.seek(0)
    copy = import_course(buffer, teacher)
    db.session.commit()
    (new_activity,) = db.session.scalars(
        db.select(Activity).where(Activity.course_id == copy.id)
    ).all()
    new_file = _narration_of(new_activity)
    assert new_file is not None and new_file.id != stored.id
    assert new_file.activity_id == new_activity.id and new_file.course_id == copy.id
    assert new_file.sha256 == stored.sha256 and new_file.content_type == "audio/mpeg"
    assert _narration_of(activity).id == stored.id  # the original is untouched
    client = login(teacher)
    src = _audio_src(client.get(f"/activity/{new_activity.id}").text)
    assert src.startswith(f"/files/{new_file.id}/")
    r = client.get(src)
    served = r.data
    r.close()
    assert r.status_code == 200 and served == MP3


def test_import_refuses_a_narration_that_is_not_audio(app, f):
    from lms_page.models import Page

    page_type = app.extensions["lms"].content.get("page")
    course = f.course(lessons=1)
    (lesson,) = f.activities(course)
    image = StoredFile(
        key="00/" + "0" * 32,
        course_id=course.id,
        filename="x.png",
        content_type="image/png",
        size=1,
        sha256="0" * 64,
    )
    db.session.add(image)
    db.session.flush()
    with pytest.raises(ValueError, match="not a stored audio file"):
        page_type.import_data(lesson, {"format": "markdown", "body": "x", "narration": image.id})
    with pytest.raises(ValueError):
        page_type.import_data(lesson, {"format": "markdown", "body": "x", "narration": "1"})
    db.session.rollback()
    assert db.session.get(Page, lesson.id).narration_id is None


def test_duplicate_copies_the_narration(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    activity, stored = _with_audio(client, course)
    r = client.post(f"/teach/activity/{activity.id}/duplicate")
    assert r.status_code == 302
    copy = db.session.scalars(
        db.select(Activity).where(Activity.course_id == course.id).order_by(Activity.id.desc())
    ).first()
    assert copy.id != activity.id
    new_file = _narration_of(copy)
    assert new_file.id != stored.id and new_file.sha256 == stored.sha256
    assert new_file.activity_id == copy.id
    old_id, new_id = stored.id, new_file.id
    client.post(f"/teach/activity/{activity.id}/delete")
    db.session.expire_all()
    assert db.session.get(StoredFile, old_id) is None
    assert db.session.get(StoredFile, new_id) is not None


def test_thai_labels_on_the_form_and_the_lesson(login, f):
    teacher = f.user("educator", locale="th")
    course = f.course(teacher=teacher, lessons=0)
    client = login(teacher)
    form = client.get(f"/teach/section/{course.sections[0].id}/add/page").text
    assert "เสียงบรรยาย (ไม่บังคับ)" in form
    assert 'accept=".mp3,.m4a,.ogg,.wav,audio/*"' in form
    activity, _stored = _with_audio(client, course)
    learner = f.user(locale="th")
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    html = client.get(f"/activity/{activity.id}").text
    assert "ฟังบทเรียนนี้" in html and 'data-pause="หยุดเสียงบทเรียนชั่วคราว"' in html


def test_picture_led_css_shows_a_big_button(client):
    r = client.get("/plugins/lms_page/static/page.css")
    css = r.text
    r.close()  # send_file's open file
    assert r.status_code == 200
    rule = re.search(
        r"body\.a11y-pictures \.page-narration \.page-listen:not\(\[hidden\]\) \{([^}]*)\}", css
    )
    assert rule and "display: flex" in rule.group(1)
    assert int(re.search(r"min-height: (\d+)px", rule.group(1)).group(1)) >= 48
    assert re.search(
        r"(^|\n)\.page-narration \.page-listen \{ display: none; \}", css
    )  # others: the player only


def test_the_players_words_carry_the_interface_language(login, f):
    """An English course read in Thai: the lesson is lang="en", the player's Thai words are
    marked lang="th" (WCAG 3.1.2, language of parts)."""
    teacher = f.user("educator", locale="th")
    course = f.course(teacher=teacher, lessons=0, language="en")
    activity, _stored = _with_audio(login(teacher), course)
    learner = f.user(locale="th")
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    html = client.get(f"/activity/{activity.id}").text
    assert '<article class="lesson" lang="en">' in html
    player = re.search(r'<div class="page-narration"[^>]*>', html).group(0)
    assert 'lang="th"' in player
    assert "ฟังบทเรียนนี้" in html
