"""Moodle's GIFT format: parse a whole file (every construct), and write a bank back out.

Parsing never touches the database: :func:`parse` returns plain :class:`ParsedQuestion`
objects or raises :class:`ImportErrors` listing every problem, each naming the question (its
title or first words) and its line. Storing is :func:`lms_quiz.bank.store`, one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lms_quiz.qtypes.base import FormatNotSupported, gift_escape

FORMATS = ("html", "markdown", "plain", "moodle")
BLANK = "_____"

# Escaped characters become private-use characters while parsing, and come back at the end.
_ESC = {"\\": "\ue000", "~": "\ue001", "=": "\ue002", "#": "\ue003", "{": "\ue004",
        "}": "\ue005", ":": "\ue006", "n": "\n"}  # fmt: skip
_UNESC = {v: k for k, v in _ESC.items() if k != "n"}
_ESC_RE = re.compile(r"\\([\\~=#{}:n])")
_UNESC_RE = re.compile("[\ue000-\ue006]")
_WEIGHT_RE = re.compile(r"\A%(-?\d+(?:\.\d+)?)%")
_FLOAT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_RANGE_RE = re.compile(rf"\A({_FLOAT})\.\.({_FLOAT})\Z")
_TOL_RE = re.compile(rf"\A({_FLOAT})(?::({_FLOAT}))?\Z")


class ImportErrors(Exception):
    """Nothing was imported; ``errors`` says what is wrong, question by question."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class QuestionError(ValueError):
    pass


@dataclass
class ParsedQuestion:
    qtype: str
    name: str
    text: str
    data: dict[str, Any]
    text_format: str = "html"
    general_feedback: str = ""
    category: str | None = None
    line: int = 0
    default_mark: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)


def _unescape(s: str) -> str:
    return _UNESC_RE.sub(lambda m: _UNESC[m.group(0)], s)


def _clean(s: str) -> str:
    return _unescape(s).strip()


