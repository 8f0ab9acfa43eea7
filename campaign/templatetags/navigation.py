"""The navigation bar, rendered once per process for each thing it can show.

Every page draws the same bar: fifty-odd links reversed and translated on each request cost a millisecond or
more of every page. `{% navigation_bar %}` renders includes/navbar.html from a context that holds nothing but
the values below (who is signed in, as what they are shown, their campaigns for the switcher, and on a
campaign's page that campaign and their role there), so its HTML is a function of those values, the active
language and the URLconf with its script prefix — exactly the memo's key. A role change, a renamed campaign,
a campaign joined or left, another language or another URLconf is another key; nothing else about the user,
the request or the database can reach the bar, so it cannot go stale. The switcher's campaigns are still read
on every page (they are part of the key). The template object is in the key too, so an edited template (the
development server reloads it) is rendered afresh.
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

from campaign.selectors import campaign_links_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def navigation_bar(context: Context) -> SafeString:
    values: dict[str, Any] = {"signed_in": False}
    user = context.get("user")
    if user is not None and user.is_authenticated:
        values |= {"signed_in": True, "user_label": str(user), "campaigns": tuple(campaign_links_for_user(user))}
        campaign, membership = context.get("current_campaign"), context.get("current_membership")
        if campaign and membership:
            values |= {
                "current": campaign.pk,
                "campaign_name": campaign.name,
                "slug": campaign.slug,
                "role": membership.role,
                "role_label": str(membership.get_role_display()),
            }
    return rendered_alone("includes/navbar.html", **values)


@register.simple_tag
def fragment(template_name: str) -> SafeString:
    """A template that depends on nothing but the language and the URLconf (the language menu's choices),
    rendered once per process for each."""
    return rendered_alone(template_name)


def rendered_alone(template_name: str, **values: Any) -> SafeString:
    """The template rendered with only `values` (hashable) in its context, once per process for each set of
    values, language and URLconf."""
    compiled = Engine.get_default().get_template(template_name)  # the loader's: the same object until reloaded
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _rendered(compiled, get_language(), urlconf, get_script_prefix(), tuple(sorted(values.items())))


@lru_cache(maxsize=1024)
def _rendered(
    compiled: Template, language: str | None, urlconf: Any, prefix: str, values: tuple[tuple[str, Any], ...]
) -> SafeString:
    # language, urlconf and prefix are the memo's key only: they are active already, and {% url %} and
    # {% translate %} read them from there.
    return mark_safe(compiled.render(Context(dict(values), autoescape=compiled.engine.autoescape)))  # noqa: S308


@receiver(setting_changed)
def _forget_rendered(**kwargs: Any) -> None:
    """Tests change URLconfs, languages and templates' settings: forget everything rendered."""
    _rendered.cache_clear()
