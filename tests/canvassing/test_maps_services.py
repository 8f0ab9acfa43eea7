"""Map versions: the exact difference on a hand-built example, visits kept, turfs flagged, people told,
bad files refused with nothing written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from canvassing import selectors_maps, services_maps
from canvassing.models import Area, Assignment, Household, HouseholdArea, MapVersion, Turf, Visit
from notifications.models import Message
from notifications.rendering import render_message
from tests.canvassing.maps_helpers import feature_collection, household, square
from volunteers.models import Shift

pytestmark = pytest.mark.django_db

V1 = feature_collection(("A", "Alpha", square(0, 1)), ("B", "Beta", square(1, 2)))
# Version 2: A grows to take h4 and is renamed, B is gone, C takes h5.
V2 = feature_collection(("A", "Alpha North", square(0, 1.6)), ("C", "Gamma", square(1.6, 2)))


@pytest.fixture
def campaign(team_a, no_scope):
    return team_a.campaign


@pytest.fixture
def homes(campaign):
    return {
        "h1": household(campaign, "h1", 0.2, 0.5),
        "h2": household(campaign, "h2", 0.5, 0.5),
        "h3": household(campaign, "h3", 0.8, 0.5),
        "h4": household(campaign, "h4", 1.5, 0.5),
        "h5": household(campaign, "h5", 1.7, 0.5),
        "h6": household(campaign, "h6", None, None),  # no coordinates
        "h7": household(campaign, "h7", 5.0, 5.0),  # outside every area
    }


def upload(campaign, user, raw, **kwargs):
    kwargs.setdefault("source", MapVersion.Source.GEOJSON)
    kwargs.setdefault("name", "test map")
    return services_maps.map_version_upload(campaign=campaign, acting_user=user, raw=raw, **kwargs)


def area_of(h):
    h.refresh_from_db()
    return h.area.key if h.area_id else None


@pytest.fixture
def first_version(campaign, team_a, homes):
    version = upload(campaign, team_a.owner.user, V1)
    return services_maps.map_version_apply(version=version, acting_user=team_a.owner.user)


def test_first_version_places_everyone_without_moved_noise(campaign, team_a, homes, first_version):
    assert first_version.status == MapVersion.Status.CURRENT
    assert {name: area_of(h) for name, h in homes.items()} == {
        "h1": "A",
        "h2": "A",
        "h3": "A",
        "h4": "B",
        "h5": "B",
        "h6": None,
        "h7": None,
    }
    diff = first_version.diff
    assert diff["first"] is True
    assert diff["households"]["moved"] == 0 and diff["households"]["changed"] == 0
    assert diff["households"]["placed"] == 5 and diff["households"]["unplaced"] == 2
    assert [(a["key"], a["change"], a["after"], a["moved_in"]) for a in diff["areas"]] == [
        ("A", "new", 3, 0),
        ("B", "new", 2, 0),
    ]
    assert HouseholdArea.objects.filter(version=first_version).count() == 5


@pytest.fixture
def canvass(campaign, team_a, homes, first_version):
    """Turfs in A and B, the volunteer assigned to B's turf through a shift, and visits logged."""
    area_a, area_b = (Area.objects.get(version=first_version, key=k) for k in "AB")
    turf_a = Turf.objects.create(campaign=campaign, area=area_a, name="Alpha 1")
    turf_b = Turf.objects.create(campaign=campaign, area=area_b, name="Beta 1")
    Household.objects.filter(pk__in=[homes[k].pk for k in ("h1", "h2", "h3")]).update(turf=turf_a)
    Household.objects.filter(pk__in=[homes[k].pk for k in ("h4", "h5")]).update(turf=turf_b)
    starts = timezone.now() + dt.timedelta(days=2)
    shift = Shift.objects.create(
        campaign=campaign,
        title="Saturday canvass",
        location="MTR exit B",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        capacity=5,
    )
    Assignment.objects.create(campaign=campaign, turf=turf_b, membership=team_a.volunteer, shift=shift)
    for key, turf in (("h1", turf_a), ("h4", turf_b), ("h5", turf_b)):
        Visit.objects.create(
            campaign=campaign,
            household=homes[key],
            turf=turf,
            canvasser=team_a.volunteer,
            outcome=Visit.Outcome.CONTACTED,
            support_level=4,
            visited_at=timezone.now() - dt.timedelta(hours=1),
        )
    return {"turf_a": turf_a, "turf_b": turf_b, "shift": shift}


def visit_rows(campaign):
    return list(Visit.objects.filter(campaign=campaign).order_by("pk").values())


