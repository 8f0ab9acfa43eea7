"""Small server-side SVG charts any page can use (no JavaScript, nothing from another host), drawn the
way templates/fundraising/summary.html draws its weekly bars, readable on a 360 px phone.

    {% load charts %}
    {% bar_chart rows series label="day" title=_("Doors and contacts by day") %}
        rows: a list of objects or dicts; series: [(value path, name, colour), …], e.g.
        [("figures.doors_knocked", _("Doors knocked"), "#0d6efd"), ("figures.contacts", _("Contacts"), "#198754")];
        up to 3 series side by side per row; `label` is the path of each row's label (a date is shown short).
    {% stacked_bar parts title=_("Support") %}
        parts: [(name, count, colour), …]: one horizontal bar split by share, with a legend of counts and %.
    {% progress_bar done total label=_("Knocked") %}
        a Bootstrap progress bar with "done / total (n%)".

The geometry is computed here; templates/includes/charts/*.html only draw it.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django import template
from django.utils import formats

register = template.Library()

WIDTH = 600
HEIGHT = 160
TOP_GAP = 10  # room above the highest bar


def resolve(row: Any, path: str) -> Any:
    """`a.b.c` on objects or dicts."""
    value = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if value is None:
            return None
    return value


def _label(value: Any) -> str:
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return "" if value is None else str(value)


def bar_geometry(
    rows: Iterable[Any], series: Sequence[tuple[str, Any, str]], label: str, width: int = WIDTH, height: int = HEIGHT
) -> dict[str, Any]:
    """Bars scaled to the highest value, grouped per row, as plain numbers for the SVG."""
    rows = list(rows)
    values = [[float(resolve(row, key) or 0) for key, _name, _colour in series] for row in rows]
    top = max((v for group in values for v in group), default=0) or 1
    slot = width / len(rows) if rows else width
    bar = slot * 0.8 / max(len(series), 1)
    groups = []
    for index, (row, group) in enumerate(zip(rows, values, strict=True)):
        text = _label(resolve(row, label))
        bars = []
        for position, (value, (_key, name, colour)) in enumerate(zip(group, series, strict=True)):
            h = value / top * (height - TOP_GAP)
            bars.append(
                {
                    "x": round(index * slot + slot * 0.1 + position * bar, 2),
                    "y": round(height - h, 2),
                    "width": round(max(bar, 0.5), 2),
                    "height": round(h, 2),
                    "colour": colour,
                    "title": f"{text}: {name} {value:g}",
                }
            )
        groups.append({"label": text, "bars": bars})
    return {
        "width": width,
        "height": height,
        "groups": groups,
        "first": groups[0]["label"] if groups else "",
        "last": groups[-1]["label"] if groups else "",
        "legend": [{"name": name, "colour": colour} for _key, name, colour in series],
        "top": top,
    }


@register.inclusion_tag("includes/charts/bar_chart.html")
def bar_chart(rows: Iterable[Any], series: Sequence[tuple[str, Any, str]], label: str = "day", title: str = "") -> dict:
    return {"chart": bar_geometry(rows, series, label), "title": title}


def stacked_geometry(parts: Iterable[tuple[Any, int, str]]) -> dict[str, Any]:
    parts = [(name, int(count or 0), colour) for name, count, colour in parts]
    total = sum(count for _name, count, _colour in parts)
    x = 0.0
    segments = []
    for name, count, colour in parts:
        share = count * 100 / total if total else 0
        segments.append(
            {
                "name": name,
                "count": count,
                "colour": colour,
                "x": round(x, 3),
                "width": round(share, 3),
                "percent": round(share),
            }
        )
        x += share
    return {"segments": segments, "total": total}


@register.inclusion_tag("includes/charts/stacked_bar.html")
def stacked_bar(parts: Iterable[tuple[Any, int, str]], title: str = "") -> dict:
    return {"chart": stacked_geometry(parts), "title": title}


@register.inclusion_tag("includes/charts/progress_bar.html")
def progress_bar(done: int, total: int, label: str = "") -> dict:
    done, total = int(done or 0), int(total or 0)
    percent = min(round(done * 100 / total), 100) if total else 0
    return {"done": done, "total": total, "percent": percent, "label": label}
