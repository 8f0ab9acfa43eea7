"""What a coordinator reads for a message template: words, not file names."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

TEMPLATE_LABELS = {
    "volunteers/shift_reminder": _("Shift reminder"),
    "volunteers/shift_thanks": _("Thank-you after a shift"),
    "volunteers/signup_promoted": _("Place from the waiting list"),
    "volunteers/shift_changed": _("Shift changed"),
    "volunteers/shift_cancelled": _("Shift cancelled"),
}


def template_label(template: str, context: dict[str, Any] | None = None) -> str:
    label = TEMPLATE_LABELS.get(template)
    if label is None:  # a template added without a label still reads as words
        return template.rsplit("/", 1)[-1].replace("_", " ").capitalize()
    hours = (context or {}).get("hours_before")
    if isinstance(hours, int):
        return ngettext("%(label)s, %(hours)d hour before", "%(label)s, %(hours)d hours before", hours) % {
            "label": label,
            "hours": hours,
        }
    return str(label)
