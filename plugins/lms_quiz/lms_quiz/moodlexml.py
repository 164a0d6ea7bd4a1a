"""Moodle XML import (and export) for the built-in question types.

The standard library parser is used with a guard: any DTD or entity declaration is refused
before parsing, so no entity expansion ("billion laughs") and no external entities.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - input is checked by _refuse_dtd first
from typing import Any

from lms_quiz.gift import ImportErrors, ParsedQuestion
from lms_quiz.qtypes.base import FormatNotSupported, num, xml_percent, xml_text

_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_FORMATS = {
    "html": "html",
    "moodle_auto_format": "html",
    "markdown": "markdown",
    "plain_text": "plain",
}
_SKIP = {"category"}


def _line_of(source: bytes, index: int) -> int:
    return source.count(b"\n", 0, index) + 1


def parse(source: bytes | str, types: dict[str, Any] | None = None) -> list[ParsedQuestion]:
    """Questions from a Moodle XML ``<quiz>``; raises :class:`ImportErrors` on any problem."""
    if types is None:
        from lms_quiz.qtypes import all_types

        types = all_types()
    raw = source.encode("utf-8") if isinstance(source, str) else source
    if _DTD_RE.search(raw):
        raise ImportErrors(["The file declares a DTD or entities, which are not allowed."])
    try:
        root = ET.fromstring(raw)  # noqa: S314 - DTDs refused above
    except ET.ParseError as exc:
        raise ImportErrors([f"The file is not well-formed XML: {exc}"]) from exc
    if root.tag != "quiz":
        raise ImportErrors(["The file is not a Moodle XML question file (no <quiz>)."])
    starts = [m.start() for m in re.finditer(rb"<question\b", raw)]
    questions: list[ParsedQuestion] = []
    errors: list[str] = []
    category: str | None = None
    for n, el in enumerate(root.findall("question")):
        line = _line_of(raw, starts[n]) if n < len(starts) else 0
        qtype = el.get("type", "")
        if qtype == "category":
            category = xml_text(el, "category").removeprefix("$course$/").removeprefix("top/")
            category = category.strip() or None
            continue
        name = xml_text(el, "name") or " ".join(xml_text(el, "questiontext").split()[:6])
        qt = types.get(qtype)
        if qt is None:
            errors.append(
                f'Question "{name}" (line {line}): question type {qtype!r} is not supported'
            )
            continue
        try:
            data = qt.validate(qt.from_moodle_xml(el))
            mark = float(el.findtext("defaultgrade") or ("0" if qtype == "description" else "1"))
        except FormatNotSupported:
            errors.append(
                f'Question "{name}" (line {line}): question type {qtype!r} cannot be read '
                "from Moodle XML"
            )
            continue
        except (ValueError, KeyError, TypeError) as exc:
            errors.append(f'Question "{name}" (line {line}): {exc}')
            continue
        qtext = el.find("questiontext")
        fmt = _FORMATS.get(qtext.get("format", "html") if qtext is not None else "html", "html")
        questions.append(
            ParsedQuestion(
                qtype=qtype,
                name=name[:255],
                text=xml_text(el, "questiontext"),
                text_format=fmt,
                general_feedback=xml_text(el, "generalfeedback"),
                data=data,
                category=category,
                line=line,
                default_mark=mark,
            )
        )
    if errors:
        raise ImportErrors(errors)
    return questions


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if fmt:
        el.set("format", fmt)
    ET.SubElement(el, "text").text = value
    return el


def export(questions: list[Any]) -> str:
    """Moodle XML for the built-in types (the same data :func:`parse` reads)."""
    root = ET.Element("quiz")
    current = None
    back = {"html": "html", "markdown": "markdown", "plain": "plain_text"}
    for q in questions:
        category = getattr(getattr(q, "category", None), "name", None)
        if category and category != current:
            c = ET.SubElement(root, "question", type="category")
            _text(c, "category", f"$course$/{category}")
            current = category
        el = ET.SubElement(root, "question", type=q.qtype)
        _text(el, "name", q.name)
        _text(el, "questiontext", q.text, back.get(q.text_format, "html"))
        _text(el, "generalfeedback", q.general_feedback, "html")
        ET.SubElement(el, "defaultgrade").text = num(q.default_mark)
        d = q.data
        if q.qtype in ("multichoice", "shortanswer"):
            if q.qtype == "multichoice":
                ET.SubElement(el, "single").text = "true" if d["single"] else "false"
                ET.SubElement(el, "shuffleanswers").text = "1" if d["shuffle"] else "0"
            else:
                ET.SubElement(el, "usecase").text = "1" if d["case_sensitive"] else "0"
            for a in d["answers"]:
                ans = _text(el, "answer", a["text"], "html")
                ans.set("fraction", xml_percent(a["fraction"]))
                _text(ans, "feedback", a["feedback"], "html")
        elif q.qtype == "truefalse":
            for value in ("true", "false"):
                right = (value == "true") == d["correct"]
                ans = _text(el, "answer", value, "moodle_auto_format")
                ans.set("fraction", "100" if right else "0")
                _text(ans, "feedback", d["feedback_right" if right else "feedback_wrong"])
        elif q.qtype == "numerical":
            for a in d["answers"]:
                ans = _text(el, "answer", num(a["value"]))
                ans.set("fraction", xml_percent(a["fraction"]))
                ET.SubElement(ans, "tolerance").text = num(a["tolerance"])
                _text(ans, "feedback", a["feedback"], "html")
            if d["units"]:
                units = ET.SubElement(el, "units")
                for u in d["units"]:
                    unit = ET.SubElement(units, "unit")
                    ET.SubElement(unit, "multiplier").text = num(u["multiplier"])
                    ET.SubElement(unit, "unit_name").text = u["unit"]
        elif q.qtype == "matching":
            ET.SubElement(el, "shuffleanswers").text = "1" if d["shuffle"] else "0"
            for p in d["pairs"]:
                sub = _text(el, "subquestion", p["q"], "html")
                _text(sub, "answer", p["a"])
        elif q.qtype == "essay":
            _text(el, "graderinfo", d.get("grader_info", ""), "html")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
