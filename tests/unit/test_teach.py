from lms.extensions import db
from lms.models import Activity, Course, Enrolment, Section


def test_educator_creates_and_publishes_a_course(login, f):
    teacher = f.user("educator")
    client = login(teacher)
    r = client.post(
        "/teach/new",
        data={"title": "สอนทำขนม", "summary": "ขนมไทย", "language": "th", "self_enrol": "y"},
    )
    assert r.status_code == 302
    course = db.session.scalar(db.select(Course).where(Course.title == "สอนทำขนม"))
    assert not course.is_published
    enrolment = db.session.scalar(db.select(Enrolment).where(Enrolment.course_id == course.id))
    assert enrolment.user_id == teacher.id and enrolment.role == "teacher"
    section = course.sections[0]
    r = client.post(
        f"/teach/section/{section.id}/add/page",
        data={
            "title": "บทที่ 1",
            "is_visible": "y",
            "completion": "manual",
            "page_format": "markdown",
            "page_body": "# สวัสดี",
        },
    )
    assert r.status_code == 302
    client.post(f"/teach/{course.id}/publish", data={"publish": "1"})
    db.session.refresh(course)
    assert course.is_published
    learner = login(f.user())
    assert "สอนทำขนม" in learner.get("/courses").text


def test_activity_form_errors_beside_fields(login, f):
    course = f.course()
    client = login(db.session.get(Enrolment, 1).user)
    r = client.post(
        f"/teach/section/{course.sections[0].id}/add/page",
        data={"title": "", "completion": "manual", "page_format": "markdown"},
    )
    assert r.status_code == 200 and 'id="title-error"' in r.text
    assert db.session.scalar(db.select(db.func.count(Activity.id))) == 2


def test_edit_activity_round_trips_type_data(login, f):
    teacher = f.user("educator")
    course = f.course(teacher=teacher, lessons=1)
    (lesson,) = f.activities(course)
    client = login(teacher)
    form = client.get(f"/teach/activity/{lesson.id}/edit").text
    assert "Body **1**" in form
    client.post(
        f"/teach/activity/{lesson.id}/edit",
        data={
            "title": "Renamed",
            "completion": "view",
            "page_format": "html",
            "page_body": "<p>new</p>",
        },
    )
    db.session.refresh(lesson)
    assert lesson.title == "Renamed" and lesson.completion == "view" and not lesson.is_visible


def test_reorder_sections_and_activities(login, f):
    teacher = f.user("educator")
    course = f.course(teacher=teacher, lessons=3)
    client = login(teacher)
    a1, a2, a3 = f.activities(course)
    client.post(f"/teach/activity/{a3.id}/move", data={"direction": "up"})
    assert [a.id for a in f.activities(course)] == [a1.id, a3.id, a2.id]
    client.post(f"/teach/{course.id}/sections", data={"title": "Second"})
    second = db.session.scalar(db.select(Section).where(Section.title == "Second"))
    client.post(f"/teach/section/{second.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [s.title for s in db.session.get(Course, course.id).sections][0] == "Second"


def test_hide_and_delete_activity(login, f):
    teacher = f.user("educator")
    course = f.course(teacher=teacher, lessons=2)
    a1, a2 = f.activities(course)
    a2_id = a2.id
    client = login(teacher)
    client.post(f"/teach/activity/{a1.id}/visibility")
    db.session.refresh(a1)
    assert not a1.is_visible
    client.post(f"/teach/activity/{a2_id}/delete")
    db.session.expire_all()
    assert db.session.get(Activity, a2_id) is None
    from lms_page.models import Page

    assert db.session.get(Page, a2_id) is None  # the type's data went with it


def test_other_educator_cannot_edit_course(login, f):
    course = f.course()
    intruder = login(f.user("educator"))
    assert intruder.get(f"/teach/{course.id}").status_code == 403
    assert intruder.post(f"/teach/{course.id}/publish", data={"publish": "0"}).status_code == 403
    lesson = f.activities(course)[0]
    assert intruder.post(f"/teach/activity/{lesson.id}/delete").status_code == 403
    assert db.session.get(Activity, lesson.id) is not None


def test_learner_cannot_create_courses(login, f):
    assert login(f.user()).post("/teach/new", data={"title": "x"}).status_code == 403


def test_admin_manages_roles(login, f):
    admin = f.user("admin")
    someone = f.user()
    client = login(admin)
    client.post(f"/admin/users/{someone.id}", data={"learner": "y", "educator": "y", "active": "y"})
    db.session.refresh(someone)
    assert someone.role_codes == {"learner", "educator"}


def test_admin_cannot_remove_own_admin_role(login, f):
    admin = f.user("admin")
    client = login(admin)
    client.get("/lang/en")  # the assertion reads the English message (Thai is the default)
    r = client.post(f"/admin/users/{admin.id}", data={"learner": "y", "active": "y"})
    assert "cannot remove your own" in r.text
    db.session.refresh(admin)
    assert admin.is_admin
