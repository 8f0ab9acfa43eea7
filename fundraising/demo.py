"""Demo data for fundraising: limits and a goal, a few weeks of small donations, pledges, expenses.

Called by `manage.py seed_demo` inside the demo campaign's scope. Idempotent: it does nothing for a
campaign that already has donations. Goes through the services, so limits and receipts apply.
"""

import datetime as dt
import random
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from faker import Faker

from campaign.models import Campaign, Membership, Person, Role
from fundraising import services
from fundraising.models import Donation, Expense

DONATIONS = {"small": 60, "large": 2000}


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    if Donation.objects.filter(campaign=campaign).exists():
        return
    owner = Membership.objects.filter(campaign=campaign, role=Role.OWNER).select_related("user").first()
    acting = owner.user if owner else None
    today = timezone.localdate(timezone=campaign.tzinfo)
    services.settings_update(
        campaign=campaign,
        acting_user=acting,
        per_donor_cap=Decimal("5000.00"),
        anonymous_cap=Decimal("100.00"),
        cash_cap=Decimal("1000.00"),
        disclosure_threshold=Decimal("1000.00"),
        goal_amount=Decimal("80000.00"),
        goal_deadline=campaign.election_date,
        show_thermometer=True,
        forbidden_categories=["Company", "Foreign donor"],
    )
    donors = list(Person.objects.filter(campaign=campaign).order_by("pk")[:150])
    methods = [m for m, _label in Donation.Method.choices if m != Donation.Method.IN_KIND]
    for _ in range(DONATIONS[scale]):
        day = today - dt.timedelta(days=rng.randint(0, 40))
        anonymous = rng.random() < 0.1
        method = "cash" if anonymous else rng.choice(methods)
        amount = Decimal(rng.choice([20, 50, 100, 100, 200, 300, 500, 800])) if not anonymous else Decimal(50)
        try:
            services.donation_record(
                campaign=campaign,
                acting_user=acting,
                amount=amount,
                received_on=day,
                method=method,
                donor=None if anonymous else rng.choice(donors),
                appeal=rng.choice(["", "Street stall", "Online"]),
            )
        except ValidationError:  # a demo donor over the cap is refused, as a real one would be
            continue
    # The gift in kind goes to the first donor with room left under the cap: at the large scale the
    # first donors have given close to it already.
    for donor in donors:
        try:
            services.donation_record(
                campaign=campaign,
                acting_user=acting,
                amount=Decimal("600.00"),
                received_on=today,
                method="in_kind",
                donor=donor,
                in_kind_description="Printing of 2,000 leaflets at cost",
            )
        except ValidationError:
            continue
        break
    for person in donors[:5]:
        services.pledge_create(
            campaign=campaign,
            acting_user=acting,
            donor=person,
            amount=Decimal(rng.choice([200, 500])),
            due_on=today + dt.timedelta(days=rng.randint(3, 30)),
            recurrence=rng.choice(["", "monthly"]),
        )
    for payee, category, amount in [
        ("Harbour Print Co.", Expense.Category.PRINTING, "3200.00"),
        ("Tee Factory", Expense.Category.TSHIRTS, "1850.00"),
        ("North Point Community Hall", Expense.Category.VENUE, "900.00"),
    ]:
        services.expense_record(
            campaign=campaign,
            acting_user=acting,
            spent_on=today - dt.timedelta(days=rng.randint(1, 20)),
            payee=payee,
            category=category,
            amount=Decimal(amount),
        )
