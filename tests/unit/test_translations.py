"""The core's Thai catalogue is complete, well formed, compiled, and really used by the pages.

When a test here fails because of a new English string in lms/:

    make messages        # extract lms/ into lms/translations/messages.pot, update th/messages.po
    # translate the new empty msgstr entries in lms/translations/th/LC_MESSAGES/messages.po
    make translations    # compile the .mo (it is committed, see .gitignore)

Plugins keep their own catalogues (<plugin>/translations, the lms_load_translations hook).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import get_translations, gettext, ngettext
from jinja2 import Environment

from lms import hookimpl

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "lms"
PO = CORE / "translations" / "th" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# The same keywords as `make messages` (BABEL_KEYWORDS in the Makefile).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
HOW_TO_FIX = (
    "Run `make messages`, translate the new entries in "
    "lms/translations/th/LC_MESSAGES/messages.po into Thai, then `make translations`."
)
# %(name)s style placeholders (python-format); "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +\-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def load_po() -> Catalog:
    with PO.open("rb") as fh:
        return read_po(fh, locale="th")


@functools.cache
def extract_core() -> dict[tuple[str | None, str], tuple[str | tuple, list[str]]]:
    """Babel's extraction of lms/ with babel.cfg: {(context, msgid): (message, [file:line])}."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[tuple[str | None, str], tuple[str | tuple, list[str]]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        CORE, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        entry = found.setdefault((context, msgid), (message, []))
        entry[1].append(f"lms/{filename}:{lineno}")
    return found


def translations(message) -> list[str]:
    if isinstance(message.string, str):
        return [message.string]
    return list(message.string)


def real_messages(catalog: Catalog) -> list:
    return [m for m in catalog if m.id]


# -- (a) every string of the core is in the Thai catalogue -------------------------------------


def test_extraction_finds_the_core_strings():
    found = extract_core()
    # Python (lazy and plain), templates (.html and .txt) and plurals are all extracted.
    assert (None, "Courses") in found  # lms/core_plugin.py, _l()
    assert (None, "Log in") in found  # templates
    assert (None, "Hello %(name)s,") in found  # auth/reset_email.txt
    assert found[(None, "%(num)s course")][0] == ("%(num)s course", "%(num)s courses")
    assert not any(loc.startswith("lms/../") for _m, locs in found.values() for loc in locs)


def test_every_core_string_is_translated():
    catalog = load_po()
    missing = []
    for (context, msgid), (message, where) in sorted(extract_core().items(), key=str):
        entry = catalog.get(msgid, context=context)
        plural = message[1] if isinstance(message, tuple) else None
        if entry is None or not any(translations(entry)):
            missing.append(f"  {msgid!r}  ({', '.join(where[:3])})")
        elif plural and (not isinstance(entry.id, tuple) or entry.id[1] != plural):
            missing.append(f"  {msgid!r}: plural changed to {plural!r}  ({where[0]})")
    assert not missing, (
        f"{len(missing)} core string(s) have no Thai translation:\n"
        + "\n".join(missing)
        + f"\n{HOW_TO_FIX}"
    )


# -- (b) no empty or fuzzy entries; Thai has one plural form -------------------------------------


def test_catalogue_header():
    catalog = load_po()
    assert str(catalog.locale) == "th"
    assert catalog.num_plurals == 1
    assert catalog.plural_expr == "0"
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy"


def test_no_empty_or_fuzzy_entries():
    problems = []
    for m in real_messages(load_po()):
        if m.fuzzy:
            problems.append(f"  fuzzy: {m.id!r} (check the Thai, then remove the fuzzy flag)")
        strings = translations(m)
        if not strings or not all(s.strip() for s in strings):
            problems.append(f"  empty: {m.id!r}")
        if isinstance(m.id, tuple) and len(strings) != 1:
            problems.append(f"  {m.id[0]!r}: Thai has one plural form (msgstr[0] only)")
    assert not problems, "Thai catalogue entries to fix:\n" + "\n".join(problems)


def _has_words(msgid) -> bool:
    """Whether an English msgid has words to translate (not only placeholders and symbols)."""
    text = msgid[0] if isinstance(msgid, tuple) else msgid
    return re.search(r"[A-Za-z]{2,}", PLACEHOLDER.sub("", text)) is not None


def test_translations_are_thai():
    messages = [m for m in real_messages(load_po()) if _has_words(m.id)]
    # A msgstr equal to its English msgid is an untranslated entry in disguise.
    same = [m.id for m in messages if translations(m) == [m.id]]
    assert not same, f"msgstr copied from the English msgid: {same}"
    thai = re.compile("[\u0e00-\u0e7f]")
    no_thai = [m.id for m in messages if not all(map(thai.search, translations(m)))]
    assert not no_thai, f"msgstr without any Thai letters: {no_thai}"
    assert not _has_words("%(a)s – %(b)s") and _has_words("%(n)s courses")


# -- (c) placeholders survive translation ----------------------------------------------------------


