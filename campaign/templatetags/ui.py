from django import forms, template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def bootstrap(field: forms.BoundField) -> SafeString:
    """Render a field's widget with Bootstrap's classes, marked invalid when it has errors."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}_errors"
    return field.as_widget(attrs=attrs)


@register.filter
def audit_details(data: object) -> list[tuple[str, str]]:
    """An audit event's data as (field, value) lines to read: `turf_count` is "Turf count", a list is its items
    joined, yes/no and "—" for nothing in the reader's language."""
    if not isinstance(data, dict):
        return [] if data in (None, "") else [(str(_("Details")), _audit_value(data))]
    return [(str(key).replace("_", " ").strip().capitalize(), _audit_value(value)) for key, value in data.items()]


def _audit_value(value: object) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return ", ".join(_audit_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            _("%(field)s: %(value)s") % {"field": field, "value": text} for field, text in audit_details(value)
        )
    return str(value)
