"""The navigation bar's menus, rendered once per process for each thing they can show.

Every page draws the same menus: forty-odd links reversed and translated on each request cost a few
milliseconds of every page. `{% menu "includes/campaign_nav.html" slug=... role=... %}` renders the menu
template from a context that holds nothing but the variables named in the tag, so its HTML is a function of
those variables, the active language and the URLconf (with the script prefix) — exactly the memo's key. A
role change, another campaign, another language or another URLconf is another key; nothing about the user,
the request or the database can reach the fragment, so it cannot go stale. The template object is in the key
too, so an edited template (the development server reloads it) is rendered afresh.
"""

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Template
from django.template.context import Context
from django.template.engine import Engine
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def menu(template_name: str, **variables: Any) -> SafeString:
    """The menu template rendered with only `variables` in its context (values must be hashable)."""
    compiled = Engine.get_default().get_template(template_name)  # the loader's: the same object until reloaded
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _rendered(compiled, get_language(), urlconf, get_script_prefix(), tuple(sorted(variables.items())))


@lru_cache(maxsize=1024)
def _rendered(
    compiled: Template, language: str | None, urlconf: Any, prefix: str, variables: tuple[tuple[str, Any], ...]
) -> SafeString:
    # language, urlconf and prefix are the memo's key only: they are active already, and {% url %} and
    # {% translate %} read them from there.
    return mark_safe(compiled.render(Context(dict(variables), autoescape=compiled.engine.autoescape)))  # noqa: S308


@receiver(setting_changed)
def _forget_menus(**kwargs: Any) -> None:
    """Tests change URLconfs, languages and templates' settings: forget every rendered menu."""
    _rendered.cache_clear()
