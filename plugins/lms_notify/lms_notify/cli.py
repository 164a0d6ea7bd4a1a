"""``lms notify ...``: announce, status, retry-failed, tick (sweep and due work, for cron)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from lms.extensions import db


@click.group("notify")
def notify_group() -> None:
    """Notifications: announcements, outbox status, retries."""


@notify_group.command("announce")
@click.option("--course", "course_id", type=int, help="Send to the learners of this course.")
@click.option("--audience", help="Send to an audience group (its code).")
@click.option("--all", "everyone", is_flag=True, help="Send to every active user.")
@click.option("--subject", required=True)
@click.option("--body", required=True)
@click.option("--sender", "sender_email", help="Email of the sending user (shown in progress).")
@with_appcontext
def announce_command(course_id, audience, everyone, subject, body, sender_email) -> None:
    """Send an announcement through the same path as the web form."""
    from lms_notify import announce

    chosen = [x for x in (course_id is not None, bool(audience), everyone) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of --course, --audience, --all")
    scope, target = (
        ("course", str(course_id))
        if course_id is not None
        else ("audience", audience)
        if audience
        else ("all", "")
    )
    sender_id = None
    if sender_email:
        from lms.auth.services import find_by_email

        user = find_by_email(sender_email)
        if user is None:
            raise click.BadParameter("no such user", param_hint="--sender")
        sender_id = user.id
    try:
        a = announce.create(sender_id, scope, target, subject, body)
    except announce.AnnounceError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()  # the fan-out task starts after the commit
    click.echo(f"Announcement {a.id} queued for {a.total or 'the audience'} recipients.")


@notify_group.command("status")
@with_appcontext
def status_command() -> None:
    """Outbox counts per channel: pending, sent, failed, held for digests, skipped."""
    from lms_notify.outbox import counts_by_channel

    counts = counts_by_channel()
    head = ("pending", "sent", "failed", "held", "skipped")
    click.echo(f"{'channel':<12}" + "".join(f" {h:>8}" for h in head))
    for channel in sorted(counts):
        c = counts[channel]
        row = (
            c.get("pending", 0) + c.get("sending", 0),
            c.get("sent", 0) + c.get("digested", 0),
            c.get("failed", 0),
            c.get("held", 0),
            c.get("skipped", 0),
        )
        click.echo(f"{channel:<12}" + "".join(f" {n:>8}" for n in row))


@notify_group.command("retry-failed")
@with_appcontext
def retry_failed_command() -> None:
    """Put every failed delivery back in the queue."""
    from lms_notify.outbox import retry_failed

    n = retry_failed()
    db.session.commit()
    click.echo(f"{n} failed deliveries queued again.")


@notify_group.command("tick")
@click.option("--digest", type=click.Choice(["daily", "weekly"]), help="Also build a digest.")
@click.option("--nudge", is_flag=True, help="Also nudge inactive learners.")
@with_appcontext
def tick_command(digest: str | None, nudge: bool) -> None:
    """Run the periodic work once (for cron on the embedded default, without beat): due
    reminders, waiting deliveries, stalled announcements; digests and nudges on request."""
    from lms.models.base import utcnow
    from lms_notify import digests, outbox, reminders

    if digest:
        click.echo(f"{digests.build(digest)} digests written.")
    if nudge:
        click.echo(f"{digests.nudge_inactive()} learners nudged.")
    click.echo(f"{reminders.run(utcnow())} reminders raised.")
    ids = outbox.due_ids(int(outbox.cfg("NOTIFY_SWEEP_LIMIT", 5000)), grace_seconds=0)
    outbox.dispatch(ids)
    for announcement_id in outbox.stalled_announcements():
        outbox.start_fanout(announcement_id)
    click.echo(f"{len(ids)} waiting deliveries dispatched.")
