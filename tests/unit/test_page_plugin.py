from lms.html import markdown, sanitize


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


def test_export_import_round_trip(app, f):
    course = f.course(lessons=1)
    (lesson,) = f.activities(course)
    page_type = app.extensions["lms"].content.get("page")
    data = page_type.export_data(lesson)
    assert data == {"format": "markdown", "body": "Body **1**"}
