"""lms.html: sanitising and Markdown, and the per-process cache of their results."""

from lms import html


def test_repeated_texts_come_from_the_cache_and_stay_clean():
    html._render_cached.cache_clear()
    text = "## บทที่ 1\n\n<script>alert(1)</script><a href='javascript:x()'>ลิงก์</a>"
    first = html.markdown(text)
    second = html.markdown(text)
    assert first == second
    assert "<script" not in second and "javascript:" not in second
    assert "<h2>บทที่ 1</h2>" in second
    info = html._render_cached.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_long_texts_are_rendered_every_time_and_never_kept():
    html._render_cached.cache_clear()
    html._clean_cached.cache_clear()
    long_text = "ก" * (html.CACHE_MAX_CHARS + 1)
    assert html.markdown(long_text).startswith("<p>ก")
    assert "<b>" in html.sanitize("<b>" + long_text + "</b><img src=x onerror=y>")
    assert html._render_cached.cache_info().currsize == 0
    assert html._clean_cached.cache_info().currsize == 0


def test_sanitize_of_nothing_is_empty():
    assert html.sanitize(None) == "" and html.markdown(None) == ""
