"""A deck of flashcards: an example third-party content type for the LMS.

Everything a content type needs, through the public hooks only: a model and its own Alembic
branch, a form, rendering, completion modes, export and import for course packages.
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from lms import hookimpl
from lms.content import ContentType
from lms.extensions import db

LMS_PLUGIN_API = ">=1,<2"
HERE = Path(__file__).resolve().parent


class Deck(db.Model):
    __tablename__ = "lms_flashcards_deck"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    cards: Mapped[list] = mapped_column(JSON, default=list)


def parse_cards(text: str) -> list[dict[str, str]]:
    cards = []
    for line in (text or "").splitlines():
        front, sep, back = line.partition("|")
        if sep and front.strip() and back.strip():
            cards.append({"front": front.strip()[:500], "back": back.strip()[:2000]})
    return cards


def _has_cards(form, field):
    if not parse_cards(field.data):
        raise ValidationError(_l("Write at least one card as: front | back"))


class DeckForm(FlaskForm):
    deck_cards = TextAreaField(
        _l("Cards"),
        validators=[DataRequired(), Length(max=100_000), _has_cards],
        description=_l("One card a line: front | back"),
        render_kw={"rows": 10},
    )


class FlashcardsType(ContentType):
    key = "flashcards"
    label = _l("Flashcards")
    description = _l("A deck of cards to test yourself: tap a card to turn it over.")
    icon = "🃏"
    completion_modes = ("manual", "view")

    def form_class(self):
        return DeckForm

    def load(self, activity, form):
        deck = db.session.get(Deck, activity.id)
        if deck is not None:
            form.deck_cards.data = "\n".join(f"{c['front']} | {c['back']}" for c in deck.cards)

    def save(self, activity, form):
        self.import_data(activity, {"cards": parse_cards(form.deck_cards.data)})

    def render(self, activity, user) -> Markup:
        deck = db.session.get(Deck, activity.id)
        # Autoescaped by Jinja: card text is plain text, never HTML.
        return Markup(render_template("lms_flashcards/deck.html", cards=deck.cards if deck else []))

    def delete(self, activity):
        deck = db.session.get(Deck, activity.id)
        if deck is not None:
            db.session.delete(deck)

    def export_data(self, activity):
        deck = db.session.get(Deck, activity.id)
        return {"cards": list(deck.cards)} if deck else {"cards": []}

    def import_data(self, activity, data):
        cards = [
            {"front": str(c["front"])[:500], "back": str(c["back"])[:2000]}
            for c in data.get("cards", [])
            if isinstance(c, dict) and "front" in c and "back" in c
        ]
        deck = db.session.get(Deck, activity.id) or Deck(activity_id=activity.id)
        deck.cards = cards
        db.session.add(deck)

    def summary(self, activity):
        deck = db.session.get(Deck, activity.id)
        return f"{len(deck.cards)} cards" if deck else ""


@hookimpl
def lms_content_types(app):
    return [FlashcardsType()]


@hookimpl
def lms_load_templates(app):
    return str(HERE / "templates")


@hookimpl
def lms_load_migrations(app):
    return str(HERE / "migrations")


@hookimpl
def lms_load_translations(app):
    # Thai catalogue: compile it with `pybabel compile -d lms_flashcards/translations`.
    return str(HERE / "translations")
