"""The link content type: click-through completes, the link opens in a new tab safely."""

from lms.extensions import db
from lms.models import Activity
from lms.progress import get_progress
from tests.unit.content_helpers import add, base_fields, setup_course


def test_click_through_completes_and_redirects(login, f):
    teacher, course, learner = setup_course(f)
    client = login(teacher)
    link = add(
        client,
        course,
        "link",
        base_fields(
            "กรมอุตุ",
            "auto",
            link_url="https://www.tmd.go.th/",
            link_description="พยากรณ์อากาศ <script>alert(1)</script>",
        ),
    )
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    page = client.get(f"/activity/{link.id}").text
    assert 'target="_blank"' in page and 'rel="noopener noreferrer"' in page
    assert "พยากรณ์อากาศ" in page and "<script>alert(1)" not in page
    assert get_progress(learner, link).completed_at is None  # opening is not enough
    r = client.post(f"/link/{link.id}/go")
    assert r.status_code == 303 and r.headers["Location"] == "https://www.tmd.go.th/"
    db.session.expire_all()
    assert get_progress(learner, link).completed_at is not None


def test_only_web_addresses(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    r = client.post(
        f"/teach/section/{course.sections[0].id}/add/link",
        data=base_fields("bad", "auto", link_url="javascript:alert(1)"),
    )
    assert r.status_code == 200 and 'id="link_url-error"' in r.text
    assert db.session.scalar(db.select(db.func.count(Activity.id))) == 0


def test_not_enrolled_cannot_click_through(login, f):
    teacher, course, learner = setup_course(f)
    link = add(
        login(teacher), course, "link", base_fields("x", "auto", link_url="https://a.example/")
    )
    assert login(learner).post(f"/link/{link.id}/go").status_code == 403


def test_export_import(app, login, f):
    teacher, course, _learner = setup_course(f)
    link = add(
        login(teacher), course, "link", base_fields("x", "auto", link_url="https://a.example/")
    )
    ct = app.extensions["lms"].content.get("link")
    assert ct.export_data(link) == {"url": "https://a.example/", "description": ""}


def test_thai_translation_of_the_plugin(login, f):
    teacher, course, _learner = setup_course(f)
    link = add(
        login(teacher), course, "link", base_fields("x", "auto", link_url="https://a.example/")
    )
    thai = f.user(locale="th")
    client = login(thai)
    client.post(f"/courses/{course.id}/enrol")
    assert "เปิดลิงก์" in client.get(f"/activity/{link.id}").text
