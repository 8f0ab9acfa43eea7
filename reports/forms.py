from django import forms
from django.utils.translation import gettext_lazy as _

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


class ReportsSettingsForm(forms.Form):
    digest_hour = forms.TypedChoiceField(
        label=_("Send the daily digest at"),
        choices=HOURS,
        coerce=int,
        help_text=_("In the campaign's time zone. Coordinators and owners get yesterday's numbers then."),
    )


class PreferencesForm(forms.Form):
    leaderboard_opt_in = forms.BooleanField(label=_("Show me on the volunteers' leaderboard"), required=False)
    leaderboard_name = forms.CharField(
        label=_("Name on the leaderboard"),
        max_length=40,
        required=False,
        help_text=_("Only this name and your doors this month are shown. A nickname is fine."),
    )
    digest_enabled = forms.BooleanField(label=_("Email me the daily digest"), required=False)

    def __init__(self, *args, coordinator: bool, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if not coordinator:  # the digest goes to coordinators and owners only
            del self.fields["digest_enabled"]
