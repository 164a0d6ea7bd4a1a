from datetime import UTC, date, datetime

from lms.i18n import be_year, format_date, format_datetime, format_thai_date


def test_buddhist_era():
    assert be_year(2023) == 2566
    assert format_thai_date(date(2023, 10, 1)) == "1 ต.ค. 2566"
    assert format_thai_date(date(2026, 11, 25), long=True) == "25 พฤศจิกายน 2569"


def test_utc_shown_in_bangkok_time(app):
    # 30 Sep 2023 17:30 UTC is already 1 Oct 2023 00:30 in Bangkok.
    moment = datetime(2023, 9, 30, 17, 30, tzinfo=UTC)
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "th"}):
        assert format_date(moment) == "1 ต.ค. 2566"
        assert format_datetime(moment) == "1 ต.ค. 2566 00:30 น."
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert format_date(moment) == "Oct 1, 2023"
        assert format_datetime(moment) == "Oct 1, 2023, 00:30"


def test_language_switch_persists_in_session(client):
    client.get("/lang/en")
    assert 'lang="en"' in client.get("/").text
    client.get("/lang/th")
    assert 'lang="th"' in client.get("/").text


def test_thai_is_the_default_language(client):
    assert 'lang="th"' in client.get("/").text


def test_thai_translation_is_real(client):
    client.get("/lang/th")
    page = client.get("/login").text
    assert "เข้าสู่ระบบ" in page  # "Log in"


def test_language_switch_refuses_offsite_next(client):
    r = client.get("/lang/en?next=https://evil.example/")
    assert r.headers["Location"] == "/"


def test_template_words_keep_jinjas_newstyle_meaning(app):
    """lms.i18n.install_template_gettext: values escaped in HTML, plain in text, ``%%`` shown
    as ``%`` with or without values, plurals with ``num``, the request's language."""
    from flask import render_template_string

    env = app.jinja_env
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        html = render_template_string('{{ _("Hello %(name)s", name="<b>Ann</b>") }}')
        assert html == "Hello &lt;b&gt;Ann&lt;/b&gt;"
        text = '{% autoescape false %}{{ _("Hello %(name)s", name="<b>") }}{% endautoescape %}'
        assert env.from_string(text).render() == "Hello <b>"
        assert render_template_string('{{ _("100%% sure") }}') == "100% sure"
        assert render_template_string('{{ _("%(p)s%%", p=5) }}') == "5%"
        plural = '{{ ngettext("%(num)s lesson", "%(num)s lessons", n) }}'
        assert render_template_string(plural, n=1) == "1 lesson"
        assert render_template_string(plural, n=3) == "3 lessons"
        block = "{% trans n=2 %}{{ n }} items{% endtrans %}"
        assert render_template_string(block) == "2 items"
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "th"}):
        assert render_template_string('{{ _("Log out") }}') == "ออกจากระบบ"
