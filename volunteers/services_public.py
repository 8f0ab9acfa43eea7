"""What the public pages under /p/<slug>/ do: sign up without an account, claim an account, act on
one-tap links from messages, opt out of a channel. Each write is one transaction and audited without
personal data; reads for those pages are here too (they are only ever used by them)."""

import datetime as dt
import functools
import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber, to_python

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign, Membership, Person, Role
from notifications.models import Channel, Message
from notifications.services import message_enqueue
from volunteers.models import Shift, Signup, Skill, Volunteer, VolunteerNote, VolunteerSettings, VolunteerSkill
from volunteers.services import program_for

WELCOME = "volunteers/welcome"
CLAIM_SALT = "volunteers.claim"
CLAIM_MAX_AGE = 60 * 60 * 24 * 30  # a claim link from the welcome message works for 30 days
# A second signup within this time (a double submit, a worried second try) sends no second welcome.
WELCOME_QUIET = dt.timedelta(minutes=10)
SHIFTS_PER_PAGE = 25


# --- reads ------------------------------------------------------------------------------------------


def _visible_shifts(campaign: Campaign, now: dt.datetime) -> QuerySet[Shift]:
    """Shifts a visitor may see: published, not cancelled, not over."""
    return Shift.objects.filter(campaign=campaign, published=True, cancelled_at=None, ends_at__gt=now)


def published_shifts(campaign: Campaign) -> QuerySet[Any, Any]:
    """The visible shifts, soonest first, each with the places still free (plain values: the public
    page shows them and nothing more)."""
    taken = (
        Signup.objects.filter(shift=OuterRef("pk"), status=Signup.Status.CONFIRMED)
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _visible_shifts(campaign, timezone.now())
        .annotate(places_left=F("capacity") - Coalesce(Subquery(taken, output_field=IntegerField()), 0))
        .order_by("starts_at", "id")
        .values("code", "kind", "title", "location", "starts_at", "ends_at", "places_left")
    )


def published_shifts_page(campaign: Campaign, number: Any) -> Page:
    """One page of published shifts: a count and a select, whatever the number of shifts and signups."""
    shifts = published_shifts(campaign)
    paginator = Paginator(shifts, SHIFTS_PER_PAGE)
    # The count needs no join with the signups.
    paginator.count = _visible_shifts(campaign, timezone.now()).count()  # type: ignore[misc]
    return paginator.get_page(number)


@functools.cache
def _zone_countries() -> dict[str, str]:
    """Time zone → ISO country code, from the tz database's zone.tab (the tzdata package, else the OS)."""
    try:
        text = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        path = Path("/usr/share/zoneinfo/zone.tab")
        text = path.read_text() if path.exists() else ""
    zones = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                zones[parts[2]] = parts[0]
    return zones


def phone_region_for(campaign: Campaign) -> str | None:
    """Where a number typed without a country code is from: the campaign's time zone's country
    (Asia/Hong_Kong → HK, so "9123 4567" is +852 9123 4567), else PHONENUMBER_DEFAULT_REGION."""
    return _zone_countries().get(campaign.time_zone) or settings.PHONENUMBER_DEFAULT_REGION


def consent_wording(campaign: Campaign, program: VolunteerSettings | None = None) -> str:
    """The words the visitor agrees to, in the language they read them in; stored with the consent."""
    program = program or program_for(campaign)
    if program.consent_text.strip():
        return program.consent_text.strip()
    return _(
        "I agree that %(campaign)s may contact me about volunteering, by email and text message at the "
        "addresses I gave. I can stop this at any time."
    ) % {"campaign": campaign.name}


# --- tokens -----------------------------------------------------------------------------------------


def claim_token(person: Person) -> str:
    return signing.dumps(str(person.code), salt=CLAIM_SALT)