def test_second_version_preview_reports_the_exact_difference(campaign, team_a, homes, canvass):
    draft = upload(campaign, team_a.coordinator.user, V2)
    diff = draft.diff
    assert draft.status == MapVersion.Status.DRAFT
    assert diff["first"] is False and diff["base"]["number"] == 1
    assert diff["households"] == {
        "total": 7,
        "placed": 5,
        "unplaced": 2,
        "kept": 0,
        "without_coordinates": 1,
        "overlapping": 0,
        "moved": 2,
        "newly_placed": 0,
        "newly_unplaced": 0,
        "changed": 2,
    }
    assert diff["areas"] == [
        {"key": "A", "name": "Alpha North", "old_name": "Alpha", "change": "renamed", "before": 3, "after": 4,
         "moved_in": 1, "moved_out": 0, "to": {}},
        {"key": "B", "name": "Beta", "old_name": "Beta", "change": "removed", "before": 2, "after": 0,
         "moved_in": 0, "moved_out": 2, "to": {"A": 1, "C": 1}},
        {"key": "C", "name": "Gamma", "old_name": "", "change": "added", "before": 0, "after": 1,
         "moved_in": 1, "moved_out": 0, "to": {}},
    ]  # fmt: skip
    assert diff["added"] == ["C"] and diff["removed"] == ["B"]
    assert diff["renamed"] == [{"key": "A", "old": "Alpha", "new": "Alpha North"}]
    assert [(t["name"], t["area_removed"], t["leaving"], t["to"]) for t in diff["turfs"]] == [
        ("Beta 1", True, 2, {"A": 1, "C": 1})
    ]
    assert diff["assignments"] == 1 and diff["shifts"] == 1
    # The moved households, per area and direction, by address — before anything is applied.
    moved_in_a = selectors_maps.moved_households(version=draft, area_key="A", direction="in")
    assert [h.external_id for h in moved_in_a] == ["h4"]
    moved_out_b = selectors_maps.moved_households(version=draft, area_key="B", direction="out")
    assert sorted(h.external_id for h in moved_out_b) == ["h4", "h5"]
    assert sorted(h.external_id for h in selectors_maps.unplaced_households(version=draft)) == ["h6", "h7"]
    # A draft changes nothing yet.
    assert area_of(homes["h4"]) == "B"
    assert Turf.objects.get(pk=canvass["turf_b"].pk).needs_review is False


def test_applying_keeps_visits_moves_households_and_flags_turfs(campaign, team_a, homes, canvass):
    visits_before = visit_rows(campaign)
    assert len(visits_before) == 3
    draft = upload(campaign, team_a.coordinator.user, V2)
    applied = services_maps.map_version_apply(version=draft, acting_user=team_a.coordinator.user)

    assert visit_rows(campaign) == visits_before
    assert applied.status == MapVersion.Status.CURRENT
    assert MapVersion.objects.get(number=1, campaign=campaign).status == MapVersion.Status.SUPERSEDED
    assert {name: area_of(h) for name, h in homes.items()} == {
        "h1": "A",
        "h2": "A",
        "h3": "A",
        "h4": "A",
        "h5": "C",
        "h6": None,
        "h7": None,
    }
    assert all(
        h.area.version_id == applied.pk for h in Household.objects.filter(area__isnull=False).select_related("area")
    )
    turf_a, turf_b = (Turf.objects.get(pk=canvass[k].pk) for k in ("turf_a", "turf_b"))
    # Alpha's turf follows its area code into the new version; nothing left it, so no flag.
    assert turf_a.area.version_id == applied.pk and turf_a.area.key == "A"
    assert turf_a.needs_review is False
    assert turf_b.needs_review is True
    assert "area B is no longer on the map" in turf_b.review_reason
    assert "1 household moved to area A" in turf_b.review_reason
    # Households that left Beta's area left its (unlocked) turf; Alpha's stay.
    assert list(Household.objects.filter(turf=turf_b)) == []
    # … and each keeps a record of it, so a visit logged there offline before the new map still syncs.
    left_b = Household.objects.filter(previous_turf=turf_b)
    assert left_b.exists() and all(h.turf_id is None and h.turf_changed_at is not None for h in left_b)
    assert not Household.objects.filter(turf=turf_a, previous_turf__isnull=False).exists()
    assert sorted(Household.objects.filter(turf=turf_a).values_list("external_id", flat=True)) == ["h1", "h2", "h3"]
    # After applying, the moved lists compare with the superseded version.
    assert [h.external_id for h in selectors_maps.moved_households(version=applied, area_key="C", direction="in")] == [
        "h5"
    ]
    assert AuditEvent.objects.filter(action="canvassing.map_version.applied", object_code=str(applied.code)).exists()


def test_locked_turf_keeps_households_that_left_its_area(campaign, team_a, homes, canvass):
    Turf.objects.filter(pk=canvass["turf_b"].pk).update(locked=True)
    draft = upload(campaign, team_a.coordinator.user, V2)
    services_maps.map_version_apply(version=draft, acting_user=team_a.coordinator.user)
    turf_b = Turf.objects.get(pk=canvass["turf_b"].pk)
    assert sorted(Household.objects.filter(turf=turf_b).values_list("external_id", flat=True)) == ["h4", "h5"]
    assert turf_b.needs_review and "locked" in turf_b.review_reason


