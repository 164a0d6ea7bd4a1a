"""The whole plugin contract of the LMS: every hook a plugin may implement.

Plugins implement these with ``@lms.hookimpl`` and are discovered from the ``lms.plugins``
entry-point group. Each hook receives ``app`` (the Flask application) so a plugin never needs
globals. Hooks are grouped in families:

* ``lms_load_*``  things a plugin adds to the application at start-up;
* ``lms_content_*``  content types (activities inside a course);
* ``lms_question_*``  quiz question types;
* ``lms_audience_*``  audience (age-group) rules;
* ``lms_catalog_*`` / ``lms_enrol_*``  narrowing the catalog, refusing a self-enrolment;
* ``lms_participation_*`` / ``lms_report_*``  outreach tracking and statistics;
* ``lms_notify_*``  notification channels and events;
* ``lms_theme_*``  theme packages;
* ``lms_event_*``  things that happened, for plugins to react to;
* ``lms_tpl_*``  small snippets and items injected into pages;
* ``lms_bench_*``  benchmark data (``lms bench generate``).

The reference in ``docs/hooks.md`` is checked against this module by a test: when you add or
change a hook here, update the docs in the same commit.
"""

from __future__ import annotations

from typing import Any

from pluggy import HookspecMarker

hookspec = HookspecMarker("lms")


# ---------------------------------------------------------------------------------------------
# lms_load_*: start-up. Called once per application, in ``create_app``. Return values are
# collected from every enabled plugin; returning ``None`` means "nothing from me".
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_load_blueprints(app):
    """Return a list of Flask blueprints to register.

    Example::

        @hookimpl
        def lms_load_blueprints(app):
            from .views import bp
            return [bp]
    """


@hookspec
def lms_load_models(app):
    """Import the plugin's SQLAlchemy models so their tables join ``db.metadata``.

    Return nothing. Table names must start with the plugin's name (``lms_page_page``).

    Example::

        @hookimpl
        def lms_load_models(app):
            from . import models  # noqa: F401
    """


@hookspec
def lms_load_migrations(app):
    """Return the path of the plugin's Alembic ``versions`` folder, or ``None``.

    The plugin's first revision has ``down_revision = None``, ``branch_labels = ("<plugin>",)``
    and ``depends_on = "core_0001"``: each plugin is its own Alembic branch, and
    ``lms init`` upgrades every branch (``heads``).

    Example::

        @hookimpl
        def lms_load_migrations(app):
            return str(Path(__file__).parent / "migrations")
    """


@hookspec
def lms_load_templates(app):
    """Return the path of a folder of Jinja templates, or ``None``.

    Plugin templates sit after the theme chain and before the core templates, so a theme can
    override them. Keep them under a folder named after the plugin (``lms_page/view.html``).

    Example::

        @hookimpl
        def lms_load_templates(app):
            return str(Path(__file__).parent / "templates")
    """


@hookspec
def lms_load_static(app):
    """Return the path of a folder of static files, served at ``/plugins/<name>/static/``.

    Example::

        @hookimpl
        def lms_load_static(app):
            return str(Path(__file__).parent / "static")
    """


@hookspec
def lms_load_translations(app):
    """Return the path of a ``translations`` folder (``th/LC_MESSAGES/messages.mo``), or ``None``.

    Its catalogue is merged with the core's, so ``_()`` in the plugin's code and templates works.

    Example::

        @hookimpl
        def lms_load_translations(app):
            return str(Path(__file__).parent / "translations")
    """


@hookspec
def lms_load_settings(app):
    """Return a list of :class:`lms.settings.Setting` the plugin offers to admins.

    Values are stored namespaced by plugin name; a secret setting may come from the environment.

    Example::

        @hookimpl
        def lms_load_settings(app):
            return [Setting("max_upload_mb", int, 20, help=_l("Largest upload in MB"))]
    """


@hookspec
def lms_load_cli(app, group):
    """Add Click commands to ``group``, the ``lms`` command group.

    Example::

        @hookimpl
        def lms_load_cli(app, group):
            @group.command("hello")
            def hello():
                click.echo("hello")
    """


# ---------------------------------------------------------------------------------------------
# lms_content_*: content types. An activity row names its content type by key; the type's own
# data lives in the plugin's tables.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_content_types(app):
    """Return a list of :class:`lms.content.ContentType` instances this plugin provides.

    A content type renders an activity for the learner, gives the educator an edit form, says
    when the activity is complete, and exports and imports its data for course packages.

    Example::

        @hookimpl
        def lms_content_types(app):
            return [PageType()]
    """


