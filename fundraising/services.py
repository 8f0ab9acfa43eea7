"""Money in and out. Every change is one transaction, audited, and checked against the law's limits.

Money is Decimal with two places in the campaign's currency. Donations of one donor are serialised
on the donor's Person row, so two donations at the same moment cannot together cross the cap; receipt
numbers come from one locked counter row per campaign, so they have no gaps.
Audit data holds amounts, methods and codes, never a donor's name or address.
"""

import calendar
import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.models import CURRENCY_CHOICES, Campaign, Membership, Person
from fundraising.models import (
    CENT,
    Donation,
    Expense,
    FundraisingGrant,
    FundraisingSettings,
    Pledge,
    ReceiptCounter,
)
from notifications.models import Channel
from notifications.services import message_enqueue, messages_withdraw, person_accepts

THANK_YOU = "fundraising/thank_you"
PLEDGE_REMINDER = "fundraising/pledge_reminder"
PLEDGE_REMINDER_DAYS = 3
SETTINGS_FIELDS = (
    "per_donor_cap",
    "anonymous_cap",
    "cash_cap",
    "disclosure_threshold",
    "near_cap_share",
    "forbidden_categories",
    "over_limit",
    "goal_amount",
    "goal_deadline",
    "show_thermometer",
)
COUNTED = (Donation.Status.ACCEPTED, Donation.Status.HELD)
MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2


# --- helpers -------------------------------------------------------------------------------------


def today_for(campaign: Campaign) -> dt.date:
    """Today in the campaign's time zone: a donation dated today there is not in the future."""
    return timezone.localdate(timezone=campaign.tzinfo)