def _blocks(source: str) -> Iterable[tuple[int, str]]:
    """``(first line number, text)`` of each question: blank lines separate, ``//`` comments go."""
    lines: list[str] = []
    start = 0
    for number, line in enumerate(source.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if lines:
                yield start, "\n".join(lines)
                lines = []
            continue
        if not lines:
            start = number
        lines.append(line.rstrip())
    if lines:
        yield start, "\n".join(lines)


def _label(title: str, text: str) -> str:
    if title:
        return title
    words = _UNESC_RE.sub("", text).split()
    return " ".join(words[:6])[:60] or "(empty)"


def _split_feedback(token: str) -> tuple[str, str]:
    body, _sep, fb = token.partition("#")
    return body, fb


def _weight(token: str, default: float) -> tuple[float, str]:
    m = _WEIGHT_RE.match(token)
    if not m:
        return default, token
    value = float(m.group(1)) / 100
    if not -1.0 <= value <= 1.0:
        raise QuestionError(f"weight {m.group(0)} is outside -100%..100%")
    return value, token[m.end() :]


def _tokens(answer: str) -> list[tuple[str, str]]:
    """``"=a ~b"`` → ``[("=", "a "), ("~", "b")]``. Text before the first marker is an error."""
    parts = re.split(r"([=~])", answer)
    if parts[0].strip():
        raise QuestionError(f"answer text {_clean(parts[0])!r} has no = or ~ in front of it")
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def _number(text: str) -> tuple[float, float]:
    text = text.strip()
    m = _RANGE_RE.match(text)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if lo > hi:
            raise QuestionError(f"the range {text} runs backwards")
        return (lo + hi) / 2, (hi - lo) / 2
    m = _TOL_RE.match(text)
    if not m:
        raise QuestionError(f"{_clean(text)!r} is not a number, a number:tolerance or a range a..b")
    return float(m.group(1)), abs(float(m.group(2) or 0))


def _numerical(body: str) -> dict[str, Any]:
    body = body.strip()
    answers = []
    if body[:1] in ("=", "~"):
        for marker, token in _tokens(body):
            fraction, token = _weight(token.strip(), 1.0 if marker == "=" else 0.0)
            value, fb = _split_feedback(token)
            if marker == "~" and not value.strip():
                continue
            v, tol = _number(value)
            answers.append(
                {"value": v, "tolerance": tol, "fraction": fraction, "feedback": _clean(fb)}
            )
    else:
        value, fb = _split_feedback(body)
        v, tol = _number(value)
        answers.append({"value": v, "tolerance": tol, "fraction": 1.0, "feedback": _clean(fb)})
    return {"answers": answers, "units": []}


def _answer_block(answer: str) -> tuple[str, dict[str, Any]]:
    stripped = answer.strip()
    if not stripped:
        return "essay", {}
    if stripped.startswith("#"):
        return "numerical", _numerical(stripped[1:])
    head, _sep, rest = stripped.partition("#")
    if head.strip().upper() in ("T", "TRUE", "F", "FALSE") and "~" not in stripped:
        wrong, _s, right = rest.partition("#")
        return "truefalse", {
            "correct": head.strip().upper() in ("T", "TRUE"),
            "feedback_wrong": _clean(wrong),
            "feedback_right": _clean(right),
        }
    tokens = _tokens(stripped)
    if not tokens:
        raise QuestionError("the answer block has no answers")
    if "~" not in stripped and "->" in stripped:
        pairs = []
        for _marker, token in tokens:
            q, arrow, a = token.partition("->")
            if not arrow:
                raise QuestionError(f"matching pair {_clean(token)!r} has no ->")
            pairs.append({"q": _clean(q), "a": _clean(a)})
        return "matching", {"pairs": pairs, "shuffle": True}
    answers = []
    for marker, token in tokens:
        fraction, token = _weight(token.strip(), 1.0 if marker == "=" else 0.0)
        text, fb = _split_feedback(token)
        answers.append({"text": _clean(text), "fraction": fraction, "feedback": _clean(fb)})
    if "~" not in stripped:
        return "shortanswer", {"case_sensitive": False, "answers": answers}
    single = any(marker == "=" for marker, _t in tokens)
    return "multichoice", {"single": single, "shuffle": True, "answers": answers}


def _question(text: str, types: dict[str, Any]) -> ParsedQuestion:
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise QuestionError("the title has no closing ::")
        title, text = _clean(text[2:end]), text[end + 2 :]
    text = text.lstrip()
    fmt = "html"
    m = re.match(r"\[(\w+)\]", text)
    if m and m.group(1).lower() in FORMATS:
        fmt = m.group(1).lower()
        fmt = "html" if fmt == "moodle" else fmt
        text = text[m.end() :]
    if "{" not in text:
        if "}" in text:
            raise QuestionError("a } without a {")
        qtype, data, before, after, general = "description", {}, text, "", ""
    else:
        open_ = text.index("{")
        close = text.find("}", open_)
        if close < 0:
            raise QuestionError("the answer block has no closing }")
        before, answer, after = text[:open_], text[open_ + 1 : close], text[close + 1 :]
        if "{" in answer:
            raise QuestionError("a { inside the answer block (escape it as \\{)")
        if "{" in after or "}" in after:
            raise QuestionError("more than one answer block")
        answer, _sep, general = answer.partition("####")
        qtype, data = _answer_block(answer)
    # Missing word: text after the braces means the answer goes in a blank in the middle.
    body = _clean(f"{before.rstrip()} {BLANK} {after.lstrip()}" if after.strip() else before)
    parsed = ParsedQuestion(
        qtype=qtype,
        name=title or _label("", body)[:255],
        text=body,
        text_format=fmt,
        general_feedback=_clean(general),
        data=data,
    )
    if qtype == "description":
        parsed.default_mark = 0.0
    qt = types.get(qtype)
    if qt is None:
        raise QuestionError(f"question type {qtype} is not available")
    try:
        parsed.data = qt.validate(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise QuestionError(str(exc)) from exc
    return parsed


def parse(source: str, types: dict[str, Any] | None = None) -> list[ParsedQuestion]:
    """Every question in a GIFT text; raises :class:`ImportErrors` listing all problems."""
    if types is None:
        from lms_quiz.qtypes import all_types

        types = all_types()
    source = source.lstrip("\ufeff")
    questions: list[ParsedQuestion] = []
    errors: list[str] = []
    category: str | None = None
    for line, raw in _blocks(source):
        text = _ESC_RE.sub(lambda m: _ESC[m.group(1)], raw).strip()
        if text.startswith("$CATEGORY:"):
            category = _clean(text[len("$CATEGORY:") :]).removeprefix("$course$/").strip()
            category = category.removeprefix("top/").strip() or None
            continue
        try:
            q = _question(text, types)
        except QuestionError as exc:
            title = ""
            if text.startswith("::") and text.find("::", 2) > 0:
                title = _clean(text[2 : text.find("::", 2)])
            errors.append(f'Question "{_label(title, _unescape(text))}" (line {line}): {exc}')
            continue
        q.category, q.line = category, line
        questions.append(q)
    if errors:
        raise ImportErrors(errors)
    return questions


def export(questions: Iterable[Any], types: dict[str, Any] | None = None) -> str:
    """GIFT text for ``questions`` (objects with qtype, name, text, text_format,
    general_feedback, data and ``category.name``), grouped by category."""
    if types is None:
        from lms_quiz.qtypes import all_types

        types = all_types()
    out: list[str] = []
    current = object()
    for q in questions:
        category = getattr(getattr(q, "category", None), "name", None)
        if category != current and category:
            out.append(f"$CATEGORY: {gift_escape(category)}\n")
        current = category
        try:
            block = types[q.qtype].to_gift(q.data)
        except FormatNotSupported:
            raise ValueError(
                f'Question "{q.name}": question type {q.qtype!r} cannot be written as GIFT'
            ) from None
        head = f"::{gift_escape(q.name)}::[{q.text_format}]{gift_escape(q.text)}"
        if block is None:
            out.append(head + "\n")
            continue
        if q.general_feedback:
            block = block[:-1].rstrip("\n") + "####" + gift_escape(q.general_feedback) + "}"
        out.append(head + block + "\n")
    return "\n".join(out)
