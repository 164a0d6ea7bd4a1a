"""Authoring: preview, duplicate, availability dates and prerequisites."""

from datetime import timedelta

from lms.courses import add_enrolment
from lms.extensions import db
from lms.models import Activity, StoredFile
from lms.models.base import utcnow
from lms.progress import get_progress
from lms.storage import get_storage
from tests.unit.content_helpers import PDF, add, base_fields, setup_course, upload


def test_staff_see_an_obvious_preview(login, f):
    teacher, course, _learner = setup_course(f, lessons=1)
    (lesson,) = db.session.scalars(db.select(Activity)).all()
    client = login(teacher)
    assert f"/activity/{lesson.id}" in client.get(f"/teach/{course.id}").text
    assert 'id="preview-note"' in client.get(f"/activity/{lesson.id}").text


def test_duplicate_copies_data_and_files(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    original = add(
        client, course, "file", base_fields("Doc", "view", file_upload=upload(PDF, "a.pdf"))
    )
    r = client.post(f"/teach/activity/{original.id}/duplicate")
    assert r.status_code == 302
    copy = db.session.scalars(db.select(Activity).order_by(Activity.id.desc())).first()
    assert copy.id != original.id and copy.title == "Doc (copy)" and not copy.is_visible
    files = db.session.scalars(db.select(StoredFile).order_by(StoredFile.id)).all()
    assert len(files) == 2 and files[0].key != files[1].key
    assert files[0].sha256 == files[1].sha256
    client.post(f"/teach/activity/{original.id}/delete")  # the copy keeps its own file
    assert get_storage().exists(files[1].key) and not get_storage().exists(files[0].key)
    assert "a.pdf" in client.get(f"/activity/{copy.id}").text


def test_availability_dates_lock_with_a_reason(login, f):
    teacher, course, learner = setup_course(f, lessons=1)
    (lesson,) = db.session.scalars(db.select(Activity)).all()
    lesson.available_from = utcnow() + timedelta(days=2)
    add_enrolment(learner, course)
    db.session.commit()
    client = login(learner)
    page = client.get(f"/activity/{lesson.id}").text
    assert 'id="locked-reason"' in page and "This lesson opens on" in page
    assert "Body" not in page and get_progress(learner, lesson) is None
    lesson.available_from = None
    lesson.available_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "This lesson closed on" in client.get(f"/activity/{lesson.id}").text
    lesson.available_until = utcnow() + timedelta(days=1)
    db.session.commit()
    assert 'id="locked-reason"' not in client.get(f"/activity/{lesson.id}").text
    assert 'id="locked-reason"' not in login(teacher).get(f"/activity/{lesson.id}").text


def test_availability_form_takes_bangkok_time(login, f):
    teacher, course, _learner = setup_course(f)
    lesson = add(
        login(teacher),
        course,
        "link",
        base_fields("L", "auto", link_url="https://a.example/", available_from="2027-01-01T08:00"),
    )
    assert lesson.available_from.isoformat() == "2027-01-01T01:00:00+00:00"


def test_requires_completion_of_another_activity(login, f):
    teacher, course, learner = setup_course(f, lessons=2)
    first, second = db.session.scalars(db.select(Activity).order_by(Activity.id)).all()
    client = login(teacher)
    r = client.post(
        f"/teach/activity/{second.id}/edit",
        data=base_fields(
            "Lesson 2", "manual", requires=str(first.id), page_format="markdown", page_body="x"
        ),
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert second.requires_id == first.id
    r = client.post(  # a cycle would lock both forever
        f"/teach/activity/{first.id}/edit",
        data=base_fields(
            "Lesson 1", "manual", requires=str(second.id), page_format="markdown", page_body="x"
        ),
    )
    assert r.status_code == 200 and 'id="requires-error"' in r.text
    add_enrolment(learner, course)
    db.session.commit()
    client = login(learner)
    page = client.get(f"/activity/{second.id}").text
    assert 'Complete "Lesson 1" first.' in page.replace("&#34;", '"')
    assert client.post(f"/activity/{second.id}/progress", json={}).status_code == 403
    client.post(f"/activity/{first.id}/complete")
    assert 'id="locked-reason"' not in client.get(f"/activity/{second.id}").text


def test_outline_shows_locked_lessons_with_the_reason(login, f, count_queries):
    """Locked lessons stay in the learner's outline, each with why: the opening date (Buddhist
    Era in Thai) or the lesson to complete first; none for staff."""
    from datetime import UTC, datetime

    teacher, course, _learner = setup_course(f, lessons=4)
    first, second, third, fourth = db.session.scalars(
        db.select(Activity).order_by(Activity.id)
    ).all()
    second.requires_id = first.id
    third.available_from = datetime(2099, 1, 15, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok
    fourth.available_until = utcnow() - timedelta(days=1)
    db.session.commit()
    thai = f.user(locale="th")
    add_enrolment(thai, course)
    db.session.commit()
    client = login(thai)
    page = client.get(f"/courses/{course.id}").text
    assert page.count('class="meta lock-reason"') == 3
    assert f'aria-describedby="lock-{second.id}"' in page
    assert 'โปรดเรียน "Lesson 1" ให้จบก่อน' in page.replace("&#34;", '"')
    assert "บทเรียนนี้จะเปิดให้เรียนวันที่ 15 ม.ค. 2642 10:00 น." in page  # 2099 CE = 2642 BE
    assert "บทเรียนนี้ปิดไปแล้วเมื่อ" in page
    assert f"/activity/{third.id}" in page  # still listed and linked, not hidden

    with count_queries() as q:
        client.get(f"/courses/{course.id}")
    for i in range(3):  # more locked lessons: no more queries
        f.page(course.sections[0].id, f"More {i}", "x").requires_id = second.id
    db.session.commit()
    client.get(f"/courses/{course.id}")  # caches warm again
    with count_queries() as q2:
        page = client.get(f"/courses/{course.id}").text
    assert page.count('class="meta lock-reason"') == 6
    assert q2.count == q.count

    client.post(f"/activity/{first.id}/complete")
    page = client.get(f"/courses/{course.id}").text.replace("&#34;", '"')
    assert 'โปรดเรียน "Lesson 1" ให้จบก่อน' not in page and 'โปรดเรียน "Lesson 2"' in page

    english = login(f.user(locale="en"))
    page = english.get(f"/courses/{course.id}").text
    assert "This lesson opens on Jan 15, 2099, 10:00." in page  # a visitor sees dates too
    assert 'Complete "Lesson 1" first.' in page.replace("&#34;", '"')
    assert 'class="meta lock-reason"' not in login(teacher).get(f"/courses/{course.id}").text