# ---------------------------------------------------------------------------------------------
# lms_question_*: quiz question types (used by the quiz plugin).
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_question_types(app):
    """Return a list of question type objects (render, parse a response, grade, give feedback,
    export and import). The quiz plugin documents the object's interface.

    Example::

        @hookimpl
        def lms_question_types(app):
            return [TrueFalse()]
    """


# ---------------------------------------------------------------------------------------------
# lms_audience_*: audience groups and the rules that put people in them.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_audience_rules(app):
    """Return a list of audience rule objects. A rule decides, for a user, which audience group
    codes they belong to and why (the reason is shown to admins).

    Example::

        @hookimpl
        def lms_audience_rules(app):
            return [AgeRangeRule()]
    """


@hookspec
def lms_audience_groups_for(app, user):
    """Return a list of audience group codes ``user`` belongs to (``["youth"]``), or ``None``.

    The core unions the answers of all plugins; it uses them for recommendations and theme
    variants without knowing what the groups mean.

    Example::

        @hookimpl
        def lms_audience_groups_for(app, user):
            return ["elderly"] if age_of(user) >= 60 else []
    """


@hookspec
def lms_audience_groups_for_many(app, users):
    """Return ``{user_id: [group codes]}`` for a list of ``users`` (``User`` objects) at once, or
    ``None``. The bulk form of ``lms_audience_groups_for``, for callers with many users (a
    notification fan-out): answer in a constant number of queries per batch, and give for each
    user exactly what ``lms_audience_groups_for`` would. Callers union the answers of all
    plugins and ask ``lms_audience_groups_for`` one user at a time of the plugins that do not
    implement this hook (or return ``None``). A user missing from the dict is in no group.

    Example::

        @hookimpl
        def lms_audience_groups_for_many(app, users):
            births = birth_dates([u.id for u in users])  # one query
            return {u.id: ["elderly"] if age(births.get(u.id)) >= 60 else [] for u in users}
    """


# ---------------------------------------------------------------------------------------------
# lms_catalog_* / lms_enrol_*: the course catalog and self-enrolment.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_catalog_filter(app, stmt, args):
    """Narrow the catalog: return ``stmt`` (a SQLAlchemy ``select(Course)``) with your own
    conditions added, or ``None`` to leave it alone. ``args`` are the request's query
    arguments (a plugin reads its own, e.g. ``args.get("audience")``, from a filter it renders
    in the ``catalog_filters`` slot). Plugins are applied one after another, each receiving the
    statement the previous one returned. Add ``where`` clauses only; keep the ordering.

    Example::

        @hookimpl
        def lms_catalog_filter(app, stmt, args):
            if args.get("free") == "1":
                return stmt.where(Course.enrol_key.is_(None))
    """


@hookspec
def lms_enrol_check(app, user, course):
    """Return a message (a string for the learner) when ``user`` may not enrol in ``course``
    by themselves, or ``None`` to allow it. Called by :func:`lms.courses.enrol` after the core's
    own checks (published, key, capacity); the first message refuses the enrolment and is shown
    to the learner. Teachers and imports adding enrolments directly are not checked.

    Example::

        @hookimpl
        def lms_enrol_check(app, user, course):
            if course.id in adults_only and age_of(user) < 18:
                return _("This course is for adults only.")
    """


# ---------------------------------------------------------------------------------------------
# lms_participation_* / lms_report_*: outreach tracking.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_participation_kinds(app):
    """Return a list of ``(code, label)`` participation kinds this plugin adds.

    The core kinds are ``online_class``, ``onsite_workshop``, ``event``, ``course_enrolment`` and
    ``course_completion``.

    Example::

        @hookimpl
        def lms_participation_kinds(app):
            return [("radio_broadcast", _l("Radio broadcast"))]
    """


@hookspec
def lms_participation_record(app, event):
    """Store a participation event: ``event`` is a :class:`lms.participation.ParticipationEvent`
    (kind, source, occurred_at, user id or headcount, audience, district).

    Raised by the core and plugins through :func:`lms.participation.record`; the outreach
    plugin implements it. Run inside the caller's transaction: do not commit.

    Example::

        @hookimpl
        def lms_participation_record(app, event):
            db.session.add(OutreachEvent.from_event(event))
    """


@hookspec
def lms_report_stats(app, start, end):
    """Return a list of statistic rows for the period ``[start, end)`` (UTC datetimes), or
    ``None``. Each row is a dict with at least ``metric`` and ``value`` and optional
    ``audience``, ``district`` and ``month`` keys. The outreach report adds them up.

    Example::

        @hookimpl
        def lms_report_stats(app, start, end):
            return [{"metric": "enrolments", "value": 12, "audience": "youth"}]
    """


