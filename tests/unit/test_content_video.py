"""The video content type: recognised providers only, uploads with captions, high-water mark."""

import re

import pytest
from lms_video.providers import parse

from lms.extensions import db
from lms.models import Activity
from lms.progress import course_progress, get_progress
from tests.unit.content_helpers import MP4, VTT, add, base_fields, setup_course, upload


@pytest.mark.parametrize(
    ("url", "provider", "ref"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1", "youtube", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "vimeo", "76979871"),
        ("https://vimeo.com/76979871/abcdef1234", "vimeo", "76979871:abcdef1234"),
        ("https://player.vimeo.com/video/76979871", "vimeo", "76979871"),
    ],
)
def test_recognised_urls(url, provider, ref):
    embed = parse(url)
    assert embed is not None and (embed.provider, embed.ref) == (provider, ref)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)",
        "https://www.youtube.com/watch?v=short",
        "https://vimeo.com/channels/staffpicks",
        "ftp://vimeo.com/123",
    ],
)
def test_other_urls_refused(url):
    assert parse(url) is None


def test_privacy_enhanced_embeds():
    assert (
        parse("https://youtu.be/dQw4w9WgXcQ")
        .src()
        .startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?")
    )
    assert "dnt=1" in parse("https://vimeo.com/76979871").src()


def test_unrecognised_url_refused_beside_the_field(login, f):
    teacher, course, _learner = setup_course(f)
    r = login(teacher).post(
        f"/teach/section/{course.sections[0].id}/add/video",
        data=base_fields("v", "auto", video_url="https://evil.example/v.mp4", threshold="90"),
    )
    assert r.status_code == 200
    assert 'id="video_url-error"' in r.text and "Only YouTube and Vimeo" in r.text
    assert db.session.scalar(db.select(db.func.count(Activity.id))) == 0


def test_youtube_embed_renders(login, f):
    teacher, course, _learner = setup_course(f)
    client = login(teacher)
    video = add(
        client,
        course,
        "video",
        base_fields("YT", "manual", video_url="https://youtu.be/dQw4w9WgXcQ", threshold="90"),
    )
    page = client.get(f"/activity/{video.id}").text
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?enablejsapi=1' in page
    assert "youtube.com/iframe_api" not in page  # no provider script is loaded


def _uploaded(login, f, threshold="80"):
    teacher, course, learner = setup_course(f)
    video = add(
        login(teacher),
        course,
        "video",
        base_fields(
            "Clip",
            "auto",
            video_upload=upload(MP4, "clip.mp4"),
            captions_upload=upload(VTT, "th.vtt"),
            threshold=threshold,
        ),
    )
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    return course, learner, video, client


def test_upload_with_captions_renders_video_and_track(login, f):
    _course, _learner, video, client = _uploaded(login, f)
    page = client.get(f"/activity/{video.id}").text
    assert "<video controls" in page and '<track kind="captions"' in page
    assert "/plugins/lms_video/static/video.js" in page
    # The status line is the interface's words inside the course's <article lang>: marked.
    status = re.search(r'<p class="meta video-status"[^>]*>', page).group(0)
    assert 'lang="en"' in status  # the learner reads in English


def test_high_water_mark_never_decreases_and_completes(login, f):
    course, learner, video, client = _uploaded(login, f, threshold="80")
    url = f"/activity/{video.id}/progress"
    r = client.post(url, json={"percent": 50})
    assert r.status_code == 200 and r.json == {"score": 50.0, "completed": False, "threshold": 80}
    r = client.post(url, json={"percent": 20})
    assert r.json["score"] == 50.0  # kept the maximum
    db.session.expire_all()
    assert get_progress(learner, video).score == 50.0
    assert get_progress(learner, video).completed_at is None
    r = client.post(url, json={"percent": 85})
    assert r.json["completed"] is True
    db.session.expire_all()
    assert get_progress(learner, video).completed_at is not None
    assert course_progress(learner.id, course.id).percent == 100
    assert client.post(url, json={"percent": "NaN"}).status_code == 400
    assert client.post(url, json={"percent": 500}).json["score"] == 100.0


