"""The whole first day of a campaign, in a real browser on a phone-sized screen.

Person A signs up (verifying the address with the emailed code), creates a campaign and invites
person B as coordinator. B, in a separate browser context, follows the emailed link, signs up with
the invited address, accepts, and then switches the interface to Chinese from the footer.
"""

import re
import time
from datetime import date, timedelta

import pytest
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.browser

PASSWORD = "Quiet-harbour-lantern-47"
CODE_LINE = re.compile(r"^\s*([A-Z0-9]+(?:-[A-Z0-9]+)*)\s*$", re.MULTILINE)
ACCEPT_LINK = re.compile(r"(https?://\S+?/invitations/[^/\s]+/)")


def wait_for_mail(to: str, *, since: int, subject_contains: str = "", timeout: float = 10.0):
    """The newest message to `to` among those sent after outbox position `since`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in mail.outbox[since:] if to in m.to and subject_contains in m.subject]
        if found:
            return found[-1]
        time.sleep(0.05)
    sent = [(m.to, m.subject) for m in mail.outbox]
    raise AssertionError(f"No email to {to} (subject containing {subject_contains!r}); outbox: {sent}")


def verification_code(message) -> str:
    codes = CODE_LINE.findall(message.body)
    assert len(codes) == 1, f"expected exactly one code line in the email:\n{message.body}"
    return codes[0]


def sign_up_and_verify(page, *, email: str, name: str) -> None:
    """On the signup page: fill the form, then enter the code from the verification email."""
    from playwright.sync_api import expect

    expect(page.locator("h1")).to_have_text("Sign Up")
    form = page.locator("main form").filter(has=page.locator("input[name=password1]"))
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("input[name=display_name]").fill(name)
    outbox_before = len(mail.outbox)
    form.get_by_role("button", name="Sign Up").click()

    page.wait_for_url("**/accounts/confirm-email/**")
    expect(page.locator("h1")).to_have_text("Enter Email Verification Code")
    expect(page.locator("main")).to_contain_text(f"We've sent a code to {email}")
    code = verification_code(wait_for_mail(email, since=outbox_before))
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    # Now signed in: the menu shows the person's display name instead of "Sign in".
    expect(page.locator("#main-nav")).to_contain_text(name)


def open_menu(page) -> None:
    """The navbar collapses on a phone; open it behind the toggler."""
    from playwright.sync_api import expect

    toggler = page.locator("button.navbar-toggler")
    expect(toggler).to_be_visible()
    if toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    # Bootstrap adds .show once the slide-open transition has finished.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.locator("#main-nav")).to_be_visible()


def test_signup_create_campaign_invite_accept_switch_language(
    live_server, transactional_db, new_phone_context, tmp_path
):
    from playwright.sync_api import expect

    base = live_server.url
    slug = "harbour-east-2026"
    campaign_name = "Harbour East for All"
    a_email, b_email = "ana.owner@example.org", "ben.coord@example.org"

    # 1. A signs up and verifies the address with the emailed code.
    a = new_phone_context().new_page()
    a.goto(f"{base}/accounts/signup/")
    sign_up_and_verify(a, email=a_email, name="Ana Owner")
    assert a.url.rstrip("/") == base  # LOGIN_REDIRECT_URL: the start page
    expect(a.locator("main")).not_to_contain_text("Create an account")

    # 2. A creates a campaign and lands on its home page.
    a.goto(f"{base}/campaigns/new/")
    expect(a.locator("h1")).to_have_text("New campaign")
    form = a.locator("main form")
    form.locator("input[name=name]").fill(campaign_name)
    form.locator("input[name=slug]").fill(slug)
    form.locator("input[name=candidate_name]").fill("Chan Mei-ling")
    form.locator("input[name=office]").fill("District Councillor")
    form.locator("input[name=election_date]").fill((date.today() + timedelta(days=90)).isoformat())
    form.locator("select[name=time_zone]").select_option("Asia/Hong_Kong")
    form.locator("select[name=language]").select_option("en")
    form.locator("select[name=currency]").select_option("HKD")
    form.get_by_role("button", name="Create campaign").click()
    a.wait_for_url(f"{base}/c/{slug}/")
    current = a.get_by_test_id("current-campaign")
    expect(current).to_be_visible()  # outside the collapsed menu, so visible on a phone
    expect(current.get_by_role("link")).to_have_text(campaign_name)
    expect(current.locator(".badge")).to_have_text("Owner")
    expect(a.locator("main")).to_contain_text("Campaign created. Invite your team next.")

    # 3. A invites B as coordinator; the email carries the accept link.
    open_menu(a)
    a.locator("#main-nav").get_by_role("button", name="Team").click()
    a.locator("#main-nav").get_by_role("link", name="Invitations").click()
    a.wait_for_url(f"{base}/c/{slug}/invitations/")
    form = a.locator("main form").filter(has=a.locator("input[name=email]"))
    form.locator("input[name=email]").fill(b_email)
    form.locator("select[name=role]").select_option("coordinator")
    outbox_before = len(mail.outbox)
    form.get_by_role("button", name="Send invitation").click()
    a.wait_for_url(f"{base}/c/{slug}/invitations/")
    expect(a.locator("main")).to_contain_text(f"Invitation sent to {b_email}.")
    expect(a.locator("main table tbody tr").filter(has_text=b_email)).to_contain_text("Coordinator")
    invitation_mail = wait_for_mail(b_email, since=outbox_before)
    assert campaign_name in invitation_mail.body
    links = ACCEPT_LINK.findall(invitation_mail.body)
    assert len(links) == 1, invitation_mail.body
    accept_url = links[0]
    assert accept_url.startswith(f"{base}/invitations/"), accept_url

    # 4. B, in a separate browser context, opens the link, signs up and accepts.
    b = new_phone_context().new_page()
    b.goto(accept_url)
    expect(b.locator("h1")).to_have_text(f"Join {campaign_name}")
    expect(b.locator("main")).to_contain_text("Sign in or create an account with that address to accept.")
    expect(b.get_by_role("button", name="Accept invitation")).to_have_count(0)
    b.locator("main").get_by_role("link", name="Create an account").click()
    b.wait_for_url(re.compile(r"/accounts/signup/\?next="))
    invitation_path = accept_url.removeprefix(base)
    assert b.url.endswith(f"?next={invitation_path}"), b.url
    sign_up_and_verify(b, email=b_email, name="Ben Coordinator")
    # allauth carries ?next= through the code step back to the invitation.
    assert b.url == accept_url, f"expected to be sent back to the invitation, got {b.url}"
    expect(b.locator("h1")).to_have_text(f"Join {campaign_name}")
    b.get_by_role("button", name="Accept invitation").click()
    b.wait_for_url(f"{base}/c/{slug}/")
    expect(b.locator("main")).to_contain_text(f"Welcome to {campaign_name}.")
    current = b.get_by_test_id("current-campaign")
    expect(current).to_be_visible()
    expect(current.get_by_role("link")).to_have_text(campaign_name)
    expect(current.locator(".badge")).to_have_text("Coordinator")
    # On a 390px screen the badge is in the DOM but mostly clipped by the span's .text-truncate
    # (templates/includes/navbar.html); the role is plainly readable on the page's "Your role" card.
    expect(b.locator("main .card").filter(has_text="Your role")).to_contain_text("Coordinator")

    # 5. B switches to Chinese with the footer's select; the form submits itself on change.
    language = b.locator("footer select#language-select")
    language.scroll_into_view_if_needed()
    expect(language).to_be_visible()
    with (
        b.expect_request(lambda r: r.method == "POST" and r.url == f"{base}/accounts/language/"),
        b.expect_navigation(),
    ):
        language.select_option("zh-hans")
    b.wait_for_url(f"{base}/c/{slug}/")  # the form's next= brings B back to the same page
    expect(b.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(b.locator("footer select#language-select")).to_have_value("zh-hans")
    assert User.objects.get(email=b_email).language == "zh-hans"  # remembered on the account

    # allauth's own catalogue: the sign-out page is in Chinese too.
    b.goto(f"{base}/accounts/logout/")
    expect(b.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(b.locator("main h1")).to_have_text("登出")
    expect(b.locator("main")).to_contain_text("您确定要登出吗？")
    expect(b.locator("main form").get_by_role("button")).to_have_text("登出")

    # Our own catalogue: the navbar's "Campaigns" menu, behind the phone toggler.
    b.goto(f"{base}/c/{slug}/")
    expect(b.locator("html")).to_have_attribute("lang", "zh-hans")
    open_menu(b)
    campaigns_menu = b.get_by_test_id("nav-campaigns").locator("a.dropdown-toggle")
    expect(campaigns_menu).to_be_visible()
    screenshot = tmp_path / "journey-coordinator-zh-hans.png"
    b.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
    expect(campaigns_menu).to_have_text("竞选活动")


def test_start_page_loads_nothing_from_other_hosts(live_server, transactional_db, new_phone_context, tmp_path):
    from playwright.sync_api import expect

    page = new_phone_context().new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    response = page.goto(f"{live_server.url}/")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Run your campaign's volunteers from one private place.")
    expect(page.locator("main").get_by_role("link", name="Create an account")).to_be_visible()
    expect(page.locator("button.navbar-toggler")).to_be_visible()  # collapsed menu on a phone
    expect(page.locator("#main-nav")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "start-page.png"), full_page=True)

    assert requested, "the browser recorded no requests at all"
    assert any(url.endswith(".css") for url in requested), requested  # stylesheets were among them
    foreign = [url for url in requested if not url.startswith(f"{live_server.url}/")]
    assert not foreign, f"requests to other hosts: {foreign}"
