"""What a channel plugin implements, and what it receives.

A channel (returned by the ``lms_notify_channels`` hook) has ``key``, ``label``, ``push`` (True
for channels that reach a phone or inbox: they respect quiet hours), ``reachable(user_ids)`` and
``send(message)``. ``send`` raises :class:`TransientError` for failures worth retrying (SMTP 4xx,
HTTP 5xx, timeouts), :class:`PermanentError` for the rest and :class:`SkipDelivery` when there
is rightly nothing to send; anything else counts as transient. A channel whose ``send`` only
writes to the database (``transactional = True``: in-site) is committed with the batch; the
others are recorded in the sent ledger (``lms_notify.ledger``) as soon as they are accepted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


class TransientError(Exception):
    """Try again later (with exponential backoff)."""


class PermanentError(Exception):
    """Do not try again: the delivery is marked failed and listed for admins."""


class SkipDelivery(PermanentError):
    """Nothing to send, and nothing wrong: the delivery is marked ``skipped``, never retried and
    not listed as a failure (an address in the reserved ``.invalid`` domain, for example)."""


@dataclass
class Message:
    """A rendered delivery, in the recipient's language."""

    delivery_id: int
    key: str
    event: str
    channel: str
    user_id: int
    email: str | None
    name: str
    locale: str
    subject: str
    text: str
    url: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)  # a digest's entries
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def message_uuid(self) -> str:
        """A stable UUID from the idempotency key (Message-ID, LINE retry key)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "lms-notify:" + self.key))


class Channel:
    """Base class for channels; override ``send`` (and ``reachable`` if not everyone is)."""

    key = ""
    label = ""
    push = True
    transactional = False

    def reachable(self, user_ids: list[int]) -> set[int]:
        """The users among ``user_ids`` this channel can reach (default: all)."""
        return set(user_ids)

    def send(self, message: Message) -> None:  # pragma: no cover - interface
        raise NotImplementedError
