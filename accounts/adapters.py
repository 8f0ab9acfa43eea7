from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):  # type: ignore[no-untyped-def]
        """A new account keeps the display name, and the language only if the person chose one.

        Without a choice the account follows each campaign's language.
        """
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "")
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        user.language = chosen if chosen in dict(settings.LANGUAGES) else ""
        if commit:
            user.save()
        return user