def test_applying_tells_coordinators_owner_and_assigned_volunteer_once(campaign, team_a, homes, canvass):
    draft = upload(campaign, team_a.coordinator.user, V2)
    services_maps.map_version_apply(version=draft, acting_user=team_a.coordinator.user)
    messages = Message.objects.filter(campaign=campaign, topic=f"map:{draft.code}")
    # The coordinator applied it and saw the preview: the owner and the assigned volunteer are told.
    assert sorted(m.to for m in messages) == sorted([team_a.owner.user.email, team_a.volunteer.user.email])
    to_volunteer = messages.get(to=team_a.volunteer.user.email)
    assert to_volunteer.template == services_maps.TURF_CHANGED
    rendered = render_message(to_volunteer)
    assert "Beta 1" in rendered.body and "v2" in rendered.subject
    owner_message = render_message(messages.get(to=team_a.owner.user.email))
    assert "Beta 1" in owner_message.body and "/canvassing/maps/" in owner_message.body
    # Dedupe: telling again for the same version adds nothing.
    services_maps._notify(version=MapVersion.objects.get(pk=draft.pk), acting_user=team_a.coordinator.user)
    assert messages.count() == 2


def test_message_in_recipients_language(campaign, team_a, homes, canvass):
    user = team_a.owner.user
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    draft = upload(campaign, team_a.coordinator.user, V2)
    services_maps.map_version_apply(version=draft, acting_user=team_a.coordinator.user)
    assert Message.objects.get(topic=f"map:{draft.code}", to=user.email).language == "zh-hans"


def test_households_without_coordinates_keep_their_area_when_its_code_remains(campaign, team_a, homes, first_version):
    HouseholdArea.objects.create(
        campaign=campaign, version=first_version, household=homes["h6"],
        area=Area.objects.get(version=first_version, key="A"), method="kept",
    )  # fmt: skip
    Household.objects.filter(pk=homes["h6"].pk).update(area=Area.objects.get(version=first_version, key="A"))
    draft = upload(campaign, team_a.owner.user, V2)
    assert draft.diff["households"]["kept"] == 1
    services_maps.map_version_apply(version=draft, acting_user=team_a.owner.user)
    assert area_of(homes["h6"]) == "A"


def test_household_file_version(campaign, team_a, homes, first_version):
    raw = b"household,area,area_name\nh1,A,Alpha\nh2,Z,Zeta\nh4,Z,Zeta\n"
    draft = upload(campaign, team_a.owner.user, raw, source=MapVersion.Source.HOUSEHOLD_FILE)
    keys = sorted(Area.objects.filter(version=draft).values_list("key", "name"))
    assert keys == [("A", "Alpha"), ("Z", "Zeta")]
    assert all(a.geometry is None for a in Area.objects.filter(version=draft))
    services_maps.map_version_apply(version=draft, acting_user=team_a.owner.user)
    # Listed households go where the file says; unlisted ones keep A, lose B (no longer on the map).
    assert {name: area_of(h) for name, h in homes.items()} == {
        "h1": "A",
        "h2": "Z",
        "h3": "A",
        "h4": "Z",
        "h5": None,
        "h6": None,
        "h7": None,
    }


def test_household_file_by_address(campaign, team_a, homes):
    raw = b"street,house_number,area\nmain street,h3,A\n MAIN  Street ,h4,B\n"
    draft = upload(campaign, team_a.owner.user, raw, source=MapVersion.Source.HOUSEHOLD_FILE)
    services_maps.map_version_apply(version=draft, acting_user=team_a.owner.user)
    assert (area_of(homes["h3"]), area_of(homes["h4"]), area_of(homes["h1"])) == ("A", "B", None)


def snapshot():
    with scopes_disabled():
        return (
            MapVersion.objects.count(),
            Area.objects.count(),
            HouseholdArea.objects.count(),
            AuditEvent.objects.count(),
            list(Household.objects.order_by("pk").values_list("area_id", "turf_id")),
        )


BAD_GEOJSON = {
    "not json": (b"{not json", "could not be read as JSON"),
    "not a collection": (b'{"type": "Feature", "geometry": null}', "FeatureCollection"),
    "no features": (b'{"type": "FeatureCollection", "features": []}', "no areas"),
    "point": (
        feature_collection(("A", "a", {"type": "Point", "coordinates": [0, 0]})),
        "Area A is not a polygon",
    ),
    "self-crossing": (
        feature_collection(("A", "a", {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})),
        "Area A is not a valid polygon",
    ),
    "duplicate keys": (
        feature_collection(("A", "a", square(0, 1)), ("A", "b", square(1, 2))),
        "Area code A appears twice",
    ),
    "missing key": (feature_collection(("", "a", square(0, 1))), 'has no "code" property'),
    "projected": (
        feature_collection(("A", "a", square(830000, 840000, 815000, 820000))),
        "longitude/latitude",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_GEOJSON))
