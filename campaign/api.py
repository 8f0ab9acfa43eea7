"""/api/v1/: the current user, their memberships, and a campaign's members, invitations and people."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_scopes import scopes_disabled
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from campaign import selectors, services
from campaign.emails import send_invitation_email
from campaign.models import ApiToken, Campaign, Invitation, Membership, Person, Role


def _as_drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        )
    return exceptions.ValidationError({"detail": exc.messages})


class UserSerializer(serializers.Serializer):
    code = serializers.UUIDField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    language = serializers.CharField()


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["code", "slug", *services.CAMPAIGN_EDITABLE_FIELDS]
        read_only_fields = fields


class MyMembershipSerializer(serializers.ModelSerializer):
    campaign = CampaignSerializer()

    class Meta:
        model = Membership
        fields = ["code", "role", "created_at", "campaign"]


class MemberSerializer(serializers.ModelSerializer):
    user = UserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["code", "role", "created_at", "user"]
        read_only_fields = ["code", "created_at", "user"]


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = ["code", "email", "role", "created_at", "expires_at", "accepted_at", "revoked_at", "status"]
        read_only_fields = ["code", "created_at", "expires_at", "accepted_at", "revoked_at", "status"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["code", *services.PERSON_FIELDS, "consent_recorded_at", "created_at"]
        read_only_fields = ["code", "consent_recorded_at", "created_at"]


class CampaignAPIMixin:
    """Every /api/v1/c/<slug>/ view: the caller must be a member of that campaign.

    A token counts only for its own campaign. Not a member: 404. Role too low: 403.
    """

    read_role = Role.VOLUNTEER
    write_role = Role.OWNER
    request: Request

    def initial(self, request: Request, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        campaign = request._request.campaign  # type: ignore[attr-defined]
        if isinstance(request.auth, ApiToken):
            membership = request.auth.membership
            if membership.campaign_id != campaign.pk:
                raise Http404
        else:
            membership = request._request.membership  # type: ignore[attr-defined]
            if membership is None:
                raise Http404
        self.campaign, self.membership = campaign, membership
        needed = self.read_role if request.method in ("GET", "HEAD", "OPTIONS") else self.write_role
        if not membership.has_role(needed):
            raise exceptions.PermissionDenied


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)


class MyMembershipList(generics.ListAPIView):
    """The caller's memberships. With a token: only the membership the token belongs to."""

    serializer_class = MyMembershipSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        with scopes_disabled():  # the caller's own memberships span campaigns
            memberships = Membership.objects.filter(user=self.request.user).select_related("campaign")
            if isinstance(self.request.auth, ApiToken):
                memberships = memberships.filter(pk=self.request.auth.membership_id)
            return memberships.order_by("campaign__name", "pk")

    def list(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        with scopes_disabled():
            return super().list(request, *args, **kwargs)


class CampaignDetail(CampaignAPIMixin, generics.GenericAPIView):
    serializer_class = CampaignSerializer

    def get(self, request: Request, campaign_slug: str) -> Response:
        return Response(CampaignSerializer(self.campaign).data)


class MemberList(CampaignAPIMixin, generics.ListAPIView):
    read_role = Role.COORDINATOR
    serializer_class = MemberSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.campaign_members(self.campaign).order_by("user__email", "pk")


class MemberDetail(CampaignAPIMixin, generics.GenericAPIView):
    read_role = Role.COORDINATOR
    serializer_class = MemberSerializer

    def get_object(self) -> Membership:
        return get_object_or_404(
            Membership.objects.select_related("user"), campaign=self.campaign, code=self.kwargs["code"]
        )

    def get(self, request: Request, campaign_slug: str, code: str) -> Response:
        return Response(MemberSerializer(self.get_object()).data)

    def patch(self, request: Request, campaign_slug: str, code: str) -> Response:
        membership = self.get_object()
        role = request.data.get("role") if isinstance(request.data, dict) else None
        if role not in Role.values:
            raise exceptions.ValidationError({"role": [f"Choose one of {', '.join(Role.values)}."]})
        try:
            membership = services.membership_change_role(membership=membership, role=Role(role), acting=self.membership)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(MemberSerializer(membership).data)

    def delete(self, request: Request, campaign_slug: str, code: str) -> Response:
        try:
            services.membership_end(membership=self.get_object(), acting=self.membership)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationList(CampaignAPIMixin, generics.ListCreateAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    serializer_class = InvitationSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.campaign_open_invitations(self.campaign)

    def create(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            invitation, token = services.invitation_create(
                campaign=self.campaign,
                email=serializer.validated_data["email"],
                role=Role(serializer.validated_data["role"]),
                acting=self.membership,
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        accept_url = request.build_absolute_uri(reverse("invitation_accept", kwargs={"token": token}))
        transaction.on_commit(lambda: send_invitation_email(invitation=invitation, accept_url=accept_url))
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetail(CampaignAPIMixin, generics.GenericAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    serializer_class = InvitationSerializer

    def get_object(self) -> Invitation:
        return get_object_or_404(Invitation, campaign=self.campaign, code=self.kwargs["code"])

    def get(self, request: Request, campaign_slug: str, code: str) -> Response:
        return Response(InvitationSerializer(self.get_object()).data)

    def delete(self, request: Request, campaign_slug: str, code: str) -> Response:
        try:
            services.invitation_revoke(invitation=self.get_object(), acting=self.membership)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonList(CampaignAPIMixin, generics.ListCreateAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    serializer_class = PersonSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Person.objects.filter(campaign=self.campaign).order_by("family_name", "given_name", "pk")

    def perform_create(self, serializer: PersonSerializer) -> None:
        try:
            serializer.instance = services.person_save(
                campaign=self.campaign,
                acting_user=self.request.user,
                consent_wording="API",
                **serializer.validated_data,
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc


class PersonDetail(CampaignAPIMixin, generics.RetrieveUpdateAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR
    serializer_class = PersonSerializer
    lookup_field = "code"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Person.objects.filter(campaign=self.campaign)

    def perform_update(self, serializer: PersonSerializer) -> None:
        try:
            serializer.instance = services.person_save(
                campaign=self.campaign,
                acting_user=self.request.user,
                person=serializer.instance,
                consent_wording="API",
                **serializer.validated_data,
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
