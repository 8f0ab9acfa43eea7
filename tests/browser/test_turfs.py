"""A coordinator opens a turf on a phone: the Leaflet map draws the turf's doors as coloured markers on a
blank canvas — and the page asks nothing of any host but our own (no tile server, no CDN). The printable
walk list carries a QR code of the turf page."""

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled

from canvassing.models import Household
from tests.canvassing.turfs_helpers import current_area, make_turf
from tests.factories import CampaignFactory, MembershipFactory

pytestmark = pytest.mark.browser

# A marker's fill colour for a door not visited yet (selectors_turfs.OUTCOME_STYLES) and for one contacted.
NOT_VISITED_RGB = (0x6C, 0x75, 0x7D)
CONTACTED_RGB = (0x19, 0x87, 0x54)

# Counts the canvas pixels of each colour (within a small tolerance for antialiasing) and of any colour.
COUNT_PIXELS = """([colours]) => {
  const canvas = document.querySelector('#turf-map canvas');
  if (!canvas || !canvas.width || !canvas.height) return null;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const counts = colours.map(() => 0);
  let painted = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    painted++;
    colours.forEach((c, n) => {
      if (Math.abs(data[i] - c[0]) < 8 && Math.abs(data[i + 1] - c[1]) < 8 && Math.abs(data[i + 2] - c[2]) < 8) {
        counts[n]++;
      }
    });
  }
  return {painted, counts};
}"""


def signed_in(context, user, base: str) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}])


def test_turf_map_draws_markers_on_a_blank_canvas_and_the_print_page_has_a_qr_code(
    live_server, transactional_db, new_phone_context
):
    from playwright.sync_api import expect

    base = live_server.url
    with scopes_disabled():
        campaign = CampaignFactory(slug="harbour-turfs", language="en")
        coordinator = MembershipFactory(campaign=campaign, role="coordinator")
    turf = make_turf(current_area(campaign), "Temple Street north", households=25)
    with scopes_disabled():
        first = Household.objects.filter(turf=turf).order_by("pk").first()
        Household.objects.filter(pk=first.pk).update(last_outcome="contacted")

    context = new_phone_context()
    signed_in(context, coordinator.user, base)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{base}/c/{campaign.slug}/canvassing/turfs/{turf.code}/")
    expect(page.get_by_test_id("turf-name")).to_have_text("Temple Street north")
    expect(page.get_by_test_id("walk-list").locator(".walk-row")).to_have_count(25)
    canvas = page.locator("#turf-map canvas")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200
    # No tiles: the campaign set no tile server, so the map is the markers alone.
    assert page.locator("#turf-map .leaflet-tile").count() == 0
    page.wait_for_function(
        f"() => {{ const r = ({COUNT_PIXELS})([[{list(NOT_VISITED_RGB)}]]); return r && r.counts[0] > 0; }}"
    )
    pixels = page.evaluate(COUNT_PIXELS, [[list(NOT_VISITED_RGB), list(CONTACTED_RGB)]])
    not_visited, contacted = pixels["counts"]
    # 24 grey markers and one green one (a marker is a disc of radius 6: about 100 pixels of fill).
    assert not_visited > 24 * 40, pixels
    assert 20 < contacted < not_visited, pixels
    page.screenshot(path="var/browser-turf-map.png", full_page=False)

    page.get_by_role("link", name="Print walk list").click()
    page.wait_for_url(f"**/turfs/{turf.code}/print/")
    qr = page.get_by_test_id("print-qr").locator("svg")
    expect(qr).to_be_visible()
    assert qr.locator("path").count() >= 1
    qr_box = qr.bounding_box()
    assert qr_box and qr_box["width"] > 50 and qr_box["height"] > 50
    expect(page.get_by_test_id("print-row")).to_have_count(25)

    outside = [url for url in requested if not url.startswith(base + "/") and not url.startswith("data:")]
    assert requested and not outside, outside


def test_a_long_lists_map_shows_the_doors_of_every_page(live_server, transactional_db, new_phone_context, monkeypatch):
    from playwright.sync_api import expect

    from canvassing import views_turfs

    monkeypatch.setattr(views_turfs, "FULL_LIST_LIMIT", 5)
    base = live_server.url
    with scopes_disabled():
        campaign = CampaignFactory(slug="harbour-long", language="en")
        coordinator = MembershipFactory(campaign=campaign, role="coordinator")
    turf = make_turf(current_area(campaign), "Nathan Road", households=12)

    context = new_phone_context()
    signed_in(context, coordinator.user, base)
    page = context.new_page()
    page.goto(f"{base}/c/{campaign.slug}/canvassing/turfs/{turf.code}/?page=2")
    expect(page.get_by_test_id("walk-list").locator(".walk-row")).to_have_count(5)
    page.wait_for_function(
        f"() => {{ const r = ({COUNT_PIXELS})([[{list(NOT_VISITED_RGB)}]]); return r && r.counts[0] > 0; }}"
    )
    pixels = page.evaluate(COUNT_PIXELS, [[list(NOT_VISITED_RGB)]])
    # Twelve grey markers, not only the five of this page (a marker is about 100 pixels of fill).
    assert pixels["counts"][0] > 11 * 40, pixels
