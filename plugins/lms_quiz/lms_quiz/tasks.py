"""The quiz's periodic task: close attempts left open past their deadline (a learner who
closed the tab never submits; without this the attempt would wait until someone looked)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="lms_quiz.close_overdue", ignore_result=True)
def close_overdue() -> dict[str, int]:
    """Apply each quiz's overdue rule to the attempts past deadline + grace."""
    from lms_quiz import attempts

    return attempts.close_overdue()
