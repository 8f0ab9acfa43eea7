"""Writes of consequence in the campaign app: one transaction each, audited inside."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from accounts.models import User
from campaign.audit import log_action
from campaign.models import ApiToken, Campaign, Invitation, Membership, Person, Role, hash_secret


@transaction.atomic
def campaign_create(
    *,
    owner: User,
    name: str,
    slug: str,
    candidate_name: str,
    office: str,
    election_date: date,
    district: str = "",
    time_zone: str = "Asia/Hong_Kong",
    language: str = "en",
    currency: str = "HKD",
    description: str = "",
    slogan: str = "",
) -> Campaign:
    with scopes_disabled():
        if Campaign.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("That short name is taken. Choose another.")})
    if election_date < timezone.localdate():
        raise ValidationError({"election_date": _("The election date is in the past.")})
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                name=name,
                slug=slug,
                candidate_name=candidate_name,
                office=office,
                district=district,
                election_date=election_date,
                time_zone=time_zone,
                language=language,
                currency=currency,
                description=description,
                slogan=slogan,
            )
    except IntegrityError as exc:  # two people racing for the same slug
        raise ValidationError({"slug": _("That short name is taken. Choose another.")}) from exc
    with scope(campaign=campaign.pk):
        Membership.objects.create(campaign=campaign, user=owner, role=Role.OWNER)
        log_action(campaign=campaign, actor=owner, action="campaign.created", target=campaign)
    return campaign


CAMPAIGN_EDITABLE_FIELDS = (
    "name",
    "candidate_name",
    "office",
    "district",
    "election_date",
    "time_zone",
    "language",
    "currency",
    "description",
    "slogan",
    "sms_quiet_start",
    "sms_quiet_end",
)


@transaction.atomic
def campaign_update(*, campaign: Campaign, acting_user: User, **changes: object) -> Campaign:
    unknown = set(changes) - set(CAMPAIGN_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    changed = [field for field, value in changes.items() if getattr(campaign, field) != value]
    for field in changed:
        setattr(campaign, field, changes[field])
    if changed:
        campaign.save(update_fields=changed)
        log_action(
            campaign=campaign, actor=acting_user, action="campaign.updated", target=campaign, data={"fields": changed}
        )
    return campaign


def _owner_count(campaign: Campaign) -> int:
    return Membership.objects.filter(campaign=campaign, role=Role.OWNER).count()


@transaction.atomic
def membership_change_role(*, membership: Membership, role: Role, acting: Membership) -> Membership:
    """Owners change roles. Nobody raises their own; the last owner stays an owner."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.pk == acting.pk and Role(role).rank > membership.rank:
        raise PermissionDenied(_("Nobody can raise their own role."))
    if not acting.has_role(Role.OWNER) or Role(role).rank > acting.rank:
        raise PermissionDenied(_("Only an owner can change roles."))
    if membership.role == Role.OWNER and role != Role.OWNER:
        # Lock the owners so two demotions at once cannot both pass the count.
        owners = list(Membership.objects.select_for_update().filter(campaign=membership.campaign, role=Role.OWNER))
        if len(owners) <= 1:
            raise ValidationError(_("A campaign needs at least one owner. Make someone else an owner first."))
    if membership.role == role:
        return membership
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    log_action(
        campaign=membership.campaign,
        actor=acting.user,
        action="membership.role_changed",
        target=membership,
        data={"from": previous, "to": str(role), "user": str(membership.user.code)},
    )
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, acting: Membership) -> None:
    """An owner removes a member, or a member leaves. The last owner cannot go."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.pk != acting.pk and not acting.has_role(Role.OWNER):
        raise PermissionDenied(_("Only an owner can remove other members."))
    if membership.role == Role.OWNER:
        owners = list(Membership.objects.select_for_update().filter(campaign=membership.campaign, role=Role.OWNER))
        if len(owners) <= 1:
            raise ValidationError(_("The last owner cannot leave. Make someone else an owner first."))
    log_action(
        campaign=membership.campaign,
        actor=acting.user,
        action="membership.left" if membership.pk == acting.pk else "membership.removed",
        target=membership,
        data={"user": str(membership.user.code), "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def invitation_create(*, campaign: Campaign, email: str, role: Role, acting: Membership) -> tuple[Invitation, str]:
    """Returns the invitation and its one-time token; only the token's hash is stored."""
    email = email.strip().lower()
    if Role(role).rank > acting.rank or not acting.has_role(Role.COORDINATOR):
        raise PermissionDenied(_("You cannot invite someone to a role above your own."))
    if Membership.objects.filter(campaign=campaign, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of the campaign.")})
    if Invitation.objects.filter(
        campaign=campaign, email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).exists():
        raise ValidationError(
            {"email": _("An invitation to this address is already open. Withdraw it to send a new one.")}
        )
    # An expired invitation that was never used makes way for the new one.
    Invitation.objects.filter(campaign=campaign, email__iexact=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        campaign=campaign,
        email=email,
        role=role,
        token_hash=hash_secret(token),
        invited_by=acting.user,
        expires_at=timezone.now() + Invitation.LIFETIME,
    )
    log_action(
        campaign=campaign, actor=acting.user, action="invitation.created", target=invitation, data={"role": str(role)}
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, acting: Membership) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation is no longer open."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log_action(campaign=invitation.campaign, actor=acting.user, action="invitation.revoked", target=invitation)
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link points at, in any campaign: the token is the proof of access."""
    with scopes_disabled():
        return Invitation.objects.select_related("campaign").filter(token_hash=hash_secret(token)).first()


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("campaign")
            .filter(token_hash=hash_secret(token))
            .first()
        )
        if invitation is None:
            raise ValidationError(_("This invitation link is not valid."))
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used."))
        if invitation.revoked_at is not None:
            raise ValidationError(_("This invitation was withdrawn."))
        if invitation.is_expired():
            raise ValidationError(_("This invitation has expired. Ask for a new one."))
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    campaign = invitation.campaign
    with scope(campaign=campaign.pk):
        if Membership.objects.filter(campaign=campaign, user=user).exists():
            raise ValidationError(_("You are already a member of this campaign."))
        membership = Membership.objects.create(campaign=campaign, user=user, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log_action(
            campaign=campaign,
            actor=user,
            action="invitation.accepted",
            target=invitation,
            data={"role": invitation.role},
        )
    return membership


@transaction.atomic
def api_token_create(*, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its key; the key is shown once and only its hash is kept."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        campaign=membership.campaign,
        membership=membership,
        name=name.strip(),
        key_hash=hash_secret(key),
        key_hint=key[:8],
    )
    log_action(campaign=membership.campaign, actor=membership.user, action="api_token.created", target=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting: Membership) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(campaign=token.campaign, actor=acting.user, action="api_token.revoked", target=token)
    return token


PERSON_FIELDS = (
    "given_name",
    "family_name",
    "email",
    "phone",
    "address_line",
    "neighbourhood",
    "postcode",
    "language",
    "consent_email",
    "consent_sms",
)


@transaction.atomic
def person_save(
    *, campaign: Campaign, acting_user: User, person: Person | None = None, consent_wording: str = "", **values: object
) -> Person:
    """Create or update a contact. Consent changes are stamped with the time and wording shown."""
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    creating = person is None
    person = person or Person(campaign=campaign)
    consent_before = (person.consent_email, person.consent_sms)
    for field, value in values.items():
        setattr(person, field, value)
    if (person.consent_email, person.consent_sms) != consent_before or (creating and any(consent_before)):
        person.consent_recorded_at = timezone.now()
        person.consent_wording = consent_wording
    person.full_clean(exclude=["campaign", "user", "tags"])
    person.save()
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="person.created" if creating else "person.updated",
        target=person,
        data={"fields": sorted(values)},
    )
    return person
