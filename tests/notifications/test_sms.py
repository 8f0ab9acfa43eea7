"""SMS backends: console, file and locmem for development, and the HTTP provider backend."""

import json
import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications.sms import (
    ConsoleSmsBackend,
    FileSmsBackend,
    HttpSmsBackend,
    LocmemSmsBackend,
    SmsMessage,
    get_sms_backend,
)

TEXT = SmsMessage(to="+85291234567", body="Reminder: 排班 tomorrow 10:00", message_id="<abc@groundswell.invalid>")


def test_console_backend_prints_the_message(capsys):
    assert ConsoleSmsBackend().send_messages([TEXT]) == 1
    out = capsys.readouterr().out
    assert "+85291234567" in out and "排班" in out and "<abc@groundswell.invalid>" in out


def test_file_backend_appends_one_json_line_per_message(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "sms" / "out.jsonl")
    backend = FileSmsBackend()
    backend.send_messages([TEXT])
    backend.send_messages([TEXT])
    lines = (tmp_path / "sms" / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0])
    assert record["to"] == TEXT.to and record["body"] == TEXT.body and record["message_id"] == TEXT.message_id


def test_locmem_backend_keeps_messages_and_is_chosen_by_setting(settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    backend = get_sms_backend()
    assert isinstance(backend, LocmemSmsBackend)
    backend.send_messages([TEXT])
    assert LocmemSmsBackend.outbox == [TEXT]
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def provider(monkeypatch):
    """A tiny SMS provider on loopback: records each POST and answers with `status`."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = {"status": 200, "requests": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state["requests"].append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
            self.send_response(state["status"])
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}/v1/send"
    yield state
    server.shutdown()
    server.server_close()


def test_http_backend_posts_json_with_the_token(settings, provider):
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = provider["url"], "s3cret"
    assert HttpSmsBackend().send_messages([TEXT]) == 1
    (request,) = provider["requests"]
    assert request["path"] == "/v1/send"
    assert request["json"] == {"to": TEXT.to, "body": TEXT.body, "id": TEXT.message_id}
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Content-Type"] == "application/json"


def test_http_backend_raises_when_the_provider_fails(settings, provider):
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = provider["url"], "s3cret"
    provider["status"] = 500
    with pytest.raises(urllib.error.HTTPError) as raised:
        HttpSmsBackend().send_messages([TEXT])
    assert raised.value.code == 500


def test_a_provider_error_is_recorded_on_the_message(settings, provider, in_scope_a):
    from notifications.models import Channel
    from notifications.sending import send_due
    from tests.notifications.helpers import due_message

    settings.SMS_BACKEND = "notifications.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL, settings.SMS_HTTP_TOKEN = provider["url"], "s3cret"
    provider["status"] = 500
    campaign = in_scope_a.campaign
    campaign.sms_quiet_start = campaign.sms_quiet_end = None
    campaign.save()
    message = due_message(campaign, channel=Channel.SMS, to="+85291234567")
    assert send_due() == 0
    message.refresh_from_db()
    assert message.attempts == 1 and "500" in message.last_error and message.sent_at is None
    assert provider["requests"][0]["json"]["id"] == message.message_id
