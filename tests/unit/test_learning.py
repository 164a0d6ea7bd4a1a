import re

from lms.courses import add_enrolment
from lms.extensions import db
from lms.models import ActivityProgress, Enrolment


def test_catalog_search_finds_thai_substrings(client, f):
    f.course(title="ปลูกผักสวนครัวในกระถาง")
    f.course(title="Digital literacy basics")
    f.course(title="คอร์สที่ซ่อน ผักสวนครัว", published=False)
    page = client.get("/courses?q=สวนครัว").text  # a word inside a run of Thai text
    assert "ปลูกผักสวนครัวในกระถาง" in page
    assert "Digital literacy" not in page
    assert "คอร์สที่ซ่อน" not in page  # unpublished courses never show


def test_catalog_search_treats_percent_literally(client, f):
    f.course(title="100% practical")
    f.course(title="Other")
    page = client.get("/courses?q=%25").text
    assert "100% practical" in page and "Other" not in page


def test_catalog_filters_by_language(client, f):
    f.course(title="Thai one", language="th")
    f.course(title="English one", language="en")
    page = client.get("/courses?language=en").text
    assert "English one" in page and "Thai one" not in page


def test_enrol_open_lesson_complete_progress(login, f):
    course = f.course(lessons=2)
    learner = f.user()
    client = login(learner)
    assert client.post(f"/courses/{course.id}/enrol").status_code == 302
    first, second = f.activities(course)
    page = client.get(f"/activity/{first.id}").text
    assert "<strong>1</strong>" in page
    assert 'aria-valuenow="0"' in page
    client.post(f"/activity/{first.id}/complete")
    assert 'aria-valuenow="50"' in client.get(f"/activity/{first.id}").text
    client.post(f"/activity/{second.id}/complete")
    enrolment = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment.completed_at is not None
    assert 'aria-valuenow="100"' in client.get("/my").text


def test_manual_completion_can_be_undone(login, f):
    course = f.course(lessons=1)
    learner = f.user()
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    (lesson,) = f.activities(course)
    client.post(f"/activity/{lesson.id}/complete")
    client.post(f"/activity/{lesson.id}/complete")
    row = db.session.scalar(
        db.select(ActivityProgress).where(ActivityProgress.user_id == learner.id)
    )
    assert row.completed_at is None


def test_view_completion_on_open(login, f):
    course = f.course(lessons=0)
    f.page(course.sections[0].id, "Read me", "text", completion="view")
    client = login(f.user())
    client.post(f"/courses/{course.id}/enrol")
    (lesson,) = f.activities(course)
    assert 'aria-valuenow="100"' in client.get(f"/activity/{lesson.id}").text


def test_wrong_enrolment_key(login, f):
    course = f.course(enrol_key="sesame")
    client = login(f.user())
    client.get("/lang/en")  # the assertion reads the English message (Thai is the default)
    r = client.post(f"/courses/{course.id}/enrol", data={"key": "wrong"}, follow_redirects=True)
    assert "enrolment key is not correct" in r.text
    assert (
        db.session.scalar(db.select(db.func.count(Enrolment.id)).where(Enrolment.role == "learner"))
        == 0
    )
    client.post(f"/courses/{course.id}/enrol", data={"key": "sesame"})
    assert (
        db.session.scalar(db.select(db.func.count(Enrolment.id)).where(Enrolment.role == "learner"))
        == 1
    )


def test_full_course(login, f):
    course = f.course(capacity=1)
    login(f.user()).post(f"/courses/{course.id}/enrol")
    client = login(f.user())
    client.get("/lang/en")  # the assertion reads the English message (Thai is the default)
    r = client.post(f"/courses/{course.id}/enrol", follow_redirects=True)
    assert "This course is full" in r.text
    assert (
        db.session.scalar(db.select(db.func.count(Enrolment.id)).where(Enrolment.role == "learner"))
        == 1
    )


def test_enrolling_twice_is_harmless(login, f):
    course = f.course()
    client = login(f.user())
    client.post(f"/courses/{course.id}/enrol")
    client.post(f"/courses/{course.id}/enrol")
    assert (
        db.session.scalar(db.select(db.func.count(Enrolment.id)).where(Enrolment.role == "learner"))
        == 1
    )


def test_unpublished_course_is_not_found_for_learners(login, f):
    course = f.course(published=False)
    client = login(f.user())
    assert client.get(f"/courses/{course.id}").status_code == 404
    assert client.post(f"/courses/{course.id}/enrol").status_code == 404
    (lesson, _) = f.activities(course)
    assert client.get(f"/activity/{lesson.id}").status_code == 404


def test_lesson_needs_enrolment(login, f):
    course = f.course()
    lesson = f.activities(course)[0]
    client = login(f.user())
    assert client.get(f"/activity/{lesson.id}").status_code == 403
    assert client.post(f"/activity/{lesson.id}/complete").status_code == 403