@hookspec
def lms_districts(app):
    """Return the districts this site knows as a list of dicts with ``code``, ``name_th``,
    ``name_en`` and ``province`` (e.g. ``{"code": "5001", "name_th": "เมืองเชียงใหม่", ...}``),
    or ``None``. Profiles, registrations and reports pick a district from the union.

    Example::

        @hookimpl
        def lms_districts(app):
            return [{"code": d.code, "name_th": d.name_th, "name_en": d.name_en,
                     "province": d.province_code} for d in District.query.all()]
    """


@hookspec
def lms_user_export(app, user):
    """Return ``(section, data)`` for the personal data this plugin holds about ``user``, or
    ``None``. ``data`` is JSON-able. Gathered into the "download my data" file (PDPA).

    Example::

        @hookimpl
        def lms_user_export(app, user):
            return ("quiz_attempts", [a.as_dict() for a in attempts_of(user.id)])
    """


@hookspec
def lms_user_erase(app, user):
    """``user`` is deleting their account (PDPA): remove or anonymise the personal data this
    plugin holds about them, in the caller's transaction. Keep counts for statistics
    (progress and participation stay, tied to the anonymised account).

    Example::

        @hookimpl
        def lms_user_erase(app, user):
            Registration.query.filter_by(user_id=user.id).update({"phone": None})
    """


# ---------------------------------------------------------------------------------------------
# lms_notify_*: notifications.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_notify_channels(app):
    """Return a list of notification channel objects (in-site, email, LINE ...). A channel has a
    ``key``, a ``label`` and ``send(delivery)`` which raises on failure.

    Example::

        @hookimpl
        def lms_notify_channels(app):
            return [EmailChannel()]
    """


@hookspec
def lms_notify_event(app, event, recipients, data):
    """A notification event was raised: ``event`` is its code (``"enrolled"``), ``recipients``
    a list of user ids, ``data`` a JSON-able dict. The notification plugin writes it to its
    outbox in the caller's transaction. Raise it through :func:`lms.notify.notify`.

    Example::

        @hookimpl
        def lms_notify_event(app, event, recipients, data):
            outbox.add(event, recipients, data)
    """


@hookspec
def lms_notify_reminders(app, start, end):
    """Return reminders for things happening in ``[start, end)`` (UTC datetimes), or ``None``.
    The notification plugin's beat task asks for the next hours and days and raises each
    reminder once (``key`` makes it idempotent). Each reminder is a dict with ``event`` (an
    event type code), ``key`` (unique per thing and offset), ``recipients`` (user ids), ``data``
    (JSON-able, passed to the event type's ``render``) and ``at`` (UTC datetime the thing starts).

    Example::

        @hookimpl
        def lms_notify_reminders(app, start, end):
            return [{"event": "live_class_reminder", "key": f"live:{s.id}",
                     "recipients": attendees(s), "data": {"title": s.title},
                     "at": s.starts_at} for s in sessions_between(start, end)]
    """


@hookspec
def lms_notify_event_types(app):
    """Return a list of :class:`lms_notify.events.EventType` this plugin raises: the event's
    code, its label on the preferences page, ``render(data)`` giving ``(subject, text, url)``
    in the recipient's language, and default modes per channel. Used by the notification
    plugin; events without a declaration are delivered with ``data["subject"]`` and
    ``data["body"]``.

    Example::

        @hookimpl
        def lms_notify_event_types(app):
            from lms_notify.events import EventType
            return [EventType("quiz_graded", _l("A quiz was graded"), render_quiz_graded)]
    """


# ---------------------------------------------------------------------------------------------
# lms_theme_*: theme packages.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_theme_paths(app):
    """Return a list of folders, each a theme (holding ``theme.toml``), that this package ships.

    Example::

        @hookimpl
        def lms_theme_paths(app):
            return [str(Path(__file__).parent / "mytheme")]
    """


# ---------------------------------------------------------------------------------------------
# lms_event_*: things that happened. Called inside the request's transaction, after the
# change is flushed; implementations must not commit.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_event_user_created(app, user):
    """A user account was created (sign-up, admin, import).

    Example::

        @hookimpl
        def lms_event_user_created(app, user):
            log.info("user %s created", user.id)
    """


