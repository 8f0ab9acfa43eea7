from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.models import ApiToken, Campaign, Person, Role, time_zone_choices
from campaign.services import PERSON_FIELDS


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "candidate_name",
            "office",
            "district",
            "election_date",
            "time_zone",
            "language",
            "currency",
            "description",
            "slogan",
        ]
        widgets = {
            "election_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "sms_quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "sms_quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }

    time_zone = forms.TypedChoiceField(label=_("Time zone"), choices=time_zone_choices, initial="Asia/Hong_Kong")

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"].lower()

    def validate_unique(self) -> None:
        """The service checks the slug inside its transaction and says so next to the field."""


class CampaignSettingsForm(CampaignForm):
    class Meta(CampaignForm.Meta):
        fields = [f for f in CampaignForm.Meta.fields if f != "slug"] + ["sms_quiet_start", "sms_quiet_end"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VOLUNTEER)

    def __init__(self, *args, acting_rank: int, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label) for value, label in Role.choices if Role(value).rank <= acting_rank
        ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
