"""Forms of the inventory pages. They parse and offer choices from the campaign; the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Membership, Person
from inventory.models import Item, Location, Movement, Variant
from inventory.services import TSHIRT_SIZES


class CodeChoiceField(forms.ModelChoiceField):
    """Choices travel as UUID codes, never integer ids."""

    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        super().__init__(queryset, to_field_name="code", **kwargs)


class VariantChoiceField(CodeChoiceField):
    def label_from_instance(self, obj: Variant) -> str:
        return str(obj)


class MemberChoiceField(CodeChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.get_full_name()


class ItemForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["kind", "name", "unit", "unit_cost", "low_stock_threshold"]


class VariantForm(forms.ModelForm):
    size = forms.ChoiceField(label=_("size"), required=False, choices=[("", "—"), *[(s, s) for s in TSHIRT_SIZES]])

    class Meta:
        model = Variant
        fields = ["label", "size", "colour", "edition", "language", "door_default", "per_door"]

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if item.kind != Item.Kind.TSHIRT:
            del self.fields["size"]
        if item.kind != Item.Kind.LEAFLET:
            del self.fields["door_default"]
            del self.fields["per_door"]
        # The unique (item, label) check is the service's, with a clearer message.
        self.instance.item = item

    def validate_unique(self) -> None:
        pass


class LocationForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (Location.Kind.OFFICE, Location.Kind.OFFICE.label),
            (Location.Kind.STORAGE, Location.Kind.STORAGE.label),
        ],
    )

    class Meta:
        model = Location
        fields = ["kind", "name", "address"]


# Which fields each movement form shows.
MOVEMENT_FIELDS = {
    Movement.Kind.RECEIVED: ("variant", "to_location", "quantity", "unit_cost", "supplier", "expense", "reason"),
    Movement.Kind.ISSUED: ("variant", "from_location", "member", "quantity", "reason"),
    Movement.Kind.RETURNED: ("variant", "from_location", "to_location", "quantity", "reason"),
    Movement.Kind.TRANSFERRED: ("variant", "from_location", "to_location", "quantity", "reason"),
    Movement.Kind.GIVEN: ("variant", "from_location", "recipient", "quantity", "reason"),
    Movement.Kind.WRITTEN_OFF: ("variant", "from_location", "quantity", "reason"),
    Movement.Kind.ADJUSTED: ("variant", "direction", "location", "quantity", "reason"),
}
FORM_KINDS = tuple(MOVEMENT_FIELDS)


class MovementForm(forms.Form):
    variant = VariantChoiceField(Variant.objects.none(), label=_("item"))
    from_location = CodeChoiceField(Location.objects.none(), label=_("from"))
    to_location = CodeChoiceField(Location.objects.none(), label=_("to"))
    location = CodeChoiceField(Location.objects.none(), label=_("place"))
    direction = forms.ChoiceField(
        label=_("change"), choices=[("add", _("Add to the place")), ("remove", _("Take from the place"))]
    )
    member = MemberChoiceField(Membership.objects.none(), label=_("volunteer"))
    recipient = CodeChoiceField(Person.objects.none(), label=_("given to"), required=False)
    quantity = forms.IntegerField(label=_("quantity"))
    unit_cost = forms.DecimalField(label=_("unit cost"), required=False, max_digits=10, decimal_places=2)
    supplier = forms.CharField(label=_("supplier"), required=False, max_length=200)
    expense = CodeChoiceField(None, label=_("expense"), required=False)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("reason"), required=False, max_length=255)

    def __init__(self, *args: Any, campaign: Campaign, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from fundraising.models import Expense

        self.kind = kind
        wanted = MOVEMENT_FIELDS[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        live = Location.objects.filter(campaign=campaign, archived_at=None).order_by("kind", "name")
        base = live.exclude(kind=Location.Kind.BAG)
        querysets: dict[str, Any] = {
            "variant": Variant.objects.filter(campaign=campaign, deleted_at=None, item__deleted_at=None)
            .select_related("item")
            .order_by("item__kind", "item__name", "label"),
            "from_location": {
                Movement.Kind.ISSUED: base,
                Movement.Kind.RETURNED: live.filter(kind=Location.Kind.BAG),
            }.get(kind, live),
            "to_location": base if kind in (Movement.Kind.RECEIVED, Movement.Kind.RETURNED) else live,
            "location": live,
            "member": Membership.objects.filter(campaign=campaign).select_related("user").order_by("user__email"),
            "recipient": Person.objects.filter(campaign=campaign).order_by("family_name", "given_name"),
            "expense": Expense.objects.filter(campaign=campaign).order_by("-spent_on"),
        }
        for name, qs in querysets.items():
            if name in self.fields:
                self.fields[name].queryset = qs  # type: ignore[attr-defined]
        if kind in (Movement.Kind.ADJUSTED, Movement.Kind.WRITTEN_OFF):
            self.fields["reason"].required = True

    def movement_values(self) -> dict[str, Any]:
        """Keyword arguments for services.movement_record (the bag of `member` is looked up by the view)."""
        data = dict(self.cleaned_data)
        if self.kind == Movement.Kind.ADJUSTED:
            place = data.pop("location")
            data["from_location" if data.pop("direction") == "remove" else "to_location"] = place
        return data


class StockCountForm(forms.Form):
    location = CodeChoiceField(Location.objects.none(), label=_("place"))
    variant = VariantChoiceField(Variant.objects.none(), label=_("item"))
    counted = forms.IntegerField(label=_("counted"), help_text=_("What is physically there now."))
    reason = forms.CharField(label=_("reason"), max_length=200, initial=_("Monthly count"))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            campaign=campaign, archived_at=None
        ).order_by("kind", "name")
        # Deleted items stay choosable so a count for one gets the service's clear refusal, not "invalid choice".
        self.fields["variant"].queryset = (  # type: ignore[attr-defined]
            Variant.objects.filter(campaign=campaign).select_related("item").order_by("item__name", "label")
        )


class TshirtGiveForm(forms.Form):
    volunteer = forms.UUIDField(widget=forms.HiddenInput)
    variant = VariantChoiceField(Variant.objects.none(), label=_("T-shirt"))
    from_location = CodeChoiceField(Location.objects.none(), label=_("from"))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = Variant.objects.filter(  # type: ignore[attr-defined]
            campaign=campaign, item__kind=Item.Kind.TSHIRT, deleted_at=None, item__deleted_at=None
        ).select_related("item")
        self.fields["from_location"].queryset = Location.objects.filter(  # type: ignore[attr-defined]
            campaign=campaign, archived_at=None
        )


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("All")), *Movement.Kind.choices])
    variant = VariantChoiceField(Variant.objects.none(), label=_("item"), required=False)
    location = CodeChoiceField(Location.objects.none(), label=_("place"), required=False)
    start = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = Variant.objects.filter(campaign=campaign).select_related("item")  # type: ignore[attr-defined]
        self.fields["location"].queryset = Location.objects.filter(campaign=campaign)  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "variant": data.get("variant"),
            "location": data.get("location"),
            "start": data.get("start"),
            "end": data.get("end"),
        }
