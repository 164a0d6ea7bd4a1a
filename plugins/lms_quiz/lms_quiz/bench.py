"""The quiz plugin's benchmark rows (``lms bench generate``, hook ``lms_bench_generate``).

Every course gets a question bank (one category; multiple-choice, true/false and short-answer
questions in the course's language, parsed from GIFT exactly as an import stores them) and a
quiz at the end of each section. A learner who finished every lesson of a section has, for a
share of those sections, one finished and graded attempt on its quiz with a response per place,
marked by the question types' own grading. Passing an attempt completes the quiz activity, as
:func:`lms_quiz.attempts._check_completion` does with automatic completion; a failed attempt
leaves the learner's progress row viewed but not complete, as opening the quiz page does.

Volume: about one attempt per 24 progress rows of the site (42,000 at size M), capped by how
many sections learners really finished. Rows go in with SQLAlchemy Core, explicit ids.

For the plugins that run after this one, ``site.facts["quiz_attempts"]`` lists every attempt
as ``(user_id, quiz activity id, graded_at, grade, grade_max)``: on a real site each graded
attempt is also a participation event (kind ``quiz_attempt``, source ``quiz:<activity id>``).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from lms.extensions import db
from lms.models import Activity, ActivityProgress
from lms_quiz import gift
from lms_quiz.bench_banks import BANKS
from lms_quiz.gift import ParsedQuestion
from lms_quiz.models import Attempt, Category, Question, Quiz, Response, Slot
from lms_quiz.qtypes import all_types

if TYPE_CHECKING:
    from lms.benchmark import BenchSite

#: Attempts per progress row of the site: 42,000 at size M (1,000,000 progress rows), which
#: keeps this part under a minute on PostgreSQL on a 2-core machine (responses dominate).
ATTEMPTS_PER_PROGRESS_ROW = 0.042
#: Attempts (with their responses) held in memory before they are inserted.
FLUSH_ATTEMPTS = 2_000
#: Share of wrongly answered places the learner left empty.
UNANSWERED = 0.08

CATEGORY_NAME = {"th": "ข้อสอบท้ายหน่วย", "en": "Unit quizzes"}
QUIZ_TITLE = {"th": "แบบทดสอบท้ายหน่วยที่ {n}", "en": "Unit {n} quiz"}
QUIZ_INTRO = {
    "th": "ทบทวนสิ่งที่เรียนใน**หน่วยที่ {n}** ตอบทุกข้อแล้วกดส่ง ทำได้ในโทรศัพท์มือถือ",
    "en": "Check what you learned in **unit {n}**. Answer every question, then submit.",
}
#: What learners type into a short-answer question when they do not know.
WRONG_TYPED = {
    "th": ["ไม่ทราบ", "ไม่แน่ใจ", "เชียงใหม่", "100", "น้ำ"],
    "en": ["I don't know", "not sure", "Chiang Mai", "100", "waters"],
}


@dataclass
class _Question:
    """A bank question with the responses a learner may give, each already graded by its
    question type: ``right`` ones (full marks) and ``wrong`` ones (less than full)."""

    id: int
    parsed: ParsedQuestion
    right: list[tuple[Any, float]]
    wrong: list[tuple[Any, float]]


@dataclass
class _QuizPlan:
    activity_id: int
    course_id: int
    grade_max: float
    pass_percent: float
    time_limit: int | None
    shuffle_questions: bool
    shuffle_answers: bool
    questions: list[_Question]


def _candidates(parsed: ParsedQuestion, lang: str) -> tuple[list[Any], list[Any]]:
    """Right and wrong responses for a question, in the stored response format of its type
    (what ``parse_response`` returns): a list of choice indexes, "true"/"false", typed text."""
    data = parsed.data
    if parsed.qtype == "multichoice":
        answers = data["answers"]
        good = [i for i, a in enumerate(answers) if a["fraction"] > 0]
        bad = [i for i, a in enumerate(answers) if a["fraction"] <= 0]
        if data["single"]:
            best = max(a["fraction"] for a in answers)
            return [[i] for i in good if answers[i]["fraction"] == best], [[i] for i in bad]
        partial = [sorted([g, b]) for g in good for b in bad] + [[g] for g in good]
        return [good], partial
    if parsed.qtype == "truefalse":
        right = "true" if data["correct"] else "false"
        return [right], ["false" if data["correct"] else "true"]
    if parsed.qtype == "shortanswer":
        best = max(a["fraction"] for a in data["answers"])
        right = [a["text"] for a in data["answers"] if a["fraction"] == best]
        return right, list(WRONG_TYPED[lang])
    raise ValueError(f"no benchmark responses for question type {parsed.qtype}")


def _bank(lang: str, types: dict[str, Any]) -> list[tuple[ParsedQuestion, list, list]]:
    """The language's bank with graded right and wrong responses per question."""
    out = []
    for parsed in gift.parse(BANKS[lang], types):
        qt = types[parsed.qtype]
        right, wrong = _candidates(parsed, lang)
        graded_right = [(r, qt.grade(parsed.data, r)) for r in right]
        graded_wrong = [(r, f) for r in wrong if (f := qt.grade(parsed.data, r)) < 1.0]
        if not graded_wrong or any(f != 1.0 for _r, f in graded_right):
            raise ValueError(f"benchmark question {parsed.name!r} does not grade as expected")
        out.append((parsed, graded_right, graded_wrong))
    return out


