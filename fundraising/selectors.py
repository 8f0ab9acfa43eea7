"""Reading the money: totals, progress to the goal, donors near their cap, reports.

Everything is summed in the database as Decimal, a fixed number of queries whatever the number of
donations. Refunds carry negative amounts, so totals are plain sums of accepted entries. "Raised"
counts accepted entries only; the cap counts held ones too (they may still be accepted).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Func, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek

from campaign.models import Campaign, Person
from fundraising.models import CENT, Donation, Expense, FundraisingSettings

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
ACCEPTED = Donation.Status.ACCEPTED
COUNTED = (Donation.Status.ACCEPTED, Donation.Status.HELD)


# SQLite sums decimals as floats (15 significant digits): every total is rounded back to whole cents,
# which is exact for any campaign's money; PostgreSQL sums NUMERIC exactly anyway. Comparisons in SQL
# allow half a cent for the same reason.
HALF_CENT = Decimal("0.005")


def _money(value: Decimal | None) -> Decimal:
    return (value if value is not None else ZERO).quantize(CENT) + ZERO  # + ZERO: never "-0.00"


def _to_cents(value: Any, expression: Any, connection: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT) + ZERO


class Cents(Func):
    """An annotation in money: the expression as it is, read back as a two-place Decimal."""

    template = "%(expressions)s"
    output_field = MONEY_FIELD

    def get_db_converters(self, connection: Any) -> list:
        return [*super().get_db_converters(connection), _to_cents]


def money_sum(field: str, filter: Q | None = None) -> Cents:
    return Cents(Coalesce(Sum(field, filter=filter), Value(ZERO), output_field=MONEY_FIELD))


def settings_of(campaign: Campaign) -> FundraisingSettings:
    """The campaign's settings without writing anything: unsaved defaults when there are none yet."""
    return FundraisingSettings.objects.filter(campaign=campaign).first() or FundraisingSettings(campaign=campaign)


def _date_range(queryset: QuerySet, field: str, start: dt.date | None, end: dt.date | None) -> QuerySet:
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


def accepted_entries(campaign: Campaign) -> QuerySet[Donation]:
    return Donation.objects.filter(campaign=campaign, status=ACCEPTED)