class _AnyValue(dict):
    def __missing__(self, key):
        return "x"


def _formats(text: str) -> bool:
    """Whether ``text % {...}`` works, as gettext (and Jinja's gettext, always) will do it."""
    try:
        text % _AnyValue()
    except (ValueError, TypeError, KeyError):
        return False
    return True


def test_placeholders_are_kept():
    problems = []
    for m in real_messages(load_po()):
        ids = list(m.id) if isinstance(m.id, tuple) else [m.id]
        wanted = set(PLACEHOLDER.findall(ids[0]))
        allowed = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for s in translations(m):
            have = set(PLACEHOLDER.findall(s))
            if not wanted <= have:
                problems.append(f"  {ids[0]!r}: {sorted(wanted - have)} missing in {s!r}")
            if not have <= allowed:
                problems.append(f"  {ids[0]!r}: unknown {sorted(have - allowed)} in {s!r}")
            if _formats(ids[0]) and not _formats(s):
                problems.append(f"  {ids[0]!r}: a lone % in {s!r} (write %% for a percent sign)")
    assert not problems, "placeholders differ between English and Thai:\n" + "\n".join(problems)


def test_placeholder_check_catches_mistakes():
    # The checks above can fail: a dropped placeholder and a lone percent sign are caught.
    assert not set(PLACEHOLDER.findall("%(done)s of %(total)s")) <= set(
        PLACEHOLDER.findall("เรียนจบ %(done)s")
    )
    assert _formats("%(percent)s%%") and not _formats("%(percent)s%")


# -- compiled catalogue ------------------------------------------------------------------------------


def test_compiled_catalogue_matches_the_po():
    assert MO.exists(), f"{MO.relative_to(ROOT)} is missing: run `make translations`"
    with MO.open("rb") as fh:
        compiled = {(m.context, _normalise(m.id)): m.string for m in read_mo(fh) if m.id}
    source = {(m.context, _normalise(m.id)): m.string for m in real_messages(load_po())}
    stale = sorted(
        str(key[1])
        for key, value in source.items()
        if _normalise(compiled.get(key)) != _normalise(value)
    )
    assert not stale, f"the .mo is older than the .po for {stale[:10]}: run `make translations`"


def _normalise(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


# -- (d) Thai pages really render Thai ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "thai", "english"),
    [
        ("/login", ["เข้าสู่ระบบ", "ลืมรหัสผ่าน?", "รหัสผ่าน"], ["Log in", "Password"]),
        ("/signup", ["สมัครสมาชิก", "สร้างบัญชีของคุณ"], ["Sign up", "Create your account"]),
        ("/", ["ข้ามไปยังเนื้อหา", "ค้นหารายวิชา", "รายวิชา"], ["Skip to content", "Search courses"]),
    ],
)
def test_pages_in_thai_and_english(client, path, thai, english):
    client.get("/lang/th")
    page = client.get(path).text
    assert 'lang="th"' in page
    for text in thai:
        assert text in page
    assert ">Log in<" not in page and "Skip to content" not in page
    client.get("/lang/en")
    page = client.get(path).text
    for text in english:
        assert text in page


def test_every_core_string_is_served_in_thai(app):
    """gettext() in a Thai request returns the core catalogue's Thai for every core string:
    the compiled catalogue is the one loaded, and no plugin's catalogue overrides its words."""
    catalog = load_po()
    wrong = []
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "th"}):
        for m in real_messages(catalog):
            if m.context:
                continue
            if isinstance(m.id, tuple):
                got, want = get_translations().ungettext(m.id[0], m.id[1], 3), m.string[0]
            else:
                got, want = get_translations().ugettext(m.id), m.string
            if got != want:
                wrong.append(f"  {m.id!r}: served {got!r}, catalogue says {want!r}")
    assert not wrong, "Thai core strings not served as translated:\n" + "\n".join(wrong)


@hookimpl
def lms_load_translations(app):
    """This module doubles as a plugin (see below) whose translations folder has no Thai."""
    return str(ROOT / "tests" / "no-translations-here")


def test_a_plugin_without_thai_keeps_thai_plurals(make_app):
    # Flask-Babel keeps the plural rule of the LAST catalogue it merges; an English-only plugin
    # merged after the core used to turn every Thai ngettext back into English.
    app = make_app(EXTRA_PLUGINS=["i18n_probe=tests.unit.test_translations"])
    assert app.extensions["lms"].translation_dirs[-1].endswith("no-translations-here")
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "th"}):
        assert ngettext("%(num)s course", "%(num)s courses", 3) == "3 รายวิชา"
        assert gettext("Log in") == "เข้าสู่ระบบ"


def test_progress_text_reads_in_thai_order(app):
    template = (
        '{% from "_macros.html" import progress_bar %}{{ progress_bar(p, _("Course progress")) }}'
    )
    p = SimpleNamespace(done=2, total=5, percent=40)
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "th"}):
        html = render_template_string(template, p=p)
    assert "เรียนจบ 2 จาก 5 บทเรียน (40%)" in html
    assert 'aria-label="ความก้าวหน้าในรายวิชา"' in html
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
        assert "2 of 5 done (40%)" in render_template_string(template, p=p)


