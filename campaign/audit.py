from typing import Any

from django.db import models

from accounts.models import User
from campaign.models import AuditEvent, Campaign


def log_action(
    *,
    campaign: Campaign,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what. `data` holds identifiers and choices, never sensitive values."""
    return AuditEvent.objects.create(
        campaign=campaign,
        actor=actor,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_code=str(getattr(target, "code", "") or getattr(target, "pk", "")) if target is not None else "",
        data=data or {},
    )