def summary(campaign: Campaign) -> dict[str, Any]:
    """Raised so far, donors, average gift, by method, by week and the share of the goal. Four queries."""
    fs = settings_of(campaign)
    entries = accepted_entries(campaign)
    totals = entries.aggregate(
        raised=Sum("amount"),
        gifts=Count("id", filter=Q(kind=Donation.Kind.DONATION)),
        donors=Count("donor", distinct=True, filter=Q(kind=Donation.Kind.DONATION)),
        anonymous=Count("id", filter=Q(kind=Donation.Kind.DONATION, donor__isnull=True)),
    )
    raised = _money(totals["raised"])
    gifts = totals["gifts"]
    average = (raised / gifts).quantize(CENT, rounding=ROUND_HALF_UP) if gifts else ZERO
    labels = dict(Donation.Method.choices)
    by_method = [
        {
            "method": row["method"],
            "label": labels.get(row["method"], row["method"]),
            "total": _money(row["total"]),
            "gifts": row["gifts"],
        }
        for row in entries.values("method")
        .annotate(total=Sum("amount"), gifts=Count("id", filter=Q(kind=Donation.Kind.DONATION)))
        .order_by("-total", "method")
    ]
    by_week = [
        {"week": row["week"], "total": _money(row["total"]), "gifts": row["gifts"]}
        for row in entries.annotate(week=TruncWeek("received_on"))
        .values("week")
        .annotate(total=Sum("amount"), gifts=Count("id", filter=Q(kind=Donation.Kind.DONATION)))
        .order_by("week")
    ]
    for row in by_week:  # TruncWeek of a date is a date on PostgreSQL and SQLite alike; be sure
        if isinstance(row["week"], dt.datetime):
            row["week"] = row["week"].date()
    goal = fs.goal_amount
    share = int(raised * 100 // goal) if goal else None
    held = Donation.objects.filter(campaign=campaign, status=Donation.Status.HELD).count()
    return {
        "currency": campaign.currency,
        "raised": raised,
        "gifts": gifts,
        "donors": totals["donors"],
        "anonymous_gifts": totals["anonymous"],
        "average_gift": average,
        "by_method": by_method,
        "by_week": by_week,
        "goal": goal,
        "goal_deadline": fs.goal_deadline,
        "goal_share": share,
        "held": held,
    }


def donor_totals(campaign: Campaign) -> QuerySet[Person]:
    """The campaign's donors, each with `total` (accepted, net of refunds and corrections),
    `cap_total` (accepted and held: what the cap counts), `gifts` and `last_gift_on`. Largest first."""
    counted = Q(donations__status__in=COUNTED)
    accepted = Q(donations__status=ACCEPTED)
    return (
        Person.objects.filter(campaign=campaign, donations__isnull=False)
        .annotate(
            total=money_sum("donations__amount", filter=accepted),
            cap_total=money_sum("donations__amount", filter=counted),
            gifts=Count("donations", filter=accepted & Q(donations__kind=Donation.Kind.DONATION)),
            last_gift_on=Max("donations__received_on", filter=Q(donations__kind=Donation.Kind.DONATION)),
        )
        .order_by("-cap_total", "family_name", "given_name", "id")
    )


def donors_near_cap(campaign: Campaign) -> QuerySet[Person]:
    """Donors who reached the campaign's warning share of the per-donor cap (or passed it), with
    `room` left before the cap. Empty when the campaign has no cap."""
    fs = settings_of(campaign)
    if fs.per_donor_cap is None:
        return Person.objects.none()
    warn_at = (fs.per_donor_cap * fs.near_cap_share / 100).quantize(CENT)
    return (
        donor_totals(campaign)
        .filter(cap_total__gte=warn_at - HALF_CENT)
        .annotate(room=Cents(Value(fs.per_donor_cap, output_field=MONEY_FIELD) - F("cap_total")))
    )


def income_expenditure(campaign: Campaign, start: dt.date | None, end: dt.date | None) -> dict[str, Any]:
    """Money in (accepted entries dated in the range, refunds as negative) and out (expenses dated in
    the range), by method and by category, and the balance."""
    entries = _date_range(accepted_entries(campaign), "received_on", start, end)
    income_rows = list(
        entries.values("method").annotate(
            total=Sum("amount"),
            refunds=Sum("amount", filter=Q(kind=Donation.Kind.REFUND)),
            gifts=Count("id", filter=Q(kind=Donation.Kind.DONATION)),
        )
    )
    method_labels = dict(Donation.Method.choices)
    income_by_method = sorted(
        (
            {
                "method": row["method"],
                "label": method_labels.get(row["method"], row["method"]),
                "total": _money(row["total"]),
                "refunds": _money(row["refunds"]),
                "gifts": row["gifts"],
            }
            for row in income_rows
        ),
        key=lambda row: (-row["total"], row["method"]),
    )
    expenses = _date_range(Expense.objects.filter(campaign=campaign), "spent_on", start, end)
    category_labels = dict(Expense.Category.choices)
    expense_by_category = [
        {
            "category": row["category"],
            "label": category_labels.get(row["category"], row["category"]),
            "total": _money(row["total"]),
            "count": row["count"],
        }
        for row in expenses.values("category").annotate(total=Sum("amount"), count=Count("id")).order_by("-total")
    ]
    income = sum((row["total"] for row in income_by_method), ZERO)
    refunds = sum((row["refunds"] for row in income_by_method), ZERO)
    spent = sum((row["total"] for row in expense_by_category), ZERO)
    return {
        "currency": campaign.currency,
        "start": start,
        "end": end,
        "income": income,
        "refunds": refunds,
        "income_by_method": income_by_method,
        "expenditure": spent,
        "expenditure_by_category": expense_by_category,
        "balance": income - spent,
    }


def disclosure_list(campaign: Campaign, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Person]:
    """Donors whose accepted gifts dated in the range total more than the disclosure threshold
    (every donor who gave anything when there is no threshold), with `total` and `gifts`."""
    fs = settings_of(campaign)
    accepted = Q(donations__status=ACCEPTED)
    if start is not None:
        accepted &= Q(donations__received_on__gte=start)
    if end is not None:
        accepted &= Q(donations__received_on__lte=end)
    people = (
        Person.objects.filter(campaign=campaign, donations__isnull=False)
        .annotate(
            total=money_sum("donations__amount", filter=accepted),
            gifts=Count("donations", filter=accepted & Q(donations__kind=Donation.Kind.DONATION)),
        )
        .order_by("-total", "family_name", "given_name", "id")
    )
    threshold = fs.disclosure_threshold if fs.disclosure_threshold is not None else ZERO
    return people.filter(total__gt=threshold + HALF_CENT)