def test_progress_needs_enrolment(login, f):
    teacher, course, learner = setup_course(f)
    video = add(
        login(teacher), course, "video", base_fields("v", "auto", video_upload=upload(MP4, "c.mp4"))
    )
    assert (
        login(learner).post(f"/activity/{video.id}/progress", json={"percent": 99}).status_code
        == 403
    )


def test_progress_endpoint_checks_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests import factories as f

        teacher, course, learner = setup_course(f)
        section = course.sections[0]
        from lms.teach.services import add_activity

        video = add_activity(section, "video", title="v", completion="auto")
        app.extensions["lms"].content.get("video").import_data(
            video, {"url": "https://youtu.be/dQw4w9WgXcQ", "threshold": 50}
        )
        db.session.commit()
        from lms.courses import add_enrolment

        add_enrolment(learner, course)
        db.session.commit()
        client = app.test_client()
        page = client.get("/login").text
        import re

        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        r = client.post(
            "/login",
            data={"email": learner.email, "password": f.PASSWORD, "csrf_token": token},
        )
        assert r.status_code == 302
        url = f"/activity/{video.id}/progress"
        assert client.post(url, json={"percent": 60}).status_code == 400  # no token
        page = client.get(f"/activity/{video.id}").text
        token = re.search(r'data-csrf="([^"]+)"', page).group(1)
        r = client.post(url, json={"percent": 60}, headers={"X-CSRFToken": token})
        assert r.status_code == 200 and r.json["completed"] is True


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com"),
    ],
)
def test_provider_video_reports_to_the_same_endpoint(login, f, url, origin):
    """YouTube and Vimeo players report through the same endpoint as the MP4 player; the
    server keeps the high-water mark and completes past the threshold."""
    from datetime import timedelta

    from lms.models.base import utcnow

    teacher, course, learner = setup_course(f)
    video = add(
        login(teacher), course, "video", base_fields("Film", "auto", video_url=url, threshold="70")
    )
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    page = client.get(f"/activity/{video.id}").text
    assert f'data-player-origin="{origin}"' in page and 'data-report="1"' in page
    assert "enablejsapi=1" in page if "youtube" in origin else "dnt=1" in page
    progress_url = f"/activity/{video.id}/progress"
    assert f'data-progress-url="{progress_url}"' in page

    r = client.post(progress_url, json={"percent": 40})
    assert r.json == {"score": 40.0, "completed": False, "threshold": 70}
    assert client.post(progress_url, json={"percent": 10}).json["score"] == 40.0
    assert client.post(progress_url, json={"percent": None}).status_code == 400
    assert client.post(progress_url, data="40").status_code == 400  # not JSON
    db.session.expire_all()
    record = get_progress(learner, video)
    assert record.score == 40.0 and record.completed_at is None
    r = client.post(progress_url, json={"percent": 70})
    assert r.json["completed"] is True
    assert client.post(progress_url, json={"percent": 50}).json == {
        "score": 70.0,
        "completed": True,
        "threshold": 70,
    }
    db.session.expire_all()
    assert course_progress(learner.id, course.id).percent == 100

    # Staff do not report; a hidden or locked video takes no reports.
    assert login(teacher).post(progress_url, json={"percent": 99}).status_code == 403
    client = login(learner)
    db.session.get(Activity, video.id).available_from = utcnow() + timedelta(days=1)
    db.session.commit()
    assert client.post(progress_url, json={"percent": 99}).status_code == 403
    db.session.get(Activity, video.id).is_visible = False
    db.session.commit()
    assert client.post(progress_url, json={"percent": 99}).status_code == 404


def test_provider_video_with_manual_completion_keeps_score_only(login, f):
    teacher, course, learner = setup_course(f)
    video = add(
        login(teacher),
        course,
        "video",
        base_fields("Film", "manual", video_url="https://vimeo.com/76979871", threshold="50"),
    )
    client = login(learner)
    client.post(f"/courses/{course.id}/enrol")
    assert 'data-report="0"' in client.get(f"/activity/{video.id}").text  # no reports needed
    r = client.post(f"/activity/{video.id}/progress", json={"percent": 90})
    assert r.json == {"score": 90.0, "completed": False, "threshold": 50}