def test_bad_geojson_is_refused_and_changes_nothing(case, campaign, team_a, homes, first_version):
    raw, words = BAD_GEOJSON[case]
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        upload(campaign, team_a.owner.user, raw)
    assert words in " ".join(caught.value.message_dict["file"])
    assert snapshot() == before


BAD_FILES = {
    "unknown household": (b"household,area\nh1,A\nnobody,B\n", "does not have (line 3)"),
    "nothing matches": (b"household,area\nx1,A\nx2,B\n", "No line of the file matches"),
    "no area column": (b"household,zone\nh1,A\n", "area code column"),
    "two areas": (b"household,area\nh1,A\nh1,B\n", "two different areas"),
    "not utf-8": ("household,area\nh1,Å\n".encode("utf-16"), "UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_household_file_is_refused_and_changes_nothing(case, campaign, team_a, homes, first_version):
    raw, words = BAD_FILES[case]
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        upload(campaign, team_a.owner.user, raw, source=MapVersion.Source.HOUSEHOLD_FILE)
    assert words in " ".join(caught.value.message_dict["file"])
    assert snapshot() == before


def test_configurable_property_names(campaign, team_a, homes):
    raw = feature_collection(("7", "Seven", square(0, 2)), key="DCCODE", name="ENAME")
    draft = upload(campaign, team_a.owner.user, raw, key_property="DCCODE", name_property="ENAME")
    assert list(Area.objects.filter(version=draft).values_list("key", "name")) == [("7", "Seven")]
    assert draft.diff["households"]["placed"] == 5


def test_apply_twice_is_refused(campaign, team_a, homes, first_version):
    with pytest.raises(ValidationError):
        services_maps.map_version_apply(version=first_version, acting_user=team_a.owner.user)


def test_households_added_after_upload_are_placed_on_apply(campaign, team_a, homes, first_version):
    draft = upload(campaign, team_a.owner.user, V2)
    late = household(campaign, "h8", 1.8, 0.2)
    applied = services_maps.map_version_apply(version=draft, acting_user=team_a.owner.user)
    assert area_of(late) == "C"
    assert applied.diff["households"]["total"] == 8


def test_discard_draft(campaign, team_a, homes, first_version):
    draft = upload(campaign, team_a.owner.user, V2)
    services_maps.map_version_discard(version=draft, acting_user=team_a.owner.user)
    assert not MapVersion.objects.filter(pk=draft.pk).exists()
    with pytest.raises(ValidationError):
        services_maps.map_version_discard(version=first_version, acting_user=team_a.owner.user)


def test_signatures_counted_and_rechecked(campaign, team_a, homes, canvass):
    """Nominations is written by another part: when its functions exist, the preview counts the
    signatures at moved households and the apply stores the re-check's result."""
    nomination_selectors = pytest.importorskip("nominations.selectors")
    nomination_services = pytest.importorskip("nominations.services")
    if not hasattr(nomination_selectors, "signatures_in_households") or not hasattr(
        nomination_services, "signatures_recheck"
    ):
        pytest.skip("nominations does not offer signatures_in_households / signatures_recheck yet")
    from nominations.models import Drive, Signature

    today = timezone.localdate()
    drive = Drive.objects.create(
        campaign=campaign, office="District Council", area_key="B", required=10,
        opens_on=today - dt.timedelta(days=5), deadline=today + dt.timedelta(days=30),
    )  # fmt: skip
    # Signed at h4 (B → A) and h5 (B → C): both fall out of the drive's area B; h1 does not move.
    signed = {
        key: nomination_services.signature_add(
            drive=drive,
            acting_user=team_a.coordinator.user,
            full_name=name,
            signed_on=today,
            household=Household.objects.get(pk=homes[key].pk),
        )
        for key, name in (("h4", "Chan Tai Man"), ("h5", "Wong Siu Ming"))
    }
    draft = upload(campaign, team_a.coordinator.user, V2)
    assert draft.diff["signatures"] == 2
    applied = services_maps.map_version_apply(version=draft, acting_user=team_a.coordinator.user)
    recheck = applied.diff["signatures_recheck"]
    assert recheck["changed"] == 2
    assert sorted(recheck["codes"]) == sorted(str(s.code) for s in signed.values())
    assert [s.full_name for s in selectors_maps.changed_signatures(applied)] == ["Chan Tai Man", "Wong Siu Ming"]
    assert all(s.status != Signature.Status.LIKELY_VALID for s in Signature.objects.filter(drive=drive))