def test_hidden_activity_is_not_found_for_learners(login, f):
    course = f.course()
    lesson = f.activities(course)[0]
    lesson.is_visible = False
    db.session.commit()
    client = login(f.user())
    client.post(f"/courses/{course.id}/enrol")
    assert client.get(f"/activity/{lesson.id}").status_code == 404


def test_learner_cannot_read_another_learners_progress(login, f):
    course = f.course()
    alice, bob = f.user(), f.user()
    login(alice).post(f"/courses/{course.id}/enrol")
    client = login(bob)
    client.post(f"/courses/{course.id}/enrol")
    assert client.get(f"/courses/{course.id}/progress/{alice.id}").status_code == 403
    assert client.get(f"/courses/{course.id}/progress/{bob.id}").status_code == 200


def test_teacher_sees_learners_progress(login, f):
    teacher = f.user("educator")
    course = f.course(teacher=teacher)
    alice = f.user(name="Alice Learner")
    login(alice).post(f"/courses/{course.id}/enrol")
    client = login(teacher)
    assert "Alice Learner" in client.get(f"/teach/{course.id}/learners").text
    assert client.get(f"/courses/{course.id}/progress/{alice.id}").status_code == 200


def test_lesson_page_query_count_does_not_grow_with_lessons(login, f, count_queries):
    small, big = f.course(lessons=3), f.course(lessons=40)
    client = login(f.user())
    counts = []
    for course in (small, big):
        client.post(f"/courses/{course.id}/enrol")
        lesson = f.activities(course)[1]
        with count_queries() as q:
            assert client.get(f"/activity/{lesson.id}").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]


def test_course_and_catalog_query_counts_do_not_grow(login, f, count_queries):
    client = login(f.user())
    c1 = f.course(lessons=2)
    with count_queries() as small_catalog:
        client.get("/courses")
    with count_queries() as small_course:
        client.get(f"/courses/{c1.id}")
    c2 = f.course(lessons=30)
    for _ in range(10):
        f.course(lessons=1)
    with count_queries() as big_catalog:
        client.get("/courses")
    with count_queries() as big_course:
        client.get(f"/courses/{c2.id}")
    assert big_catalog.count == small_catalog.count
    assert big_course.count == small_course.count


def test_dashboard_query_count_does_not_grow_with_enrolments(login, f, count_queries):
    learner = f.user()
    client = login(learner)
    courses = [f.course(lessons=2) for _ in range(12)]
    client.post(f"/courses/{courses[0].id}/enrol")
    with count_queries() as one:
        assert client.get("/my").status_code == 200
    for c in courses[1:]:
        client.post(f"/courses/{c.id}/enrol")
    with count_queries() as twelve:
        page = client.get("/my").text
    assert page.count('role="progressbar"') == 12
    assert twelve.count == one.count


def test_lesson_links_follow_the_outline_across_sections_and_skip_hidden_lessons(login, f):
    """Previous/next and "Lesson n of m" follow the outline order (sections, then lessons),
    not creation order; a learner never sees a hidden lesson's link or count, its staff do."""
    from lms.teach import services

    teacher = f.user("educator")
    course = f.course(teacher=teacher, lessons=2)
    a1, a2 = f.activities(course)
    later = services.add_section(course, "Part 2")
    b1 = f.page(later.id, "Part 2 lesson", "Body")
    hidden = f.page(later.id, "Hidden lesson", "Body")
    hidden.is_visible = False
    earlier = services.add_section(course, "Part 0")
    earlier.position = -1  # moved to the top of the outline after it was made
    z1 = f.page(earlier.id, "First of all", "Body")
    db.session.commit()
    learner = f.user()
    add_enrolment(learner, course)
    db.session.commit()
    client = login(learner)

    def links(activity_id: int, c=None) -> tuple[str | None, str | None, str]:
        page = (c or client).get(f"/activity/{activity_id}").text
        prev = re.search(r'rel="prev" href="/activity/(\d+)"', page)
        nxt = re.search(r'rel="next" href="/activity/(\d+)"', page)
        where = re.search(r"<span>([^<]*\d+[^<]*)</span>", page).group(1)
        return (prev and prev.group(1), nxt and nxt.group(1), where)

    assert links(z1.id)[:2] == (None, str(a1.id))
    assert links(a1.id)[:2] == (str(z1.id), str(a2.id))
    prev, nxt, where = links(b1.id)
    assert (prev, nxt) == (str(a2.id), None)  # the hidden lesson after it is not offered
    assert where.endswith("4 of 4") or where.endswith("4 จาก 4"), where
    assert client.get(f"/activity/{hidden.id}").status_code == 404
    staff = login(teacher)
    prev, nxt, where = links(b1.id, staff)
    assert nxt == str(hidden.id) and where.endswith(" 5"), where
    assert links(hidden.id, staff)[:2] == (str(b1.id), None)
