"""Door-to-door canvassing: households, versioned district maps (areas), turfs, assignments, visits
and the campaign's survey and script.

A household belongs to at most one area of the current map version (`Household.area`, kept in step
with `HouseholdArea` rows of that version) and to at most one turf (`Household.turf`); turfs are cut
inside one area. Visits are never deleted or moved when the map changes: they point at the household,
and remember the turf they were logged in.
"""

import re
import unicodedata
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Household(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DO_NOT_CONTACT = "do_not_contact", _("Do not contact")
        MOVED = "moved", _("Moved away")

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        MANUAL = "manual", _("Added by a coordinator")
        DOOR = "door", _("Found at the door")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The FKs campaign, area and added_by have no single-column index: the composite indexes below lead with
    # campaign (and campaign, area), added_by is only followed when a user is deleted, and every index more is
    # written again for each household a turf cut moves (200,000 at once; canvassing.services_turfs).
    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="households", db_index=False
    )
    # A stable id from the campaign's own file; when empty, address_key identifies the household on re-import.
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    address_key = models.CharField(max_length=400, editable=False)
    district = models.CharField(_("district"), max_length=100, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    # The leading digits of house_number, for walking order; parity 0 = even side, 1 = odd side.
    house_number_value = models.PositiveIntegerField(null=True, blank=True, editable=False)
    parity = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    building = models.CharField(_("building"), max_length=200, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    unit = models.CharField(_("unit / door"), max_length=50, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.IMPORT)
    needs_review = models.BooleanField(_("needs review"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    area = models.ForeignKey(
        "canvassing.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        db_index=False,
    )
    # Indexed by household_turf below (db_index=False only keeps Django from adding a second, unnamed one).
    turf = models.ForeignKey(
        "canvassing.Turf",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        db_index=False,
    )
    # The last turf the household left and when (every service that changes `turf` keeps these): a visit
    # logged offline in that turf before the door was re-cut, moved or mapped out of it still syncs, and
    # no other door does (canvassing.services_visits). Read only with the household itself; the partial index
    # household_previous_turf below is for deleting turfs.
    previous_turf = models.ForeignKey(
        "canvassing.Turf", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    turf_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The latest visit, kept by the visit service so maps, walk lists and progress need no subquery.
    last_outcome = models.CharField(max_length=20, blank=True)
    last_support = models.PositiveSmallIntegerField(null=True, blank=True)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "address_key"], name="household_address_key"),
            models.UniqueConstraint(
                fields=["campaign", "external_id"], condition=~Q(external_id=""), name="household_external_id"
            ),
        ]
        # A turf cut rewrites every household row it moves (200,000 at once; canvassing.services_turfs): a new
        # turf_id is a new row version with an entry in every index but the partial ones it is outside of. So no
        # index here holds more than its queries need.
        indexes = [
            # A turf's doors: walk lists, counts and progress by turf, and deleting a turf. Turf alone, not the
            # walking order: PostgreSQL sorts a walk list (a few hundred rows) as fast as it reads one in index
            # order, and eight columns cost a turf cut a tenth of its household writing. Doors in no turf (all of them,
            # before the first cut) have no entry: no query looks for them by index.
            models.Index(fields=["turf"], condition=Q(turf__isnull=False), name="household_turf"),
            models.Index(fields=["campaign", "area"], name="household_area"),
            # Lists filtered to do-not-contact or moved doors. Active doors (nearly all) have no entry: a filter
            # on them reads most of the campaign anyway.
            models.Index(fields=["campaign", "status"], condition=~Q(status="active"), name="household_inactive"),
            # Deleting a turf (a re-cut replaces thousands) clears it from the doors that left it; without an
            # index that is a scan of the whole table for each turf. Most doors never left one.
            models.Index(
                fields=["previous_turf"], condition=Q(previous_turf__isnull=False), name="household_previous_turf"
            ),
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        door = " ".join(part for part in (self.building, self.floor and f"{self.floor}/F", self.unit) if part)
        street = " ".join(part for part in (self.house_number, self.street) if part)
        return ", ".join(part for part in (door, street, self.district) if part)

    @property
    def in_walk_lists(self) -> bool:
        return self.status == self.Status.ACTIVE

    def refresh_address_fields(self) -> None:
        """Every write of a household's address calls this, so the key and walking order never drift."""
        derived = address_derived(
            district=self.district,
            street=self.street,
            house_number=self.house_number,
            building=self.building,
            floor=self.floor,
            unit=self.unit,
            postcode=self.postcode,
        )
        self.address_key, self.house_number_value, self.parity = derived


class Resident(models.Model):
    """A person known to live in a household (from the household file or added at the door)."""

    class AgeBand(models.TextChoices):
        UNDER_18 = "u18", _("under 18")
        AGE_18_29 = "18-29", "18–29"
        AGE_30_44 = "30-44", "30–44"
        AGE_45_64 = "45-64", "45–64"
        AGE_65_PLUS = "65+", _("65 and over")

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residents")
    person = models.ForeignKey("campaign.Person", on_delete=models.CASCADE, related_name="residences")
    age_band = models.CharField(_("age band"), max_length=6, choices=AgeBand.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The name as compared on re-import (see name_key()): the same name in the same household is the same resident.
    name_key = models.CharField(max_length=200, blank=True, editable=False)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [models.UniqueConstraint(fields=["household", "person"], name="resident_unique")]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.household_id}"


class MapVersion(models.Model):
    """One version of the campaign's district map. Exactly one is current once any is applied."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (not applied)")
        CURRENT = "current", _("Current")
        SUPERSEDED = "superseded", _("Superseded")

    class Source(models.TextChoices):
        GEOJSON = "geojson", _("GeoJSON polygons")
        HOUSEHOLD_FILE = "households", _("Household-to-area file")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="map_versions")
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # The difference from the current version, computed before applying (moved in/out, areas added/removed, affected).
    diff = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    # The version this one was compared with (the current one when the diff was last computed).
    base = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("map version")
        verbose_name_plural = _("map versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="mapversion_number"),
            models.UniqueConstraint(fields=["campaign"], condition=Q(status="current"), name="mapversion_one_current"),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.name}"


class Area(models.Model):
    """A voting district or precinct in one map version."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="areas")
    version = models.ForeignKey(MapVersion, on_delete=models.CASCADE, related_name="areas")
    key = models.CharField(_("area code"), max_length=50, help_text=_("The code the election authority uses."))
    name = models.CharField(_("name"), max_length=200)
    geometry = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="area_key_per_version")]

    def __str__(self) -> str:
        return f"{self.key} {self.name}".strip()


class HouseholdArea(models.Model):
    """Which area a household falls in under one map version: the record a re-version is compared with."""

    class Method(models.TextChoices):
        POINT = "point", _("Inside the polygon")
        FILE = "file", _("Listed in the file")
        KEPT = "kept", _("Kept from the previous version")

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(MapVersion, on_delete=models.CASCADE, related_name="placements")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="placements")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="placements")
    method = models.CharField(max_length=5, choices=Method.choices, default=Method.POINT)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "household"], name="householdarea_unique")]
        indexes = [models.Index(fields=["version", "area"], name="householdarea_area")]

    def __str__(self) -> str:
        return f"{self.household_id}→{self.area_id}"


