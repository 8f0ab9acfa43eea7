"""Reminder delivery: the outbox sender beside bare SMTP sends of the same messages.

Both send to one local SMTP sink (aiosmtpd in a child process, so the sink's work does not share
our interpreter) that writes down the Message-ID of every message it accepts.

- ours: `send_due()` in this process, as a worker runs it: claim a batch, render each message in
  its recipient's language, send it over one SMTP connection, mark it sent (one UPDATE each).
- baseline: the same messages, already rendered to bytes, sent with `smtplib.sendmail` over one
  connection: the floor for delivering them at all.
"""

import datetime as dt
import random
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from bench.timing import BenchError, ratio
from campaign.models import Campaign, Person
from notifications.models import Channel, Message
from notifications.rendering import render_message
from notifications.sending import send_due
from volunteers.links import signup_action_url
from volunteers.reminders import REMINDER

APP = "volunteers"  # bench/run.py files these figures under "volunteers"
GOALS = {"reminders_vs_smtp": (">=", 0.5), "reminder_duplicates": ("<=", 0)}
COUNTS = {"small": 2_000, "full": 10_000}
SLUG = "bench-reminders"
SEED = 20260303
SIGNUPS_PER_SHIFT = 25
BATCH = 100  # send_due's claim size
CHUNK = 500  # messages per turn when ours and the baseline take turns
LONG_AGO = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)

SINK = """
import sys
from email.parser import BytesHeaderParser
from aiosmtpd.controller import Controller

log = open(sys.argv[1], "a", buffering=1)
parser = BytesHeaderParser()

class Sink:
    async def handle_DATA(self, server, session, envelope):
        log.write(str(parser.parsebytes(envelope.content)["Message-ID"]) + "\\n")
        return "250 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[2]))
controller.start()
print("ready", flush=True)
sys.stdin.read()  # until the bench closes our stdin
controller.stop()
"""


