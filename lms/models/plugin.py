"""Plugin state and settings kept in the database."""

from __future__ import annotations

from sqlalchemy import Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class PluginState(db.Model):
    """Whether an admin turned a discovered plugin off (absent row: enabled)."""

    __tablename__ = "plugin_state"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class PluginSetting(db.Model):
    """A setting value, namespaced by plugin (``core`` for the core's own)."""

    __tablename__ = "plugin_setting"
    __table_args__ = (UniqueConstraint("plugin", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(Text, default="")