@hookspec
def lms_event_enrolled(app, enrolment):
    """A user was enrolled in a course (``enrolment.user``, ``enrolment.course``).

    Example::

        @hookimpl
        def lms_event_enrolled(app, enrolment):
            notify(app, "enrolled", [enrolment.user_id], {"course_id": enrolment.course_id})
    """


@hookspec
def lms_event_activity_completed(app, activity, user):
    """``user`` completed ``activity`` for the first time.

    Example::

        @hookimpl
        def lms_event_activity_completed(app, activity, user):
            award_points(user, 10)
    """


@hookspec
def lms_event_course_completed(app, enrolment):
    """The learner of ``enrolment`` completed every required activity of the course.

    Example::

        @hookimpl
        def lms_event_course_completed(app, enrolment):
            issue_certificate(enrolment)
    """


@hookspec
def lms_event_course_published(app, course):
    """An educator published ``course`` (it became visible in the catalog).

    Example::

        @hookimpl
        def lms_event_course_published(app, course):
            announce_new_course(course)
    """


# ---------------------------------------------------------------------------------------------
# lms_tpl_*: small additions to pages. Return values are collected and sorted by their
# ``order`` (lower first); HTML must be ``markupsafe.Markup`` built from escaped values.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_tpl_nav_items(app, user):
    """Return a list of :class:`lms.ui.NavItem` for the main navigation (``user`` may be
    anonymous).

    Example::

        @hookimpl
        def lms_tpl_nav_items(app, user):
            return [NavItem(_l("Reports"), url_for("reports.index"), order=50)]
    """


@hookspec
def lms_shared_cache_keys(app, user_id):
    """Return the keys of the shared cache (``lms.site_cache.shared_backend()``) that this
    plugin reads on every page for the signed-in user ``user_id``. The core fetches them all,
    with the site's own, in one round trip at the request's first read, and answers the
    plugin's reads of them from that. Called on every page: compute keys, do not query.

    Example::

        @hookimpl
        def lms_shared_cache_keys(app, user_id):
            return [f"myplugin-badge:{user_id}"]
    """


@hookspec
def lms_tpl_dashboard_items(app, user):
    """Return a list of :class:`lms.ui.Snippet` shown on the learner's "my learning" page.

    Example::

        @hookimpl
        def lms_tpl_dashboard_items(app, user):
            return [Snippet(render_template("myplugin/card.html"), order=20)]
    """


@hookspec
def lms_tpl_snippets(app, slot, context):
    """Return a :class:`lms.ui.Snippet` (or a list of them) for the template slot ``slot``.

    Core slots: ``head`` (inside ``<head>``), ``body_end``, ``course_header`` and
    ``activity_footer``; ``context`` holds the page's objects (``course``, ``activity``).

    Example::

        @hookimpl
        def lms_tpl_snippets(app, slot, context):
            if slot == "head":
                return Snippet(Markup('<meta name="x" content="y">'))
    """


@hookspec
def lms_tpl_body_classes(app, user) -> Any:
    """Return a list of CSS class names for ``<body>`` (theme variants use them: ``a11y-large``).

    Example::

        @hookimpl
        def lms_tpl_body_classes(app, user):
            return ["a11y-large"] if wants_large_text(user) else []
    """


# ---------------------------------------------------------------------------------------------
# lms_bench_*: benchmark data. ``lms bench generate --size XS|S|M|L`` builds a realistic site
# for ``make bench``; each plugin adds the rows of its own tables.
# ---------------------------------------------------------------------------------------------


@hookspec
def lms_bench_generate(app, site):
    """Add this plugin's rows to the benchmark site ``lms bench generate`` is building.

    ``site`` is an :class:`lms.benchmark.BenchSite`: the size (``site.size``, with
    ``learners``, ``progress_rows``, ``participation_rows``), a seeded ``site.rng``, the
    learners' ids, the courses with their sections and lessons, every enrolment with the
    lessons done, and ``site.facts`` that plugins share (the audience plugin runs first and
    sets ``facts["audience"]`` and ``facts["district"]``). Insert with ``site.bulk(table,
    rows)`` (in chunks: COPY on PostgreSQL, executemany elsewhere) and explicit ids from
    ``site.next_id(table)``; do not commit. Return ``{table name: rows inserted}``. A plugin
    that raises stops the run and nothing is kept.

    Example::

        @hookimpl
        def lms_bench_generate(app, site):
            first = site.next_id(Badge)
            rows = ({"id": first + i, "user_id": u} for i, u in enumerate(site.learner_ids))
            return {"lms_badge": site.bulk(Badge, rows)}
    """