class SmtpSink:
    def __init__(self, log: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-c", SINK, str(log), str(self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.process.stdout is None or self.process.stdout.readline().strip() != "ready":
            raise BenchError("the SMTP sink did not start")

    def received(self) -> list[str]:
        return self.log.read_text().splitlines()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _make_reminders(count: int) -> Campaign:
    """A campaign with `count` volunteers signed up for shifts of SIGNUPS_PER_SHIFT each, every one
    with its reminder due now: the 24-hour reminders of a busy weekend. Half of them read Chinese."""
    rng = random.Random(SEED)
    now = timezone.now()
    shifts = [
        {
            "shift_title": f"{rng.choice(['Leafleting', 'Street stall', 'Phone bank', 'Canvassing'])} #{n}",
            "location": rng.choice(["North Point MTR exit A1", "Quarry Bay Park", "Campaign office, 3/F"]),
            "starts_at": now + dt.timedelta(hours=24, minutes=30 * n),
            # Due long ago, in shift order: claimed before anything another bench module left due,
            # so the measured batches hold exactly these messages.
            "due_at": LONG_AGO + dt.timedelta(seconds=n),
        }
        for n in range(max(count // SIGNUPS_PER_SHIFT, 1))
    ]
    with scopes_disabled(), transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG,
            name="Bench Reminders",
            candidate_name="Chan Tai Man",
            office="District Council",
            election_date=now.date() + dt.timedelta(days=60),
        )
        people = Person.objects.bulk_create(
            [
                Person(
                    campaign=campaign,
                    given_name=f"Volunteer {n}",
                    email=f"volunteer{n}@bench.invalid",
                    language=rng.choice(["en", "zh-hans"]),
                    consent_email=True,
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        messages = []
        for n, person in enumerate(people):
            shift = shifts[n % len(shifts)]
            signup = f"00000000-0000-4000-8000-{n:012d}"

            def link(action: str, signup: str = signup) -> str:
                return signup_action_url(campaign_slug=SLUG, signup_code=signup, action=action)

            messages.append(
                Message(
                    campaign=campaign,
                    person=person,
                    channel=Channel.EMAIL,
                    to=person.email,
                    template=REMINDER,
                    language=person.language,
                    dedupe_key=f"bench:reminder:{n}",
                    send_at=shift["due_at"],
                    context={
                        "shift_title": shift["shift_title"],
                        "location": shift["location"],
                        "starts_at": shift["starts_at"].isoformat(),
                        "ends_at": (shift["starts_at"] + dt.timedelta(hours=3)).isoformat(),
                        "hours_before": 24,
                        "confirm_url": link("confirm"),
                        "cancel_url": link("cancel"),
                        "attended_url": link("attended"),
                        "missed_url": link("missed"),
                        "my_shifts_url": f"http://127.0.0.1:8000/c/{SLUG}/my/shifts/",
                    },
                )
            )
        Message.objects.bulk_create(messages, batch_size=2000)
    return campaign


def _as_sent(campaign: Campaign) -> list[tuple[str, list[str], bytes]]:
    """Each due message as the bytes our SMTP backend would hand to smtplib (rendered outside the timing)."""
    with scopes_disabled():
        rows = Message.objects.filter(campaign=campaign).select_related("campaign", "person").order_by("send_at", "pk")
        envelopes = []
        for message in rows:
            rendered = render_message(message)
            email = EmailMessage(
                subject=rendered.subject,
                body=rendered.body,
                to=[message.to],
                headers={"Message-ID": message.message_id},
            )
            envelopes.append((email.from_email, email.recipients(), email.message().as_bytes(linesep="\r\n")))
    return envelopes


def _bare_smtp(port: int, envelopes: list[tuple[str, list[str], bytes]]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, recipients, data in envelopes:
            smtp.sendmail(sender, recipients, data)
    return time.perf_counter() - start


def _ours(batches: int) -> tuple[int, float]:
    start = time.perf_counter()
    sent = send_due(batch_size=BATCH, max_batches=batches)
    return sent, time.perf_counter() - start


def measure(ctx: Any) -> dict[str, Any]:
    count = COUNTS[ctx.scale]
    campaign = _make_reminders(count)
    with scopes_disabled():
        expected = {m.message_id for m in Message.objects.filter(campaign=campaign).only("code")}
    envelopes = _as_sent(campaign)
    smtp_settings = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
    }
    with tempfile.TemporaryDirectory() as folder:
        sink = SmtpSink(Path(folder) / "received.txt")
        try:
            _bare_smtp(sink.port, envelopes[:200])  # warm up the sink and the connection code
            warm = len(sink.received())
            # Interleaved, a chunk of each in turn, so load from other processes falls on both alike.
            ours_seconds = bare_seconds = 0.0
            sent = 0
            received: list[str] = []  # the Message-IDs the sink got from us (not from the baseline)
            with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port, **smtp_settings):
                for first in range(0, count, CHUNK):
                    bare_seconds += _bare_smtp(sink.port, envelopes[first : first + CHUNK])
                    before = len(sink.received())
                    chunk_sent, seconds = _ours(CHUNK // BATCH)
                    sent, ours_seconds = sent + chunk_sent, ours_seconds + seconds
                    received += sink.received()[before:]
            if len(sink.received()) - warm != count + len(received):
                raise BenchError("the sink's record does not add up")
        finally:
            sink.close()
    with scopes_disabled():
        unsent = Message.objects.filter(campaign=campaign, sent_at=None).count()
        campaign.delete()
    distinct = set(received)
    if sent != count or unsent or distinct != expected:
        raise BenchError(
            f"send_due() sent {sent} of {count}; {unsent} rows unsent; "
            f"the sink got {len(distinct)} distinct of the expected {count} Message-IDs"
        )
    return {
        "reminders": count,
        "reminders_seconds": round(ours_seconds, 3),
        "smtp_seconds": round(bare_seconds, 3),
        "reminders_per_second": round(count / ours_seconds, 1),
        "smtp_per_second": round(count / bare_seconds, 1),
        "reminders_vs_smtp": ratio(count / ours_seconds, count / bare_seconds),
        "reminder_duplicates": len(received) - len(distinct),
    }
