"""The navigation bar and the language menu are rendered once per process for what they show
({% navigation_bar %}, {% fragment %}): they must follow a member's role, their campaigns, the campaign's name,
their name and the language on the very next page."""

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import translation
from django_scopes import scopes_disabled

from campaign.models import Role
from campaign.templatetags.navigation import _rendered, rendered_alone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_kept():
    """A request activates its member's language for the thread: leave the next test the language it had."""
    with translation.override(translation.get_language()):
        yield


def home(client, team):
    response = client.get(reverse("campaign:home", args=[team.campaign.slug]))
    assert response.status_code == 200
    return response.content.decode()


def link(name, team):
    return f'href="{reverse(name, args=[team.campaign.slug])}"'


def set_role(membership, role):
    with scopes_disabled():
        membership.role = role
        membership.save(update_fields=["role"])


def test_the_menu_follows_a_role_change_on_the_next_page(client, team_a):
    client.force_login(team_a.coordinator.user)
    page = home(client, team_a)
    assert link("reports:dashboard", team_a) in page and link("campaign:audit", team_a) not in page
    page = home(client, team_a)  # the same menu again, from the memo
    assert _rendered.cache_info().hits >= 1
    assert link("reports:dashboard", team_a) in page

    set_role(team_a.coordinator, Role.VOLUNTEER)
    page = home(client, team_a)
    assert link("reports:dashboard", team_a) not in page and link("volunteers:roster", team_a) not in page
    assert link("volunteers:my_shifts", team_a) in page and link("campaign:tokens", team_a) in page

    set_role(team_a.coordinator, Role.OWNER)
    page = home(client, team_a)
    assert link("campaign:audit", team_a) in page and link("campaign:settings", team_a) in page


def test_the_menu_follows_the_campaign_and_the_language(client, team_a, team_b):
    with scopes_disabled():
        team_b.campaign.memberships.create(user=team_a.owner.user, role=Role.VOLUNTEER)
    client.force_login(team_a.owner.user)
    page_a, page_b = home(client, team_a), home(client, team_b)
    assert link("campaign:audit", team_a) in page_a and link("reports:dashboard", team_b) not in page_b
    assert link("volunteers:my_shifts", team_b) in page_b and link("volunteers:my_shifts", team_a) in page_a
    assert f"/c/{team_a.campaign.slug}/" not in page_b.split('data-testid="nav-campaigns"')[0]

    with translation.override("zh-hans"):
        overview, profile = translation.gettext("Overview"), translation.gettext("Profile")
    assert overview != "Overview" and overview not in page_a and profile not in page_a
    with scopes_disabled():
        team_a.owner.user.language = "zh-hans"
        team_a.owner.user.save(update_fields=["language"])
    assert '<option value="en" selected>' in page_a
    page = home(client, team_a)
    assert overview in page and profile in page  # the campaign menu and the account menu both
    assert link("campaign:audit", team_a) in page
    assert '<option value="zh-hans" selected>' in page and '<option value="en" selected>' not in page


def test_the_switcher_follows_campaigns_joined_left_and_renamed_and_the_name_shown(client, team_a, team_b):
    client.force_login(team_a.volunteer.user)
    page = home(client, team_a)
    switcher = page.split('data-testid="nav-campaigns"')[1]
    assert team_a.campaign.name in switcher and team_b.campaign.name not in switcher

    with scopes_disabled():
        joined = team_b.campaign.memberships.create(user=team_a.volunteer.user, role=Role.VOLUNTEER)
    switcher = home(client, team_a).split('data-testid="nav-campaigns"')[1]
    assert team_b.campaign.name in switcher and f"/c/{team_b.campaign.slug}/" in switcher

    with scopes_disabled():
        team_a.campaign.name = "Renamed Campaign"
        team_a.campaign.save(update_fields=["name"])
        team_a.volunteer.user.display_name = "Newly Named"
        team_a.volunteer.user.save(update_fields=["display_name"])
    page = home(client, team_a)
    bar = page.split("<nav")[1].split("</nav>")[0]
    assert bar.count("Renamed Campaign") == 2  # the current campaign and its switcher entry
    assert "Newly Named" in bar

    with scopes_disabled():
        joined.delete()
    switcher = home(client, team_a).split('data-testid="nav-campaigns"')[1]
    assert team_b.campaign.name not in switcher


def test_links_carry_the_script_prefix():
    values = {"signed_in": True, "user_label": "u", "campaigns": (), "slug": "c1", "role": "owner", "current": 1}
    plain = rendered_alone("includes/navbar.html", **values)
    try:
        set_script_prefix("/groundswell/")
        prefixed = rendered_alone("includes/navbar.html", **values)
    finally:
        set_script_prefix("/")
    assert 'href="/c/c1/"' in plain and 'href="/groundswell/c/c1/"' in prefixed
    assert plain.count('href="/') == prefixed.count('href="/groundswell/')
