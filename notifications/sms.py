"""SMS backends with the shape of Django's email backends: `send_messages(messages) -> int`.

Choose one with `SMS_BACKEND` (a dotted path). `HttpSmsBackend` talks to a provider; the others
are for development and tests.
"""

import json
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164
    body: str
    message_id: str  # stable across retries; providers that take an idempotency key get it


class BaseSmsBackend:
    def __init__(self, fail_silently: bool = False) -> None:
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            print(f"SMS to {message.to} [{message.message_id}]\n{message.body}\n{'-' * 40}", flush=True)
        return len(messages)


class FileSmsBackend(BaseSmsBackend):
    """Appends one JSON line per message to `SMS_FILE_PATH`."""

    _lock = threading.Lock()

    def send_messages(self, messages: list[SmsMessage]) -> int:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, path.open("a", encoding="utf-8") as handle:
            for message in messages:
                record = {
                    "to": message.to,
                    "body": message.body,
                    "message_id": message.message_id,
                    "at": timezone.now().isoformat(),
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return len(messages)


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps messages in `LocmemSmsBackend.outbox`, like Django's locmem email backend."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send_messages(self, messages: list[SmsMessage]) -> int:
        self.outbox.extend(messages)
        return len(messages)


class HttpSmsBackend(BaseSmsBackend):
    """POSTs `{"to", "body", "id"}` as JSON to `SMS_HTTP_URL` with `Authorization: Bearer SMS_HTTP_TOKEN`.

    Most SMS gateways accept this shape directly or through a small adapter. Any answer other
    than 2xx raises, so the outbox retries the message later with the same id.
    """

    timeout = 10

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            payload = json.dumps({"to": message.to, "body": message.body, "id": message.message_id}).encode()
            request = urllib.request.Request(  # noqa: S310 - the URL is the operator's configuration
                settings.SMS_HTTP_URL,
                data=payload,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise OSError(f"SMS provider answered {response.status}")
        return len(messages)


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
