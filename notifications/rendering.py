"""Turning an outbox row into the words the recipient reads, in their language and time zone."""

import json
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from notifications.models import Channel, Message
from notifications.optout import opt_out_url


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def message_context(message: Message) -> dict[str, Any]:
    # Datetimes travel through JSON as ISO strings; keys ending in _at become datetimes again.
    context = {
        key: (parse_datetime(value) or value) if key.endswith("_at") and isinstance(value, str) else value
        for key, value in message.context.items()
    }
    context["campaign"] = message.campaign
    if not context.get("opt_out_url"):
        context["opt_out_url"] = opt_out_url(message)  # every message to a person says how to stop them
    return context


def _render(message: Message, context: dict[str, Any]) -> Rendered:
    """Templates live in templates/notifications/<template>.{subject,email,sms}.txt."""
    with translation.override(message.language), timezone.override(message.campaign.tzinfo):
        if message.channel == Channel.SMS:
            body = render_to_string(f"notifications/{message.template}.sms.txt", context).strip()
            return Rendered(subject="", body=body)
        subject = render_to_string(f"notifications/{message.template}.subject.txt", context).strip()
        body = render_to_string(f"notifications/{message.template}.email.txt", context).strip() + "\n"
    return Rendered(subject=" ".join(subject.split()), body=body)


def render_message(message: Message) -> Rendered:
    return _render(message, message_context(message))


# Private-use characters: no template filter we use changes them, and no real text contains them.
OPEN, CLOSE = "\ue000", "\ue001"


class RenderCache:
    """Renders each distinct message once per batch, and only swaps in each recipient's own links.

    The 50 reminders of one shift differ only in their signed links (confirm, cancel, opt-out…):
    the template runs once per (template, channel, language, campaign, everything else in the
    context) with a placeholder for each `*_url`, and each message gets its links put in place.
    That holds for templates that print links as they are, which plain-text templates do; a link
    that a template changed (escaped, cut, filtered) leaves a placeholder broken, and that shape
    falls back to a full render per message.
    """

    def __init__(self, max_shapes: int = 256) -> None:
        self.max_shapes = max_shapes
        self.shapes: dict[tuple, Rendered | None] = {}

    def render(self, message: Message) -> Rendered:
        links = {
            key: value
            for key, value in message.context.items()
            if key.endswith("_url") and isinstance(value, str) and value and escape(value) == value
        }
        if not message.context.get("opt_out_url"):
            links["opt_out_url"] = opt_out_url(message)
        links = {key: value for key, value in links.items() if value}
        if not links:
            return render_message(message)
        rest = {key: value for key, value in message.context.items() if key not in links}
        key = (
            message.template,
            message.channel,
            message.language,
            message.campaign_id,
            json.dumps(rest, sort_keys=True, default=str),
            tuple(sorted(links)),
        )
        if key not in self.shapes:
            if len(self.shapes) >= self.max_shapes:
                self.shapes.clear()
            self.shapes[key] = self._shape(message, links)
        shape = self.shapes[key]
        if shape is None:
            return render_message(message)
        return Rendered(subject=self._fill(shape.subject, links), body=self._fill(shape.body, links))

    @staticmethod
    def _shape(message: Message, links: dict[str, str]) -> Rendered | None:
        placeholders = {key: f"{OPEN}{key}{CLOSE}" for key in links}
        shape = _render(message, {**message_context(message), **placeholders})
        filled = RenderCache._fill(shape.subject + shape.body, {key: "" for key in links})
        if OPEN in filled or CLOSE in filled:
            return None  # a template changed a link: render each of these messages in full
        return shape

    @staticmethod
    def _fill(text: str, links: dict[str, str]) -> str:
        if OPEN not in text:
            return text
        for key, value in links.items():
            text = text.replace(f"{OPEN}{key}{CLOSE}", value)
        return text