def claim_read(token: str) -> str:
    """The person code in a claim link; raises signing.BadSignature when forged, altered or expired."""
    value = signing.loads(token, salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
    if not isinstance(value, str):
        raise signing.BadSignature("not a claim token")
    return value


def claim_url(person: Person) -> str:
    path = reverse("public:claim", kwargs={"campaign_slug": person.campaign.slug, "token": claim_token(person)})
    return settings.SITE_URL.rstrip("/") + path


def public_page_url(campaign: Campaign) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("public:page", kwargs={"campaign_slug": campaign.slug})


# --- signup -----------------------------------------------------------------------------------------


class SignupClosed(ValidationError):
    pass


class SignupRateLimited(ValidationError):
    pass


def signup_rate_limited(*, campaign: Campaign, ip: str) -> bool:
    """Counts this attempt; True once an address has tried more than the limit in the window.

    VOLUNTEER_SIGNUP_RATE_LIMIT (default 10; 0 turns it off) per VOLUNTEER_SIGNUP_RATE_WINDOW seconds
    (default 600), per client address and campaign, in Django's cache."""
    limit = settings.VOLUNTEER_SIGNUP_RATE_LIMIT
    if not limit:
        return False
    window = settings.VOLUNTEER_SIGNUP_RATE_WINDOW
    key = f"volunteers:signup-rate:{campaign.pk}:{ip}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def normalise_email(email: str) -> str:
    return email.strip().lower()


@dataclass(frozen=True)
class _Match:
    person: Person
    by_email: bool
    by_phone: bool


def _find_person(campaign: Campaign, email: str, phone: str) -> _Match | None:
    """The campaign's person with this email (any case) or phone; one with a volunteer profile first,
    then one matching both, then the oldest."""
    condition = Q()
    if email:
        condition |= Q(email__iexact=email)
    if phone:
        condition |= Q(phone=phone)
    if not condition:
        return None
    candidates = list(
        Person.objects.select_for_update(of=("self",))
        .filter(condition, campaign=campaign)
        .select_related("volunteer")
        .order_by("pk")[:20]
    )
    if not candidates:
        return None

    def rank(person: Person) -> tuple[int, int, int]:
        has_volunteer = hasattr(person, "volunteer")
        both = bool(email and phone and person.email.lower() == email and phone_text(person.phone) == phone)
        return (0 if has_volunteer else 1, 0 if both else 1, person.pk)

    person = min(candidates, key=rank)
    return _Match(
        person=person,
        by_email=bool(email) and person.email.lower() == email,
        by_phone=bool(phone) and phone_text(person.phone) == phone,
    )


@transaction.atomic
def volunteer_signup_public(
    *,
    campaign: Campaign,
    given_name: str,
    family_name: str = "",
    email: str = "",
    phone: PhoneNumber | str | None = None,
    language: str = "",
    neighbourhood: str = "",
    available_weekdays: bool = False,
    available_evenings: bool = False,
    available_weekends: bool = False,
    skills: list[Skill] | QuerySet[Skill] = (),  # type: ignore[assignment]
    tshirt_size: str = "",
    consent: bool,
    wording: str,
    ip: str,
) -> tuple[Volunteer, bool]:
    """Someone signs up on the public form: a new Person and Volunteer, or — when the campaign already
    has someone with this email or phone — that person, updated. Returns (volunteer, created).

    A repeat signup merges: skills and availability are added to, empty details filled in, names and
    preferences take the new values. An email or phone already on record is never replaced from this
    form (anyone can type anyone's address here): a different one is kept in a note for the
    coordinators. For the same reason the welcome message, which carries the claim link, only goes to
    addresses that were already on record when the person was known before.
    """
    # Locked: one public signup at a time per campaign, so a double submit cannot create the person twice.
    program = VolunteerSettings.objects.select_for_update().filter(campaign=campaign).first() or program_for(campaign)
    if not program.signup_open:
        raise SignupClosed(_("Volunteer signup is closed for now."), code="closed")
    if not consent:
        raise ValidationError({"consent": _("Please agree to be contacted, or we cannot sign you up.")})
    email = normalise_email(email)
    phone_e164 = _e164(phone, phone_region_for(campaign))
    if not email and not phone_e164:
        raise ValidationError({"email": _("Give an email address or a mobile number, or both.")})
    if not given_name.strip():
        raise ValidationError({"given_name": _("Please tell us your name.")})
    if signup_rate_limited(campaign=campaign, ip=ip):
        raise SignupRateLimited(
            _("Too many signups from your connection. Please try again in a few minutes."), code="rate_limited"
        )

    now = timezone.now()
    match = _find_person(campaign, email, phone_e164)
    created = match is None
    consent_fields = {"consent_recorded_at": now, "consent_wording": wording}
    if email:
        consent_fields["consent_email"] = True
    if phone_e164:
        consent_fields["consent_sms"] = True

    if match is None:
        person = Person.objects.create(
            campaign=campaign,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            email=email,
            phone=phone_e164,
            language=language,
            neighbourhood=neighbourhood.strip(),
            **consent_fields,
        )
        volunteer = Volunteer.objects.create(
            campaign=campaign,
            person=person,
            available_weekdays=available_weekdays,
            available_evenings=available_evenings,
            available_weekends=available_weekends,
            tshirt_size=tshirt_size,
            source="signup",
            last_activity_at=now,
        )
        changed: list[str] = []
        welcome_channels = [c for c, given in ((Channel.EMAIL, email), (Channel.SMS, phone_e164)) if given]
    else:
        person = match.person
        with translation.override(campaign.language):  # the history note is for the coordinators
            changed, history = _update_person(
                person,
                given_name=given_name.strip(),
                family_name=family_name.strip(),
                email=email,
                phone=phone_e164,
                language=language,
                neighbourhood=neighbourhood.strip(),
                consent_fields=consent_fields,
            )
        volunteer = getattr(person, "volunteer", None) or Volunteer.objects.create(
            campaign=campaign, person=person, source="signup"
        )
        changed += _update_volunteer(
            volunteer,
            available_weekdays=available_weekdays,
            available_evenings=available_evenings,
            available_weekends=available_weekends,
            tshirt_size=tshirt_size,
            now=now,
        )
        if history:  # what the repeat signup replaced or did not apply stays readable for coordinators
            with translation.override(campaign.language):
                body = _("Signed up again on the public page: %(details)s.") % {"details": "; ".join(history)}
            VolunteerNote.objects.create(campaign=campaign, volunteer=volunteer, author=None, body=body)
        welcome_channels = [
            c for c, matched in ((Channel.EMAIL, match.by_email), (Channel.SMS, match.by_phone)) if matched
        ]

    added = _add_skills(volunteer, skills, new=created)
    log_action(
        campaign=campaign,
        actor=None,
        action="volunteer.signed_up" if created else "volunteer.signed_up_again",
        target=volunteer,
        data={
            "channels": sorted(c for c, given in (("email", email), ("sms", phone_e164)) if given),
            "skills_added": added,
            "changed": sorted(changed),
        },
    )
    _welcome(volunteer=volunteer, channels=welcome_channels, again=not created, now=now)
    return volunteer, created


def phone_text(phone: PhoneNumber | None) -> str:
    """A stored phone number as E.164 ("" when there is none); one that never parsed stays as typed."""
    if not phone:
        return ""
    return phone.as_e164 if phone.is_valid() else str(phone.raw_input or "")


def _e164(phone: PhoneNumber | str | None, region: str | None) -> str:
    """E.164, however the number was written; a number that is not valid is refused."""
    if not phone:
        return ""
    number = phone if isinstance(phone, PhoneNumber) else to_python(str(phone), region=region)
    if not isinstance(number, PhoneNumber) or not number.is_valid():
        raise ValidationError({"phone": _("This is not a valid phone number. Include the country code.")})
    return number.as_e164


def _update_person(
    person: Person,
    *,
    given_name: str,
    family_name: str,
    email: str,
    phone: str,
    language: str,
    neighbourhood: str,
    consent_fields: dict[str, Any],
) -> tuple[list[str], list[str]]:
    """Apply a repeat signup to the person. Returns (fields changed, lines for the history note)."""
    history: list[str] = []
    updates: dict[str, Any] = {"given_name": given_name, "family_name": family_name, "neighbourhood": neighbourhood}
    updates = {field: value for field, value in updates.items() if value and value != getattr(person, field)}
    for field in updates:
        label = str(getattr(Person._meta.get_field(field), "verbose_name", field))
        history.append(_("%(field)s was %(value)s") % {"field": label, "value": getattr(person, field) or "–"})
    if language and language != person.language:
        updates["language"] = language
    consent = dict(consent_fields)
    if email:
        if not person.email:
            updates["email"] = email
        elif person.email.lower() != email:
            history.append(_("gave the email %(email)s, not applied") % {"email": email})
            consent.pop("consent_email", None)  # the consent was for the address not applied
    if phone:
        if not person.phone:
            updates["phone"] = phone
        elif phone_text(person.phone) != phone:
            history.append(_("gave the phone %(phone)s, not applied") % {"phone": phone})
            consent.pop("consent_sms", None)
    # Anyone can type anyone's address here, so the form never turns a channel back on for an address
    # already on record: an opt-out stays an opt-out until the person or a coordinator changes it.
    # (A newly given address, filled in above, may come with its consent.)
    for channel, address in (("consent_email", person.email), ("consent_sms", person.phone)):
        if consent.get(channel) and address and not getattr(person, channel):
            consent.pop(channel)
            history.append(_("asked to be contacted again on a channel they had turned off; not applied"))
    if "consent_email" in consent or "consent_sms" in consent:
        updates.update(consent)  # consent is recorded afresh, with this time and wording
    changed = [
        f for f, v in updates.items() if f not in ("consent_recorded_at", "consent_wording") and getattr(person, f) != v
    ]
    for field, value in updates.items():
        setattr(person, field, value)
    person.save(update_fields=[*updates, "updated_at"])
    return changed, history


def _update_volunteer(
    volunteer: Volunteer,
    *,
    available_weekdays: bool,
    available_evenings: bool,
    available_weekends: bool,
    tshirt_size: str,
    now: dt.datetime,
) -> list[str]:
    changed = []
    for field, value in (
        ("available_weekdays", available_weekdays),
        ("available_evenings", available_evenings),
        ("available_weekends", available_weekends),
    ):
        if value and not getattr(volunteer, field):  # availability is added to, never taken away here
            setattr(volunteer, field, True)
            changed.append(field)
    if tshirt_size and tshirt_size != volunteer.tshirt_size:
        volunteer.tshirt_size = tshirt_size
        changed.append("tshirt_size")
    volunteer.last_activity_at = now
    volunteer.save(update_fields=[*changed, "last_activity_at"])
    return changed


def _add_skills(volunteer: Volunteer, skills: Any, *, new: bool) -> int:
    wanted = {skill.pk for skill in skills if skill.campaign_id == volunteer.campaign_id}
    if not wanted:
        return 0
    have = set() if new else set(VolunteerSkill.objects.filter(volunteer=volunteer).values_list("skill_id", flat=True))
    adding = sorted(wanted - have)
    VolunteerSkill.objects.bulk_create(
        [VolunteerSkill(campaign_id=volunteer.campaign_id, volunteer=volunteer, skill_id=pk) for pk in adding]
    )
    return len(adding)


def _welcome(*, volunteer: Volunteer, channels: Sequence[str], again: bool, now: dt.datetime) -> None:
    """The confirmation, with the claim link, in the volunteer's language. A double submit sends one."""
    person = volunteer.person
    if not channels:
        return
    if again:
        recent = Message.objects.filter(
            campaign=volunteer.campaign, person=person, template=WELCOME, created_at__gte=now - WELCOME_QUIET
        )
        if recent.exists():
            return
    context = {
        "given_name": person.given_name,
        "claim_url": claim_url(person),
        "page_url": public_page_url(volunteer.campaign),
        "again": again,
    }
    for channel in channels:
        message_enqueue(
            campaign=volunteer.campaign,
            channel=channel,
            template=WELCOME,
            person=person,
            dedupe_key=f"{WELCOME}:{volunteer.code}:{channel}:{now.isoformat()}",
            context=context,
            language=person.language,
            topic=f"volunteer:{volunteer.code}",
        )


# --- claiming an account ----------------------------------------------------------------------------


@transaction.atomic
def volunteer_claim(*, person: Person, user: User) -> Membership:
    """Link the signed-in account to the volunteer who got the claim link, and make it a member.

    An account that is already a member keeps its role. A person linked to another account, or an
    account that already has another volunteer profile here, is refused with a clear message."""
    campaign = person.campaign
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.user_id is not None and person.user_id != user.pk:
        raise ValidationError(
            _("This volunteer profile is already linked to another account. Sign in with that account.")
        )
    other = Volunteer.objects.filter(campaign=campaign, person__user=user).exclude(person=person).first()
    if other is not None:
        raise ValidationError(
            _(
                "Your account already has another volunteer profile in this campaign. "
                "Ask a coordinator to merge the two."
            )
        )
    linked_now = person.user_id is None
    if linked_now:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    volunteer, _created = Volunteer.objects.get_or_create(
        campaign=campaign, person=person, defaults={"source": "signup"}
    )
    membership = Membership.objects.filter(campaign=campaign, user=user).first()
    membership_created = membership is None
    if membership is None:
        membership = Membership.objects.create(campaign=campaign, user=user, role=Role.VOLUNTEER)
    if linked_now or membership_created:
        log_action(
            campaign=campaign,
            actor=user,
            action="volunteer.claimed",
            target=volunteer,
            data={"membership_created": membership_created, "role": membership.role},
        )
    return membership


# --- one-tap links from messages --------------------------------------------------------------------


@transaction.atomic
def signup_reconfirm(*, signup: Signup) -> Signup:
    """The volunteer tapped "I'm coming" in a reminder. Nothing changes but the record of it."""
    signup = Signup.objects.select_related("shift", "volunteer").get(pk=signup.pk)
    if signup.status == Signup.Status.CANCELLED:
        raise ValidationError(_("This place was cancelled. Sign up again from My shifts if you can come."))
    if signup.shift.cancelled_at:
        raise ValidationError(_("This shift is cancelled."))
    if signup.shift.is_over():
        raise ValidationError(_("This shift is over."))
    now = timezone.now()
    signup.reconfirmed_at = now
    signup.save(update_fields=["reconfirmed_at"])
    Volunteer.objects.filter(pk=signup.volunteer_id).update(last_activity_at=now)
    log_action(
        campaign=signup.campaign,
        actor=signup.volunteer.person.user if signup.volunteer.person.user_id else None,
        action="signup.reconfirmed",
        target=signup,
        data={"status": signup.status, "via": "link"},
    )
    return signup


@transaction.atomic
def signup_self_report(*, signup: Signup, attended: bool) -> tuple[Signup, bool]:
    """The volunteer says whether they came, from the thank-you message. A coordinator's marking (or a
    check-in) is never overwritten: returns (signup, recorded now)."""
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    shift = Shift.objects.get(pk=signup.shift_id)
    if signup.status != Signup.Status.CONFIRMED:
        raise ValidationError(_("Only a confirmed place can have an attendance."))
    if shift.cancelled_at:
        raise ValidationError(_("This shift is cancelled."))
    if shift.starts_at > timezone.now():
        raise ValidationError(_("This shift has not started yet. Tell us after it."))
    if signup.attendance:
        return signup, False
    signup.attendance = Signup.Attendance.ATTENDED if attended else Signup.Attendance.NO_SHOW
    signup.save(update_fields=["attendance"])
    updates: dict[str, Any] = {"last_activity_at": timezone.now()}
    if attended:
        updates["status"] = Volunteer.Status.ACTIVE
    Volunteer.objects.filter(pk=signup.volunteer_id).update(**updates)
    log_action(
        campaign=signup.campaign,
        actor=None,
        action="signup.attendance_reported",
        target=signup,
        data={"attendance": signup.attendance, "via": "link"},
    )
    return signup, True


# --- opting out -------------------------------------------------------------------------------------


@transaction.atomic
def person_opt_out(*, person: Person, channel: str) -> int:
    """Stop one channel for this person: consent off, and every unsent message on it withdrawn.
    Returns how many messages were withdrawn. Doing it twice changes nothing more."""
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise ValidationError(_("Unknown channel."))
    person = Person.objects.select_for_update().get(pk=person.pk)
    field = "consent_email" if channel == Channel.EMAIL else "consent_sms"
    was = getattr(person, field)
    if was:
        setattr(person, field, False)
        person.save(update_fields=[field, "updated_at"])
    now = timezone.now()
    withdrawn = Message.objects.filter(
        campaign=person.campaign, person=person, channel=channel, sent_at=None, failed_at=None, cancelled_at=None
    ).update(cancelled_at=now, claimed_until=None, last_error="opted out")
    if was or withdrawn:
        log_action(
            campaign=person.campaign,
            actor=None,
            action="person.opted_out",
            target=person,
            data={"channel": channel, "withdrawn": withdrawn},
        )
    return withdrawn
