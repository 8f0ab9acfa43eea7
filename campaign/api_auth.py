"""Personal API tokens: `Authorization: Bearer gsw_…`, each bound to one membership."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from campaign.models import ApiToken, hash_secret


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request: Request):  # type: ignore[no-untyped-def]
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        key = header[1].decode(errors="replace")
        # Tokens are looked up before any campaign is known: the token decides the campaign.
        with scopes_disabled():
            token = (
                ApiToken.objects.select_related("membership__user", "membership__campaign")
                .filter(key_hash=hash_secret(key), revoked_at=None)
                .first()
            )
            if token is None or not token.membership.user.is_active:
                raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
            now = timezone.now()
            if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.membership.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token in the OpenAPI schema, so Swagger UI offers an Authorize button."""

    target_class = "campaign.api_auth.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {"type": "http", "scheme": "bearer", "description": "A personal API token (gsw_…)."}