class CanvassingSettings(models.Model):
    """A campaign's canvassing options that need a place of their own (one row per campaign)."""

    campaign = models.OneToOneField("campaign.Campaign", on_delete=models.CASCADE, related_name="canvassing_settings")
    # Maps draw on a blank canvas unless the campaign names a tile server it trusts (its own, usually).
    map_tile_url = models.CharField(
        _("map tile server"),
        max_length=300,
        blank=True,
        help_text=_(
            "Leave empty to draw areas on a blank background. Otherwise an https address with {z}, {x} and {y}, "
            "e.g. https://tiles.example.org/{z}/{x}/{y}.png: every map page then loads tiles from that server."
        ),
    )
    map_tile_attribution = models.CharField(_("tile credit"), max_length=200, blank=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("canvassing settings")
        verbose_name_plural = _("canvassing settings")

    def __str__(self) -> str:
        return f"canvassing settings {self.campaign_id}"


class Turf(models.Model):
    class Mode(models.TextChoices):
        CANVASS = "canvass", _("Canvassing")
        LEAFLET = "leaflet", _("Leaflets only")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="turfs")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="turfs")
    name = models.CharField(_("name"), max_length=200)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.CANVASS)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("A locked turf keeps its households when turfs are cut again.")
    )
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reason = models.CharField(_("why it needs review"), max_length=300, blank=True)
    # Leaflet-only runs: the edition (an inventory variant) this run hands out.
    leaflet_variant = models.ForeignKey(
        "inventory.Variant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("turf")
        verbose_name_plural = _("turfs")
        ordering = ["name"]
        # The turf page's neighbours in name order (selectors_turfs.near_sibling_turfs).
        indexes = [models.Index(fields=["area", "name"], name="turf_area_name")]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A turf handed to a member (a volunteer's account), optionally through a canvassing shift."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="assignments")
    turf = models.ForeignKey(Turf, on_delete=models.CASCADE, related_name="assignments")
    membership = models.ForeignKey("campaign.Membership", on_delete=models.CASCADE, related_name="assignments")
    shift = models.ForeignKey(
        "volunteers.Shift", on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments"
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When it stopped being active (done or withdrawn): visits a phone logged before then still sync.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["turf", "membership"], condition=Q(status="active"), name="assignment_one_active"
            )
        ]
        indexes = [models.Index(fields=["campaign", "membership", "status"], name="assignment_member")]

    def __str__(self) -> str:
        return f"{self.turf_id}→{self.membership_id}"


class SurveyQuestion(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no")
        SCALE = "scale", _("1 to 5")
        CHOICE = "choice", _("One of several choices")
        TEXT = "text", _("Free text")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="survey_questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # {"en": "...", "zh-hans": "..."}: the campaign writes each language; the volunteer sees theirs.
    prompt = models.JSONField(_("question"), default=dict)
    # For CHOICE: [{"value": "transport", "label": {"en": "...", "zh-hans": "..."}}, ...]
    choices = models.JSONField(_("choices"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return next(iter(self.prompt.values()), "") if self.prompt else str(self.code)


class Script(models.Model):
    """The campaign's talking points at the door, one per language."""

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="scripts")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    body = models.TextField(_("talking points"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        constraints = [models.UniqueConstraint(fields=["campaign", "language"], name="script_language")]

    def __str__(self) -> str:
        return self.language


class Visit(models.Model):
    """One knock on one door. `code` is generated by the phone, so a retried sync is recognised."""

    class Outcome(models.TextChoices):
        CONTACTED = "contacted", _("Contacted")
        NOT_HOME = "not_home", _("Not home")
        REFUSED = "refused", _("Refused")
        MOVED = "moved", _("Moved")
        INACCESSIBLE = "inaccessible", _("Inaccessible")
        COME_BACK = "come_back", _("Come back later")
        DO_NOT_CONTACT = "do_not_contact", _("Do not contact again")
        LEAFLET_LEFT = "leaflet_left", _("Leaflet left")
        NO_ACCESS = "no_access", _("No access for leaflets")

    class Flag(models.TextChoices):
        TOO_FAST = "too_fast", _("Logged less than 30 seconds after the previous visit")
        FAR_AWAY = "far_away", _("Logged far from the household")

    code = models.UUIDField(default=uuid.uuid4, unique=True)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="visits")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="visits")
    turf = models.ForeignKey(Turf, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    assignment = models.ForeignKey(Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    canvasser = models.ForeignKey(
        "campaign.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    support_level = models.PositiveSmallIntegerField(
        _("support (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    leaflets_left = models.PositiveSmallIntegerField(_("leaflets left"), default=0)
    leaflet_variant = models.ForeignKey(
        "inventory.Variant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {question code: answer}, checked against the question's kind by the service.
    answers = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    visited_at = models.DateTimeField(_("visited at"))  # the phone's clock, checked to be plausible
    recorded_at = models.DateTimeField(default=timezone.now)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    needs_review = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Set when a coordinator discards the visit on review (canvassing.services_review.visit_review): the row
    # stays for the record, but progress and the household's last_* no longer count it.
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(support_level__isnull=True) | Q(support_level__gte=1, support_level__lte=5),
                name="visit_support_1_5",
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "visited_at"], name="visit_day"),
            models.Index(fields=["turf", "visited_at"], name="visit_turf"),
            models.Index(fields=["canvasser", "visited_at"], name="visit_canvasser"),
            models.Index(fields=["household", "visited_at"], name="visit_household"),
            models.Index(fields=["campaign"], condition=Q(needs_review=True), name="visit_needs_review"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.outcome}"


# Household addresses -----------------------------------------------------------------------------
# One normalisation for every write (import, hand edit, the door form), so re-imports find the same row.

_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
_LEADING_DIGITS = re.compile(r"^\D*?(\d+)")
ADDRESS_KEY_PARTS = ("district", "street", "house_number", "building", "floor", "unit", "postcode")


def normalise_text(value: str) -> str:
    """Width, case, punctuation and runs of spaces do not matter: “Ｂｌｏｃｋ  A.” == “block a”."""
    text = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def name_key(name: str) -> str:
    return normalise_text(name)[:200]


def address_key(**parts: str) -> str:
    return "|".join(normalise_text(parts.get(name, "")) for name in ADDRESS_KEY_PARTS)[:400]


def house_number_value(house_number: str) -> int | None:
    """The leading number of “12A” or “No. 7”; None when there is none (or it is absurdly long)."""
    match = _LEADING_DIGITS.match(unicodedata.normalize("NFKC", house_number or ""))
    if not match or len(match.group(1)) > 9:
        return None
    return int(match.group(1))


def address_derived(**parts: str) -> tuple[str, int | None, int | None]:
    """(address_key, house_number_value, parity) of an address."""
    value = house_number_value(parts.get("house_number", ""))
    return address_key(**parts), value, (None if value is None else value % 2)


class ImportBatch(models.Model):
    """One household file on its way in: uploaded, mapped, validated (errors listed), applied.

    The file lives privately under var/ (never under a served URL) until it is applied or discarded.
    Validation writes the checked rows to a staging file next to it, which the apply loads as it is,
    so the apply writes exactly what the validation showed.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: check the columns")
        VALIDATING = "validating", _("Checking the rows")
        INVALID = "invalid", _("Has errors")
        VALID = "valid", _("Checked: ready to import")
        APPLYING = "applying", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="import_batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    size = models.BigIntegerField(default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # {column index (as text): field name}; columns not in it are ignored.
    mapping = models.JSONField(default=dict, blank=True)
    sample = models.JSONField(default=list, blank=True)  # the first rows, for the mapping preview
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    household_rows = models.PositiveIntegerField(default=0)
    resident_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors: [{"row": n, "column": name, "message": text}]; error_count counts them all.
    errors = models.JSONField(default=list, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    residents_created = models.PositiveIntegerField(default=0)
    residents_updated = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    job = models.ForeignKey("campaign.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    validated_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("household import")
        verbose_name_plural = _("household imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def can_map(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.INVALID, self.Status.VALID, self.Status.FAILED)

    @property
    def can_apply(self) -> bool:
        return self.status == self.Status.VALID and self.error_count == 0

    @property
    def busy(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.APPLYING)
