"""Forms for the nominations pages. They parse; the services decide (and raise ValidationError)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Membership
from nominations.models import Drive, Signature
from nominations.services import DRIVE_FIELDS, MAX_SHEETS_PER_BATCH


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DriveForm(forms.ModelForm):
    class Meta:
        model = Drive
        fields = list(DRIVE_FIELDS)
        widgets = {"opens_on": DateInput(), "deadline": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields.pop("status")

    def _post_clean(self) -> None:
        # The service validates the model (and owns the campaign); the form only parses.
        pass


class SheetBatchForm(forms.Form):
    first = forms.IntegerField(label=_("First sheet number"), min_value=1, max_value=10_000_000)
    count = forms.IntegerField(label=_("How many sheets"), min_value=1, max_value=MAX_SHEETS_PER_BATCH, initial=20)


class CheckoutForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Volunteer"), queryset=Membership.objects.none(), to_field_name="code")

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = (  # type: ignore[attr-defined]
            Membership.objects.filter(campaign=campaign).select_related("user").order_by("user__display_name", "pk")
        )
        field.label_from_instance = lambda m: m.user.display_name or m.user.email  # type: ignore[attr-defined]


class ReturnForm(forms.Form):
    location = forms.CharField(label=_("Where collected"), max_length=200, required=False)
    collected_on = forms.DateField(label=_("When collected"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SignatureForm(forms.Form):
    """One line of a paper sheet, typed fast: Tab between fields, Enter saves."""

    # A new code for each empty form: the same form sent twice (Enter pressed twice) saves one line.
    code = forms.UUIDField(required=False, widget=forms.HiddenInput)
    line = forms.IntegerField(label=_("Line"), min_value=1, max_value=999, required=False)
    full_name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    household = forms.UUIDField(required=False, widget=forms.HiddenInput)
    id_fragment = forms.CharField(label=_("ID last digits"), max_length=20, required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False)
    signed_on = forms.DateField(label=_("Date signed"), widget=DateInput())


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("valid", _("Mark valid")), ("struck", _("Strike")), ("", _("Undo the review"))],
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class DoorSignatureForm(forms.Form):
    drive = forms.ModelChoiceField(label=_("Nomination"), queryset=Drive.objects.none(), to_field_name="code")
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    id_fragment = forms.CharField(label=_("ID last digits"), max_length=20, required=False)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False)
    signature_png = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.UUIDField(required=False, widget=forms.HiddenInput)  # the same form sent twice saves once

    def __init__(self, *args: Any, drives: list[Drive], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["drive"]
        field.queryset = Drive.objects.filter(pk__in=[d.pk for d in drives])  # type: ignore[attr-defined]
        self.only_drive = drives[0] if len(drives) == 1 else None
        if self.only_drive is not None:
            field.initial = self.only_drive.code
            field.widget = forms.HiddenInput()
            field.required = False

    def clean_drive(self) -> Drive | None:
        return self.cleaned_data.get("drive") or self.only_drive


SIGNATURE_STATUSES = Signature.Status.choices
