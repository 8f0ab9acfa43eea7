"""Email backends that misbehave on purpose."""

import time

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class BrokenEmailBackend(BaseEmailBackend):
    """Every send is refused, the way a provider refuses: with an exception."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server said no")


class ProcessKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the sender catches it."""


class DiesAfterDeliveryBackend(BaseEmailBackend):
    """Delivers (into mail.outbox), then the process 'dies' before the sender can record it."""

    def send_messages(self, email_messages):
        mail.outbox.extend(email_messages)
        raise ProcessKilled


class SlowLocmemBackend(BaseEmailBackend):
    """Like the locmem backend, with a provider's round trip, so concurrent senders overlap."""

    def send_messages(self, email_messages):
        time.sleep(0.002)
        mail.outbox.extend(email_messages)
        return len(email_messages)
