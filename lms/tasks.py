"""Celery wired the Flask way: one Celery app per Flask app, configured from ``app.config``.

``celery_init_app`` builds ``app.config["CELERY"]`` from ``REDIS_URL`` (``LMS_REDIS_URL``): with a
URL, Redis is broker and result backend; without one (the embedded default) tasks run eagerly in
the calling process, so nothing needs an external service. Every task runs inside the Flask
application context (:class:`FlaskTask`). Define tasks with ``celery.shared_task``; they bind to
the app that ``celery_init_app`` set as default. Plugins add periodic tasks to
``app.config["CELERY"]["beat_schedule"]`` and module names to ``include`` before the worker starts.

The worker and the scheduler run with ``lms worker`` and ``lms beat``.
"""

from __future__ import annotations

from typing import Any

import click
from celery import Celery, Task
from celery.signals import worker_process_init, worker_ready
from flask import Flask, current_app
from flask.cli import with_appcontext


def celery_config(app: Flask) -> dict[str, Any]:
    """The Celery settings derived from the Flask config (``CELERY`` entries win)."""
    redis_url = app.config.get("REDIS_URL") or ""
    conf: dict[str, Any] = {
        "broker_url": redis_url or "memory://",
        "result_backend": redis_url or None,
        "task_always_eager": not redis_url,
        "task_eager_propagates": False,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "timezone": app.config.get("TIMEZONE", "Asia/Bangkok"),
        "enable_utc": True,
        "broker_connection_retry_on_startup": True,
        # Publishing must fail fast when Redis is away: the outbox keeps the work.
        "broker_connection_timeout": 2,
        "broker_transport_options": {"visibility_timeout": 3600, "socket_timeout": 5},
        "task_publish_retry": False,
        "task_default_queue": app.config.get("CELERY_QUEUE") or "celery",
        "beat_schedule": {},
        "include": [],
    }
    conf.update(app.config.get("CELERY") or {})
    return conf


class FlaskTask(Task):
    """A task that runs inside the Flask application context (its own database session)."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.flask_app.app_context():
            return self.run(*args, **kwargs)


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for ``app``, store it in ``app.extensions["celery"]``."""
    app.config["CELERY"] = celery_config(app)

    class AppTask(FlaskTask):
        flask_app = app

    celery_app = Celery(app.name, task_cls=AppTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    @worker_process_init.connect(weak=False)
    def _fresh_connections(**_kwargs: Any) -> None:  # a forked child must not share sockets
        from lms.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)

    @worker_ready.connect(weak=False)
    def _watchdog(sender: Any = None, **_kwargs: Any) -> None:  # see lms/worker_watchdog.py
        from lms import worker_watchdog

        worker_watchdog.start(sender, float(app.config.get("WORKER_WATCHDOG_SECONDS", 60)))

    return celery_app


def get_celery(app: Flask | None = None) -> Celery:
    return (app or current_app).extensions["celery"]


def eager(app: Flask | None = None) -> bool:
    """True on the embedded default: tasks run in the calling process."""
    return bool(get_celery(app).conf.task_always_eager)


def _celery_argv(kind: str, extra: tuple[str, ...]) -> list[str]:
    return [kind, "--loglevel", current_app.config.get("LOG_LEVEL", "INFO"), *extra]


@click.command(
    "worker", context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def worker_command(celery_args: tuple[str, ...]) -> None:
    """Run a Celery worker (needs LMS_REDIS_URL). Extra arguments go to ``celery worker``."""
    celery_app = get_celery()
    if celery_app.conf.task_always_eager:
        raise click.ClickException("set LMS_REDIS_URL: without Redis tasks run in-process")
    celery_app.worker_main(_celery_argv("worker", celery_args))


@click.command("beat", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def beat_command(celery_args: tuple[str, ...]) -> None:
    """Run the Celery beat scheduler (periodic sweeps, digests, reminders)."""
    celery_app = get_celery()
    if celery_app.conf.task_always_eager:
        raise click.ClickException("set LMS_REDIS_URL: without Redis tasks run in-process")
    import os

    schedule = os.path.join(current_app.instance_path, "celerybeat-schedule")
    os.makedirs(current_app.instance_path, exist_ok=True)
    celery_app.start(["beat", "--schedule", schedule, *_celery_argv("beat", celery_args)[1:]])


def init_cli(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(beat_command)