def generate(site: BenchSite) -> dict[str, int]:
    """Insert the quiz plugin's rows into the benchmark site; ``{table: rows inserted}``."""
    rng = random.Random(site.rng.getrandbits(64))  # our own stream: others' stay the same
    types = all_types()
    banks = {lang: _bank(lang, types) for lang in BANKS}
    created = site.now - timedelta(days=400)
    counts: dict[str, int] = {}

    # Categories and questions: 8 to 15 per course, in its language.
    category_id, question_id = site.next_id(Category), site.next_id(Question)
    categories: list[dict] = []
    questions: list[dict] = []
    course_bank: dict[int, list[_Question]] = {}
    for course_id in site.course_ids:
        lang = "th" if site.course_language.get(course_id) == "th" else "en"
        categories.append({"id": category_id, "course_id": course_id, "name": CATEGORY_NAME[lang]})
        pool = banks[lang]
        course_bank[course_id] = []
        for parsed, right, wrong in rng.sample(pool, rng.randint(8, min(15, len(pool)))):
            course_bank[course_id].append(_Question(question_id, parsed, right, wrong))
            questions.append(
                {
                    "id": question_id,
                    "course_id": course_id,
                    "category_id": category_id,
                    "qtype": parsed.qtype,
                    "name": parsed.name[:255],
                    "text": parsed.text,
                    "text_format": parsed.text_format,
                    "general_feedback": parsed.general_feedback,
                    "data": parsed.data,
                    "default_mark": parsed.default_mark,
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            question_id += 1
        category_id += 1
    counts[Category.__tablename__] = site.bulk(Category, categories)
    counts[Question.__tablename__] = site.bulk(Question, questions)

    # Where each section's lessons are: one query for the whole run.
    section_end: dict[int, int] = {}  # section -> the next free position in it
    section_of: dict[int, int] = {}
    for aid, sid, position in db.session.execute(
        select(Activity.id, Activity.section_id, Activity.position).where(
            Activity.course_id.in_(site.course_ids)
        )
    ):
        section_of[aid] = sid
        section_end[sid] = max(section_end.get(sid, 0), position + 1)
    # Lessons done (outline order) a learner needs to have finished each section.
    needed: dict[int, int] = {}
    for course_id in site.course_ids:
        for index, aid in enumerate(site.course_activities.get(course_id, [])):
            needed[section_of[aid]] = index + 1

    # A quiz at the end of every section.
    activity_id, slot_id = site.next_id(Activity), site.next_id(Slot)
    activities: list[dict] = []
    quizzes: list[dict] = []
    slots: list[dict] = []
    plans: dict[int, _QuizPlan] = {}  # section -> its quiz
    for course_id in site.course_ids:
        lang = "th" if site.course_language.get(course_id) == "th" else "en"
        bank = course_bank[course_id]
        for number, section_id in enumerate(site.course_sections.get(course_id, []), start=1):
            activities.append(
                {
                    "id": activity_id,
                    "course_id": course_id,
                    "section_id": section_id,
                    "position": section_end.get(section_id, 0),
                    "content_type": "quiz",
                    "title": QUIZ_TITLE[lang].format(n=number),
                    "is_visible": True,
                    "completion": "auto",
                    "created_at": created,
                }
            )
            plan = _QuizPlan(
                activity_id=activity_id,
                course_id=course_id,
                grade_max=rng.choice((10.0, 10.0, 10.0, 20.0, 100.0)),
                pass_percent=rng.choice((50.0, 60.0, 60.0, 70.0)),
                time_limit=rng.choice((None, None, 600, 900, 1200)),
                shuffle_questions=rng.random() < 0.3,
                shuffle_answers=rng.random() < 0.8,
                questions=rng.sample(bank, min(len(bank), rng.randint(5, 10))),
            )
            plans[section_id] = plan
            quizzes.append(
                {
                    "activity_id": activity_id,
                    "intro": QUIZ_INTRO[lang].format(n=number),
                    "open_at": None,
                    "close_at": None,
                    "time_limit": plan.time_limit,
                    "grace_seconds": 60,
                    "overdue_rule": "autosubmit",
                    "attempts_allowed": rng.choice((0, 0, 1, 2, 3)),
                    "grade_method": "highest",
                    "grade_max": plan.grade_max,
                    "pass_percent": plan.pass_percent,
                    "questions_per_page": rng.choice((1, 1, 0, 5)),
                    "shuffle_questions": plan.shuffle_questions,
                    "shuffle_answers": plan.shuffle_answers,
                    "review_marks": "after_submit",
                    "review_feedback": "after_submit",
                    "review_correct": "after_close",
                }
            )
            for position, question in enumerate(plan.questions):
                slots.append(
                    {
                        "id": slot_id,
                        "quiz_id": activity_id,
                        "position": position,
                        "question_id": question.id,
                        "category_id": None,
                        "mark": None,
                    }
                )
                slot_id += 1
            activity_id += 1
    counts[Activity.__tablename__] = site.bulk(Activity, activities)
    counts[Quiz.__tablename__] = site.bulk(Quiz, quizzes)
    counts[Slot.__tablename__] = site.bulk(Slot, slots)

    counts.update(_attempts(site, rng, plans, needed, types))
    return counts


def _attempts(
    site: BenchSite,
    rng: random.Random,
    plans: dict[int, _QuizPlan],
    needed: dict[int, int],
    types: dict[str, Any],
) -> dict[str, int]:
    """One graded attempt on a section's quiz for a share of the learners who finished the
    section's lessons, with its responses and the quiz's progress row."""
    # Per course, its sections ordered by the lessons done they need (bisect finds how many
    # a learner finished).
    by_course: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for section_id, plan in plans.items():
        if section_id in needed:  # a section without lessons: nobody "finished" it
            by_course[plan.course_id].append((needed[section_id], section_id))
    thresholds = {c: sorted(v) for c, v in by_course.items()}
    needs = {c: [n for n, _s in v] for c, v in thresholds.items()}
    finished = sum(bisect_right(needs.get(c, []), done) for _u, c, done in site.enrolments)
    target = max(1, round(site.size.progress_rows * ATTEMPTS_PER_PROGRESS_ROW))
    share = min(1.0, target / finished) if finished else 0.0

    attempt_id = site.next_id(Attempt)
    response_id = site.next_id(Response)
    progress_id = site.next_id(ActivityProgress)
    attempts: list[dict] = []
    answered: list[dict] = []
    unanswered: list[dict] = []  # no "response" key: SQL NULL, as a place never answered
    progress: list[dict] = []
    graded: list[tuple[int, int, datetime, float, float]] = []
    counts = {"lms_quiz_attempt": 0, "lms_quiz_response": 0, "activity_progress": 0}

    def flush() -> None:
        counts["lms_quiz_attempt"] += site.bulk(Attempt, attempts)
        counts["lms_quiz_response"] += site.bulk(Response, answered)
        counts["lms_quiz_response"] += site.bulk(Response, unanswered)
        attempts.clear()
        answered.clear()
        unanswered.clear()

    for user_id, course_id, done in site.enrolments:
        sections = thresholds.get(course_id)
        if not sections:
            continue
        ability = rng.betavariate(4.5, 1.8)  # this learner's share of right answers
        for _need, section_id in sections[: bisect_right(needs[course_id], done)]:
            if rng.random() >= share:
                continue
            plan = plans[section_id]
            started = site.now - timedelta(days=rng.randint(1, 300), seconds=rng.randint(0, 86_399))
            limit = plan.time_limit or 1_800
            submitted = started + timedelta(seconds=rng.randint(min(90, limit - 30), limit - 30))
            picked = list(plan.questions)
            if plan.shuffle_questions:
                rng.shuffle(picked)
            layout: list[dict[str, Any]] = []
            sum_marks = max_marks = 0.0
            step = (submitted - started) / (len(picked) + 1)
            for index, question in enumerate(picked):
                parsed = question.parsed
                mark = parsed.default_mark
                order = (
                    types[parsed.qtype].shuffle(parsed.data, rng) if plan.shuffle_answers else None
                )
                layout.append(
                    {"question_id": question.id, "version": 1, "mark": mark, "order": order}
                )
                max_marks += mark
                row = {
                    "id": response_id,
                    "attempt_id": attempt_id,
                    "slot_index": index,
                    "question_id": question.id,
                    "needs_grading": False,
                    "comment": "",
                    "graded_by_id": None,
                    "saved_at": started + step * (index + 1),
                }
                response_id += 1
                if rng.random() < ability:
                    response, fraction = rng.choice(question.right)
                elif rng.random() < UNANSWERED:
                    row["fraction"], row["mark"] = 0.0, 0.0
                    unanswered.append(row)
                    continue
                else:
                    response, fraction = rng.choice(question.wrong)
                fraction = max(0.0, min(1.0, fraction))
                row["response"], row["fraction"] = response, fraction
                row["mark"] = round(fraction * mark, 7)
                sum_marks += row["mark"]
                answered.append(row)
            sum_marks = round(sum_marks, 7)
            grade = round(sum_marks / max_marks * plan.grade_max, 5) if max_marks else 0.0
            attempts.append(
                {
                    "id": attempt_id,
                    "quiz_id": plan.activity_id,
                    "user_id": user_id,
                    "number": 1,
                    "state": "graded",
                    "started_at": started,
                    "deadline": started + timedelta(seconds=plan.time_limit)
                    if plan.time_limit
                    else None,
                    "submitted_at": submitted,
                    "graded_at": submitted,
                    "layout": layout,
                    "sum_marks": sum_marks,
                    "max_marks": max_marks,
                    "grade": grade,
                }
            )
            attempt_id += 1
            graded.append((user_id, plan.activity_id, submitted, grade, plan.grade_max))
            passed = grade >= plan.grade_max * plan.pass_percent / 100 - 1e-9
            progress.append(
                {
                    "id": progress_id,
                    "user_id": user_id,
                    "activity_id": plan.activity_id,
                    "course_id": course_id,
                    "first_viewed_at": started,
                    "completed_at": submitted if passed else None,
                    "score": None,
                }
            )
            progress_id += 1
            if len(attempts) >= FLUSH_ATTEMPTS:
                flush()
    flush()
    counts["activity_progress"] = site.bulk(ActivityProgress, progress)
    site.facts["quiz_attempts"] = graded
    return counts
