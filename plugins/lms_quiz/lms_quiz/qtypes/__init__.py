"""Question types. Each built-in type is its own module that uses only :mod:`.base`.

The quiz engine finds types through the ``lms_question_types`` hook (the quiz plugin
implements it for the built-in ones), so a third-party package adds a type the same way.
"""

from __future__ import annotations

from flask import current_app

from lms import plugins
from lms_quiz.qtypes.base import QuestionType


def builtin_types() -> list[QuestionType]:
    from lms_quiz.qtypes.description import Description
    from lms_quiz.qtypes.essay import Essay
    from lms_quiz.qtypes.matching import Matching
    from lms_quiz.qtypes.multichoice import MultiChoice
    from lms_quiz.qtypes.numerical import Numerical
    from lms_quiz.qtypes.shortanswer import ShortAnswer
    from lms_quiz.qtypes.truefalse import TrueFalse

    return [
        MultiChoice(),
        TrueFalse(),
        ShortAnswer(),
        Numerical(),
        Matching(),
        Essay(),
        Description(),
    ]


def all_types() -> dict[str, QuestionType]:
    """Every question type the enabled plugins offer, by key (first provider wins).

    Outside an application (the GIFT benchmark, plain unit tests) the built-in types."""
    if not current_app:
        return {t.key: t for t in builtin_types()}
    found: dict[str, QuestionType] = {}
    for qtype in plugins.call("lms_question_types"):
        if isinstance(qtype, QuestionType) and qtype.key:
            found.setdefault(qtype.key, qtype)
    return found


def get_type(key: str) -> QuestionType | None:
    return all_types().get(key)


__all__ = ["QuestionType", "all_types", "builtin_types", "get_type"]
