"""Reads of stock that span relations: on-hand by place and by variant, the ledger, bags, T-shirt needs."""

from inventory.models import Location, StockLevel, Variant


def on_hand(*, location: Location, variant: Variant) -> int:
    return StockLevel.objects.filter(location=location, variant=variant).values_list("quantity", flat=True).first() or 0