def test_course_count_plural_in_thai(client):
    client.get("/lang/th")
    assert "0 รายวิชา" in client.get("/courses").text
    client.get("/lang/en")
    assert "0 courses" in client.get("/courses").text


def test_wtforms_messages_in_thai(client):
    # WTForms ships no Thai: its built-in messages come from the core catalogue (lms.i18n).
    client.get("/lang/th")
    page = client.post("/signup", data={"name": "ก" * 121, "email": "not-an-email"}).text
    assert "โปรดกรอกข้อมูลในช่องนี้" in page  # DataRequired
    assert "รูปแบบอีเมลไม่ถูกต้อง" in page  # Email
    assert "ยาวได้ไม่เกิน 120 ตัวอักษร" in page  # Length, a plural message
    assert "This field is required." not in page
    client.get("/lang/en")
    page = client.post("/signup", data={"name": "ก" * 121}).text
    assert "This field is required." in page
    assert "Field cannot be longer than 120 characters." in page


def test_wtforms_message_list_matches_wtforms():
    # lms/translations/wtforms_messages.py must copy WTForms' msgids exactly to be looked up.
    from wtforms.i18n import messages_path

    from lms.translations.wtforms_messages import MESSAGES

    with open(Path(messages_path()) / "wtforms.pot", "rb") as fh:
        known = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(fh)}
    assert set(MESSAGES) - known == set()


# -- (e) no English text left outside _() in the core templates --------------------------------

# Language names are written in their own language on purpose; LMS is a name.
ALLOWED_WORDS = {"English", "LMS"}
TEXT_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label", "aria-description", "summary")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")


def template_text(source: str) -> str:
    """The template's literal text: Jinja expressions, tags, comments and {% trans %} blocks
    are dropped (line numbers are kept)."""
    out: list[str] = []
    line = 1
    in_trans = False
    previous = None
    for lineno, kind, value in Environment(autoescape=True, extensions=["jinja2.ext.i18n"]).lex(
        source
    ):
        if kind == "name" and previous == "block_begin":
            in_trans = {"trans": True, "endtrans": False}.get(value, in_trans)
        if kind not in ("whitespace",):
            previous = kind
        if kind != "data" or in_trans:
            continue
        if lineno > line:
            out.append("\n" * (lineno - line))
            line = lineno
        out.append(" " + value)
        line += value.count("\n")
    return "".join(out)


def visible_english(source: str) -> list[tuple[int, str]]:
    """(line, text) of English words a reader would see or hear, outside translation calls."""

    def blank(match: re.Match) -> str:
        return "\n" * match.group(0).count("\n")

    text = template_text(source)
    text = re.sub(r"<(script|style)\b.*?</\1\s*>", blank, text, flags=re.S | re.I)
    text = re.sub(r"<!--.*?-->", blank, text, flags=re.S)
    found: list[tuple[int, str]] = []
    attrs = re.compile(rf'\b(?:{"|".join(TEXT_ATTRIBUTES)})\s*=\s*"([^"]*)"')

    def tag(match: re.Match) -> str:
        lineno = text.count("\n", 0, match.start()) + 1
        for value in attrs.findall(match.group(0)):
            found.extend((lineno, w) for w in WORD.findall(value) if w not in ALLOWED_WORDS)
        return blank(match) + " "

    text = re.sub(r"<[^>]*>", tag, text)
    text = re.sub(r"&#?\w+;", " ", text)
    # attribute fragments a macro prints inside a tag: aria-invalid="true"
    text = re.sub(r'\b[\w:-]+="[^"\n]*"', " ", text)
    for lineno, line in enumerate(text.split("\n"), start=1):
        found.extend((lineno, w) for w in WORD.findall(line) if w not in ALLOWED_WORDS)
    return sorted(found)


def test_english_detector_can_fail():
    source = (
        '<h1>{{ _("Ok") }}</h1>\n<p title="Hello">ไทย · {{ x }}</p>\n<p>Free {{ y }} text</p>\n'
        "{% trans %}Inside trans{% endtrans %}{# a comment #}<option>English</option>\n"
        '{% macro attrs() %} aria-invalid="true"{% endmacro %}'
    )
    assert visible_english(source) == [(2, "Hello"), (3, "Free"), (3, "text")]


def test_core_templates_have_no_untranslated_text():
    problems = []
    for path in sorted(CORE.rglob("*")):
        if path.suffix not in (".html", ".txt") or "templates" not in path.parts:
            continue
        for lineno, word in visible_english(path.read_text(encoding="utf-8")):
            problems.append(f"  {path.relative_to(ROOT)}:{lineno}: {word!r}")
    assert not problems, (
        "English text outside {{ _() }} / {% trans %} in core templates:\n"
        + "\n".join(problems)
        + '\nWrap it in {{ _("...") }}, then: '
        + HOW_TO_FIX
    )
