from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):  # type: ignore[no-untyped-def]
        """A new account keeps the display name and the language the person signed up in."""
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "")
        language = translation.get_language() or ""
        user.language = language if language in {"en", "zh-hans"} else ""
        if commit:
            user.save()
        return user
