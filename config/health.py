"""/healthz: is the database answering, and can a message reach the broker?"""

from django.db import connection
from django.http import HttpRequest, JsonResponse

from config.celery import app


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # reported, not raised: this endpoint is for monitors
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel  # noqa: B018 - opening the channel proves the transport works
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