def parse_money(value: object, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """A Decimal with at most two places, or a ValidationError on `field`. Floats are refused:
    they cannot hold cents exactly."""
    if isinstance(value, (float, bool)):
        raise ValidationError({field: _("Enter the amount as a number with at most two decimals.")})
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number, for example 100 or 25.50.")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("Enter a number, for example 100 or 25.50.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Use at most two decimals (whole cents).")})
    if not allow_negative and amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large.")})
    return amount.quantize(CENT)


def _currency(campaign: Campaign) -> str:
    if campaign.currency not in {code for code, _label in CURRENCY_CHOICES}:
        raise ValidationError(
            _("The campaign's currency %(currency)s is not known. Choose one in the campaign settings.")
            % {"currency": campaign.currency}
        )
    return campaign.currency


def _money_text(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def donor_total(*, campaign: Campaign, donor: Person) -> Decimal:
    """What the donor has given in this election: accepted and held entries, refunds and corrections
    and gifts in kind included."""
    total = Donation.objects.filter(campaign=campaign, donor=donor, status__in=COUNTED).aggregate(t=Sum("amount"))["t"]
    return (total or Decimal(0)).quantize(CENT) + 0  # exact cents even where the database sums in floats


def remaining_of(original: Donation) -> Decimal:
    """What is left of a donation after the refunds and corrections made to it."""
    adjusted = original.adjustments.filter(status__in=COUNTED).aggregate(t=Sum("amount"))["t"] or Decimal(0)
    return (original.amount + adjusted).quantize(CENT) + 0


def _lock_donor(donor: Person) -> Person:
    return Person.objects.select_for_update().get(pk=donor.pk)


def _next_receipt_number(campaign: Campaign) -> int:
    ReceiptCounter.objects.get_or_create(campaign=campaign)
    counter = ReceiptCounter.objects.select_for_update().get(campaign=campaign)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _issue_receipt(donation: Donation) -> None:
    """The next number, and the thank-you with the receipt to the donor. Only accepted donations with
    a donor get a receipt; the counter lock is held until the transaction ends, so no gaps."""
    if donation.donor_id is None or donation.status != Donation.Status.ACCEPTED or donation.receipt_number:
        return
    donation.receipt_number = _next_receipt_number(donation.campaign)
    donation.receipt_issued_at = timezone.now()
    donation.save(update_fields=["receipt_number", "receipt_issued_at"])
    _send_thank_you(donation, copy=False)


def receipt_context(donation: Donation, *, copy: bool) -> dict[str, Any]:
    """What the receipt states: the donation as it stands after its corrections and refunds, under
    its one number (a re-issued copy after a correction shows the corrected amount)."""
    net = remaining_of(donation)
    return {
        "amount": str(net),
        "amount_text": _money_text(net, donation.currency),
        "original_amount": str(donation.amount) if net != donation.amount else "",
        "currency": donation.currency,
        "received_on": donation.received_on.isoformat(),
        "method": donation.method,
        "in_kind_description": donation.in_kind_description,
        "receipt_number": donation.receipt_number,
        "receipt_issued_at": donation.receipt_issued_at.isoformat() if donation.receipt_issued_at else "",
        "donor_name": donation.donor.full_name if donation.donor else "",
        "copy": copy,
        "copy_number": donation.receipt_copies,
    }


def _send_thank_you(donation: Donation, *, copy: bool) -> None:
    """Email carries the receipt; a donor without email gets a short text message thank-you."""
    donor = donation.donor
    if donor is None:
        return
    suffix = f"copy{donation.receipt_copies}" if copy else "first"
    channel = next(
        (
            ch
            for ch, address in ((Channel.EMAIL, donor.email), (Channel.SMS, donor.phone))
            if address and person_accepts(donor, ch)
        ),
        None,
    )
    if channel is None or (copy and channel != Channel.EMAIL):
        return
    message_enqueue(
        campaign=donation.campaign,
        channel=channel,
        template=THANK_YOU,
        person=donor,
        dedupe_key=f"donation:{donation.code}:{channel}:{suffix}",
        context=receipt_context(donation, copy=copy),
        topic=f"donation:{donation.code}",
    )


def _limit_breaches(
    *,
    campaign: Campaign,
    fs: FundraisingSettings,
    amount: Decimal,
    method: str,
    donor: Person | None,
    donor_category: str,
    new_donation: bool,
) -> dict[str, str]:
    """The limits this entry would break, keyed by the field at fault."""
    breaches: dict[str, str] = {}
    currency = campaign.currency
    forbidden = {str(c).strip().casefold() for c in fs.forbidden_categories or [] if str(c).strip()}
    if donor_category and donor_category.strip().casefold() in forbidden:
        breaches["donor_category"] = _("Donations from this category of donor (%(category)s) are not allowed.") % {
            "category": donor_category
        }
    if new_donation and donor is None and fs.anonymous_cap is not None and amount > fs.anonymous_cap:
        if fs.anonymous_cap == 0:
            breaches["donor"] = _("Anonymous donations are not allowed: record who gave it.")
        else:
            breaches["donor"] = _("An anonymous donation may be at most %(cap)s: record who gave it.") % {
                "cap": _money_text(fs.anonymous_cap, currency)
            }
    if new_donation and method == Donation.Method.CASH and fs.cash_cap is not None and amount > fs.cash_cap:
        breaches["method"] = _("A cash donation may be at most %(cap)s.") % {"cap": _money_text(fs.cash_cap, currency)}
    if donor is not None and fs.per_donor_cap is not None and amount > 0:
        given = donor_total(campaign=campaign, donor=donor)
        if given + amount > fs.per_donor_cap:
            left = max(fs.per_donor_cap - given, Decimal(0))
            breaches["amount"] = _(
                "This donor would go over the cap of %(cap)s for this election: "
                "they have given %(given)s, so at most %(left)s more can be accepted."
            ) % {
                "cap": _money_text(fs.per_donor_cap, currency),
                "given": _money_text(given, currency),
                "left": _money_text(left, currency),
            }
    return breaches


def _held_or_refused(fs: FundraisingSettings, breaches: dict[str, str]) -> str:
    """'' when nothing is broken; the review reason when the campaign holds; otherwise raises."""
    if not breaches:
        return ""
    if fs.over_limit != FundraisingSettings.OverLimit.HOLD:
        raise ValidationError(breaches)
    return " ".join(breaches.values())[:255]


# --- settings and grants -------------------------------------------------------------------------


def settings_for(campaign: Campaign) -> FundraisingSettings:
    fs, _created = FundraisingSettings.objects.get_or_create(campaign=campaign)
    return fs


@transaction.atomic
def settings_update(*, campaign: Campaign, acting_user: User, **values: Any) -> FundraisingSettings:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Not fundraising settings: {sorted(unknown)}")
    settings_for(campaign)
    fs = FundraisingSettings.objects.select_for_update().get(campaign=campaign)
    if "forbidden_categories" in values:
        categories = values["forbidden_categories"] or []
        if isinstance(categories, str):
            categories = categories.splitlines()
        values["forbidden_categories"] = sorted({str(c).strip() for c in categories if str(c).strip()})
    changed = [field for field, value in values.items() if getattr(fs, field) != value]
    if not changed:
        return fs
    for field in changed:
        setattr(fs, field, values[field])
    fs.full_clean(exclude=["campaign"])
    fs.save(update_fields=changed)
    log_action(
        campaign=campaign, actor=acting_user, action="fundraising.settings_updated", target=fs, data={"fields": changed}
    )
    return fs


@transaction.atomic
def grant_set(*, campaign: Campaign, membership: Membership, granted: bool, acting_user: User) -> None:
    """Let a volunteer see fundraising, or stop it. Coordinators and owners always see it."""
    if membership.campaign_id != campaign.pk:
        raise ValidationError(_("This person is not on this campaign's team."))
    existing = FundraisingGrant.objects.filter(campaign=campaign, membership=membership).first()
    if granted and existing is None:
        FundraisingGrant.objects.create(campaign=campaign, membership=membership, granted_by=acting_user)
    elif not granted and existing is not None:
        existing.delete()
    else:
        return
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="fundraising.granted" if granted else "fundraising.grant_removed",
        target=membership,
    )


# --- donors --------------------------------------------------------------------------------------


@transaction.atomic
def donor_find_or_create(
    *,
    campaign: Campaign,
    acting_user: User,
    given_name: str,
    family_name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "",
) -> Person:
    """The campaign's Person with this email (any case) or this phone, or a new one. An existing
    person keeps their details; blanks are filled in from what was given."""
    email, phone, given_name = (email or "").strip(), str(phone or "").strip(), (given_name or "").strip()
    person = None
    if email:
        person = Person.objects.filter(campaign=campaign, email__iexact=email).order_by("id").first()
    if person is None and phone:
        candidate = Person(campaign=campaign, given_name=given_name or "-", phone=phone)
        try:
            candidate.full_clean(exclude=["campaign", "user", "tags"])
        except ValidationError as error:
            if "phone" in error.message_dict:
                raise ValidationError({"phone": error.message_dict["phone"]}) from None
        person = Person.objects.filter(campaign=campaign, phone=candidate.phone).order_by("id").first()
    if person is not None:
        filled = []
        for field, value in (("email", email), ("phone", phone), ("language", language)):
            if value and not getattr(person, field):
                setattr(person, field, value)
                filled.append(field)
        if filled:
            person.full_clean(exclude=["campaign", "user", "tags"])
            person.save(update_fields=[*filled, "updated_at"])
        return person
    if not given_name:
        raise ValidationError({"given_name": _("Enter the donor's name, or record the donation as anonymous.")})
    # A donor who gives an address with a donation expects its receipt there: that is recorded as
    # consent for that channel, with this wording, and the receipt's opt-out link can withdraw it.
    # An existing person's choices are kept as they are (an opt-out stays an opt-out).
    wording = _("Gave this address with a donation, to receive its receipt and thanks.")
    person = Person(
        campaign=campaign,
        given_name=given_name,
        family_name=(family_name or "").strip(),
        email=email,
        phone=phone,
        language=language or "",
        consent_email=bool(email),
        consent_sms=bool(phone) and not email,
        consent_recorded_at=timezone.now() if (email or phone) else None,
        consent_wording=wording if (email or phone) else "",
    )
    person.full_clean(exclude=["campaign", "user", "tags"])
    person.save()
    log_action(campaign=campaign, actor=acting_user, action="person.created", target=person, data={"via": "donation"})
    return person


# --- donations -----------------------------------------------------------------------------------


@transaction.atomic
def donation_record(
    *,
    campaign: Campaign,
    acting_user: User | None,
    amount: Decimal,
    received_on: dt.date,
    method: str,
    donor: Person | None,
    donor_category: str = "",
    in_kind_description: str = "",
    reference: str = "",
    appeal: str = "",
    notes: str = "",
    pledge: Pledge | None = None,
    client_uuid: uuid.UUID | None = None,
) -> Donation:
    """Record a donation, refused (or held, if the campaign says so) when it breaks a limit."""
    if donor is not None:
        if donor.campaign_id != campaign.pk:
            raise ValidationError({"donor": _("This donor is not one of this campaign's people.")})
        donor = _lock_donor(donor)  # serialise this donor's donations: the cap check below stays true
    if client_uuid is not None:
        replayed = Donation.objects.filter(campaign=campaign, client_uuid=client_uuid).first()
        if replayed is not None:
            return replayed
    errors: dict[str, str] = {}
    try:
        amount = parse_money(amount)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if method not in Donation.Method.values:
        errors["method"] = _("Choose how the money was given.")
    if not isinstance(received_on, dt.date) or isinstance(received_on, dt.datetime):
        errors["received_on"] = _("Enter the date the donation was received.")
    elif received_on > today_for(campaign):
        errors["received_on"] = _("This date is in the future.")
    in_kind_description = (in_kind_description or "").strip()
    if method == Donation.Method.IN_KIND and not in_kind_description:
        errors["in_kind_description"] = _("Say what was given, and value it in the amount.")
    if pledge is not None:
        pledge = Pledge.objects.get(pk=pledge.pk)  # its status now, not when the caller loaded it
    if pledge is not None and (pledge.campaign_id != campaign.pk or donor is None or pledge.donor_id != donor.pk):
        errors["pledge"] = _("This pledge belongs to another donor.")
    elif pledge is not None and pledge.status == Pledge.Status.CANCELLED:
        errors["pledge"] = _("This pledge was cancelled.")
    if errors:
        raise ValidationError(errors)
    currency = _currency(campaign)
    fs = settings_for(campaign)
    breaches = _limit_breaches(
        campaign=campaign,
        fs=fs,
        amount=amount,
        method=method,
        donor=donor,
        donor_category=donor_category.strip(),
        new_donation=True,
    )
    reason = _held_or_refused(fs, breaches)
    donation = Donation(
        campaign=campaign,
        kind=Donation.Kind.DONATION,
        donor=donor,
        donor_category=donor_category.strip(),
        amount=amount,
        currency=currency,
        received_on=received_on,
        method=method,
        in_kind_description=in_kind_description,
        reference=reference.strip(),
        appeal=appeal.strip(),
        notes=notes,
        pledge=pledge,
        status=Donation.Status.HELD if reason else Donation.Status.ACCEPTED,
        review_reason=reason,
        client_uuid=client_uuid,
        recorded_by=acting_user,
    )
    donation.full_clean(exclude=["campaign", "donor", "pledge", "original", "recorded_by"])
    donation.save()
    _issue_receipt(donation)
    if pledge is not None and donation.status == Donation.Status.ACCEPTED:
        _pledge_paid(pledge, donation)
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="donation.held" if reason else "donation.recorded",
        target=donation,
        data={
            "amount": str(amount),
            "currency": currency,
            "method": method,
            "anonymous": donor is None,
            "receipt_number": donation.receipt_number,
            "limits": sorted(breaches),
        },
    )
    return donation


def _lock_original(original: Donation) -> Donation:
    original = Donation.objects.select_related("campaign", "donor").get(pk=original.pk)
    if original.donor_id:
        _lock_donor(original.donor)
    return Donation.objects.select_for_update(of=("self",)).select_related("campaign", "donor").get(pk=original.pk)


def _adjustment(*, original: Donation, kind: str, amount: Decimal, reason: str, acting_user: User | None) -> Donation:
    return Donation.objects.create(
        campaign=original.campaign,
        kind=kind,
        original=original,
        donor=original.donor,
        donor_category=original.donor_category,
        amount=amount,
        currency=original.currency,
        received_on=today_for(original.campaign),
        method=original.method,
        in_kind_description=original.in_kind_description,
        appeal=original.appeal,
        notes=reason,
        status=Donation.Status.ACCEPTED,
        recorded_by=acting_user,
    )


def _check_original(original: Donation, reason: str) -> str:
    if original.kind != Donation.Kind.DONATION:
        raise ValidationError(_("Refund or correct the original donation, not an adjustment to it."))
    if original.status != Donation.Status.ACCEPTED:
        raise ValidationError(_("Only an accepted donation can be refunded or corrected; review it first."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for the record.")})
    return reason


@transaction.atomic
def donation_refund(*, original: Donation, amount: Decimal, reason: str, acting_user: User | None) -> Donation:
    """Give back part or all of a donation: a new entry with a negative amount."""
    original = _lock_original(original)
    reason = _check_original(original, reason)
    amount = parse_money(amount)
    left = remaining_of(original)
    if amount > left:
        raise ValidationError(
            {
                "amount": _("You can refund at most %(left)s: that is what is left of this donation.")
                % {"left": _money_text(left, original.currency)}
            }
        )
    refund = _adjustment(
        original=original, kind=Donation.Kind.REFUND, amount=-amount, reason=reason, acting_user=acting_user
    )
    log_action(
        campaign=original.campaign,
        actor=acting_user,
        action="donation.refunded",
        target=refund,
        data={"original": str(original.code), "amount": str(-amount), "currency": original.currency},
    )
    return refund


@transaction.atomic
def donation_correct(*, original: Donation, delta: Decimal, reason: str, acting_user: User | None) -> Donation:
    """Fix a wrongly entered amount by the difference. A correction upwards counts towards the
    limits like a new gift; one downwards cannot take the donation below zero."""
    original = _lock_original(original)
    reason = _check_original(original, reason)
    delta = parse_money(delta, field="delta", allow_negative=True)
    if delta == 0:
        raise ValidationError({"delta": _("A correction of zero changes nothing.")})
    left = remaining_of(original)
    if left + delta < 0:
        raise ValidationError(
            {
                "delta": _("This would take the donation below zero: at most %(left)s can be taken off.")
                % {"left": _money_text(left, original.currency)}
            }
        )
    if delta > 0:
        fs = settings_for(original.campaign)
        breaches = _limit_breaches(
            campaign=original.campaign,
            fs=fs,
            amount=delta,
            method=original.method,
            donor=original.donor,
            donor_category="",
            new_donation=False,
        )
        if original.method == Donation.Method.CASH and fs.cash_cap is not None and left + delta > fs.cash_cap:
            breaches["delta"] = _("A cash donation may be at most %(cap)s.") % {
                "cap": _money_text(fs.cash_cap, original.currency)
            }
        if original.donor_id is None and fs.anonymous_cap is not None and left + delta > fs.anonymous_cap:
            breaches["delta"] = _("An anonymous donation may be at most %(cap)s.") % {
                "cap": _money_text(fs.anonymous_cap, original.currency)
            }
        if breaches:  # a correction is not held: it is refused, and the coordinator records it anew
            raise ValidationError({"delta": " ".join(breaches.values())})
    correction = _adjustment(
        original=original, kind=Donation.Kind.CORRECTION, amount=delta, reason=reason, acting_user=acting_user
    )
    log_action(
        campaign=original.campaign,
        actor=acting_user,
        action="donation.corrected",
        target=correction,
        data={"original": str(original.code), "delta": str(delta), "currency": original.currency},
    )
    return correction


@transaction.atomic
def donation_review(*, donation: Donation, approve: bool, reason: str, acting_user: User | None) -> Donation:
    """A held donation is accepted (and gets its receipt and thank-you) or rejected."""
    donation = _lock_original(donation)
    if donation.status != Donation.Status.HELD:
        raise ValidationError(_("This donation is not waiting for review."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for the record.")})
    donation.status = Donation.Status.ACCEPTED if approve else Donation.Status.REJECTED
    donation.notes = f"{donation.notes}\n{reason}".strip()
    donation.save(update_fields=["status", "notes"])
    _issue_receipt(donation)
    if approve and donation.pledge_id:
        _pledge_paid(donation.pledge, donation)
    log_action(
        campaign=donation.campaign,
        actor=acting_user,
        action="donation.approved" if approve else "donation.rejected",
        target=donation,
        data={"amount": str(donation.amount), "receipt_number": donation.receipt_number},
    )
    return donation


@transaction.atomic
def receipt_reissue(*, donation: Donation, acting_user: User | None) -> Donation:
    """The same receipt number again, marked as a copy, emailed to the donor."""
    donation = Donation.objects.select_for_update(of=("self",)).select_related("campaign", "donor").get(pk=donation.pk)
    if not donation.receipt_number:
        raise ValidationError(_("This donation has no receipt to re-issue."))
    donation.receipt_copies += 1
    donation.save(update_fields=["receipt_copies"])
    _send_thank_you(donation, copy=True)
    log_action(
        campaign=donation.campaign,
        actor=acting_user,
        action="donation.receipt_reissued",
        target=donation,
        data={"receipt_number": donation.receipt_number, "copy": donation.receipt_copies},
    )
    return donation


# --- pledges -------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def pledge_paid_total(pledge: Pledge) -> Decimal:
    """Accepted payments towards the pledge, less what was refunded or corrected of them."""
    total = Donation.objects.filter(
        Q(pledge=pledge) | Q(original__pledge=pledge), status=Donation.Status.ACCEPTED
    ).aggregate(t=Sum("amount"))["t"]
    return (total or Decimal(0)).quantize(CENT) + 0


def _pledge_topic(pledge: Pledge) -> str:
    return f"pledge:{pledge.code}"


def _schedule_pledge_reminder(pledge: Pledge) -> None:
    """One reminder a few days before the due date, in the morning of the campaign's time zone."""
    donor = pledge.donor
    campaign = pledge.campaign
    local = dt.datetime.combine(
        pledge.due_on - dt.timedelta(days=PLEDGE_REMINDER_DAYS), dt.time(10, 0), tzinfo=campaign.tzinfo
    )
    send_at = local.astimezone(dt.UTC)
    now = timezone.now()
    if send_at <= now:
        if pledge.due_on < today_for(campaign):
            return  # already due: a reminder now would be a demand, which is the coordinator's call
        send_at = now
    paid = pledge_paid_total(pledge)
    owed = pledge.amount if pledge.recurrence == Pledge.Recurrence.MONTHLY else max(pledge.amount - paid, Decimal(0))
    for channel, address in ((Channel.EMAIL, donor.email), (Channel.SMS, donor.phone)):
        if not address:
            continue
        message_enqueue(
            campaign=campaign,
            channel=channel,
            template=PLEDGE_REMINDER,
            person=donor,
            dedupe_key=f"pledge:{pledge.code}:{channel}:{pledge.due_on.isoformat()}",
            send_at=send_at,
            context={
                "amount": str(owed),
                "amount_text": _money_text(owed, campaign.currency),
                "pledged_text": _money_text(pledge.amount, campaign.currency),
                "currency": campaign.currency,
                "due_on": pledge.due_on.isoformat(),
                "monthly": pledge.recurrence == Pledge.Recurrence.MONTHLY,
                "donor_name": donor.given_name,
            },
            topic=_pledge_topic(pledge),
        )
        break  # one channel is enough: email when there is an address, otherwise a text


def _pledge_paid(pledge: Pledge, donation: Donation) -> None:
    """A payment counts towards its pledge: a one-off pledge is fulfilled when paid in full; a
    monthly pledge moves its due date on by each month the payments now cover."""
    pledge = Pledge.objects.select_for_update().select_related("campaign", "donor").get(pk=pledge.pk)
    if pledge.status != Pledge.Status.OPEN:
        return
    paid = pledge_paid_total(pledge)
    if pledge.recurrence == Pledge.Recurrence.MONTHLY:
        before = max(paid - donation.amount, Decimal(0))
        months = int(paid // pledge.amount) - int(before // pledge.amount)
        if months <= 0:
            return
        messages_withdraw(campaign=pledge.campaign, topic=_pledge_topic(pledge))
        pledge.due_on = add_months(pledge.due_on, months)
        pledge.save(update_fields=["due_on"])
        _schedule_pledge_reminder(pledge)
        return
    if paid >= pledge.amount:
        pledge.status = Pledge.Status.FULFILLED
        pledge.save(update_fields=["status"])
        messages_withdraw(campaign=pledge.campaign, topic=_pledge_topic(pledge))


@transaction.atomic
def pledge_create(
    *,
    campaign: Campaign,
    acting_user: User | None,
    donor: Person,
    amount: Decimal,
    due_on: dt.date,
    recurrence: str = "",
    notes: str = "",
) -> Pledge:
    if donor.campaign_id != campaign.pk:
        raise ValidationError({"donor": _("This donor is not one of this campaign's people.")})
    amount = parse_money(amount)
    if recurrence not in Pledge.Recurrence.values:
        raise ValidationError({"recurrence": _("Choose how often the pledge repeats.")})
    if not isinstance(due_on, dt.date):
        raise ValidationError({"due_on": _("Enter the date the pledge is due.")})
    today = today_for(campaign)
    if not today - dt.timedelta(days=366) <= due_on <= today + dt.timedelta(days=3660):
        raise ValidationError({"due_on": _("Choose a due date within a year before and ten years after today.")})
    pledge = Pledge(
        campaign=campaign, donor=donor, amount=amount, due_on=due_on, recurrence=recurrence, notes=notes or ""
    )
    pledge.full_clean(exclude=["campaign", "donor"])
    pledge.save()
    _schedule_pledge_reminder(pledge)
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="pledge.created",
        target=pledge,
        data={"amount": str(amount), "currency": campaign.currency, "recurrence": recurrence},
    )
    return pledge


@transaction.atomic
def pledge_cancel(*, pledge: Pledge, acting_user: User | None) -> Pledge:
    pledge = Pledge.objects.select_for_update().select_related("campaign").get(pk=pledge.pk)
    if pledge.status == Pledge.Status.CANCELLED:
        raise ValidationError(_("This pledge is already cancelled."))
    pledge.status = Pledge.Status.CANCELLED
    pledge.save(update_fields=["status"])
    messages_withdraw(campaign=pledge.campaign, topic=_pledge_topic(pledge))
    log_action(campaign=pledge.campaign, actor=acting_user, action="pledge.cancelled", target=pledge)
    return pledge


# --- expenses ------------------------------------------------------------------------------------


RECEIPT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
RECEIPT_MAGIC = {".pdf": b"%PDF", ".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".png": b"\x89PNG"}
MAX_RECEIPT_BYTES = 10 * 1024 * 1024


def check_receipt_file(upload: Any) -> str:
    """A receipt is a PDF, JPG or PNG whose first bytes agree with its name, at most 10 MB.
    Returns the content type it will be served with (never guessed from anything else)."""
    name = (getattr(upload, "name", "") or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in RECEIPT_TYPES:
        raise ValidationError(_("The receipt must be a PDF, JPG or PNG file."))
    if (getattr(upload, "size", 0) or 0) > MAX_RECEIPT_BYTES:
        raise ValidationError(_("The receipt is larger than 10 MB."))
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(RECEIPT_MAGIC[extension]):
        raise ValidationError(_("The file is not the PDF, JPG or PNG its name says."))
    return RECEIPT_TYPES[extension]


@transaction.atomic
def expense_record(
    *,
    campaign: Campaign,
    acting_user: User | None,
    spent_on: dt.date,
    payee: str,
    category: str,
    amount: Decimal,
    description: str = "",
    receipt_file: Any = None,
) -> Expense:
    errors: dict[str, str] = {}
    try:
        amount = parse_money(amount)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if not isinstance(spent_on, dt.date):
        errors["spent_on"] = _("Enter the date of the expense.")
    elif spent_on > today_for(campaign):
        errors["spent_on"] = _("This date is in the future.")
    if not (payee or "").strip():
        errors["payee"] = _("Say who was paid.")
    if category not in Expense.Category.values:
        errors["category"] = _("Choose a category.")
    if receipt_file:
        try:
            check_receipt_file(receipt_file)
        except ValidationError as error:
            errors["receipt_file"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    expense = Expense(
        campaign=campaign,
        spent_on=spent_on,
        payee=payee.strip(),
        category=category,
        amount=amount,
        currency=_currency(campaign),
        description=(description or "").strip(),
        recorded_by=acting_user,
    )
    if receipt_file:
        expense.receipt_file = receipt_file
    expense.full_clean(exclude=["campaign", "recorded_by"])
    expense.save()
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="expense.recorded",
        target=expense,
        data={"amount": str(amount), "currency": expense.currency, "category": category},
    )
    return expense


# --- exports -------------------------------------------------------------------------------------


def export_record(*, campaign: Campaign, acting_user: User, report: str, rows: int, filters: dict[str, str]) -> None:
    """An export is recorded before it is sent: which report, its date range and the row count,
    never a donor's name."""
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="fundraising.exported",
        data={"report": report, "rows": rows, "filters": filters},
    )
