"""Validation on a hand-built area: duplicates, out-of-area, incomplete signatures, and bad input."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from canvassing.models import Household
from nominations import services, validation
from nominations.models import Risk, Sheet, Signature
from tests.nominations.conftest import make_district

pytestmark = pytest.mark.django_db


def add(team, drive, **values):
    values.setdefault("signed_on", timezone.localdate(timezone=team.campaign.tzinfo) - dt.timedelta(days=1))
    return services.signature_add(drive=drive, acting_user=team.coordinator.user, **values)


def test_name_key_and_similarity():
    assert validation.name_key("Chan Tai-man ") == validation.name_key("chan  taiman") == "chantaiman"
    assert validation.name_key("陳 大文") == "陳大文"
    assert validation.name_key("ＣＨＡＮ") == "chan"  # full-width letters, NFKC
    assert validation.names_similar("johnsmith", "jonsmith")
    assert not validation.names_similar("marywong", "peterwong")
    assert validation.names_similar("陈大文", "陈大文")
    assert not validation.names_similar("陈大文", "陈小文")  # a brother, not a typo


def test_clean_signature_is_likely_valid(team_a, district):
    with scopes_disabled():
        s = add(team_a, district.drive, full_name="Chan Tai Man", household=district.inside[0])
    assert s.status == Signature.Status.LIKELY_VALID and s.risks == []


def test_duplicates_out_of_area_and_incomplete(team_a):
    district = make_district(team_a, require_id_fragment=True, min_age=18)
    drive, home = district.drive, district.inside[0]
    with scopes_disabled():
        first = add(team_a, drive, full_name="Chan Tai-man", household=home, id_fragment="123(4)", birth_year=1980)
        # Same person, written a little differently, same household: a duplicate of the first.
        again = add(team_a, drive, full_name="CHAN Taiman", household=home, id_fragment="1234", birth_year=1980)
        # Another person at the same household is not a duplicate.
        sister = add(team_a, drive, full_name="Chan Mei Ling", household=home, id_fragment="5678", birth_year=1985)
        # Same name and same ID digits at another address: the same person moved.
        moved = add(
            team_a, drive, full_name="Chan Tai Man", household=district.inside[1], id_fragment="123(4)", birth_year=1980
        )
        # Same name, other ID digits, other address: a namesake, not a duplicate.
        namesake = add(
            team_a, drive, full_name="Chan Tai Man", household=district.inside[2], id_fragment="9999", birth_year=1970
        )
        away = add(
            team_a, drive, full_name="Lee Siu Ming", household=district.outside, id_fragment="1111", birth_year=1960
        )
        bare = add(team_a, drive, full_name="Wong Ka Yan", address_text="")
        young = add(
            team_a,
            drive,
            full_name="Ho Ka Lok",
            household=district.inside[3],
            id_fragment="2222",
            birth_year=drive.deadline.year - 17,
        )
    assert first.risks == [] and first.status == Signature.Status.LIKELY_VALID
    assert again.risks == [Risk.DUPLICATE] and again.duplicate_of_id == first.pk
    assert sister.risks == []
    assert moved.risks == [Risk.DUPLICATE] and moved.duplicate_of_id == first.pk
    assert namesake.risks == []
    assert away.risks == [Risk.OUT_OF_AREA] and away.status == Signature.Status.AT_RISK
    assert set(bare.risks) == {Risk.MISSING_ADDRESS, Risk.MISSING_ID, Risk.MISSING_BIRTH_YEAR}
    assert young.risks == [Risk.TOO_YOUNG]
    # The digits are never stored, only the keyed hash and the last character for the masked form.
    assert first.id_hash and "1234" not in first.id_hash and first.id_masked == "•••(4)"
    assert again.id_hash == first.id_hash and sister.id_hash != first.id_hash


def test_rules_can_be_switched_off_and_recheck_follows(team_a):
    district = make_district(team_a)
    with scopes_disabled():
        a = add(team_a, district.drive, full_name="Lee Siu Ming", household=district.outside)
        assert a.risks == [Risk.OUT_OF_AREA]
        services.drive_update(drive=district.drive, acting_user=team_a.owner.user, check_area=False)
        a.refresh_from_db()
    assert a.risks == [] and a.status == Signature.Status.LIKELY_VALID


def test_id_hash_differs_between_campaigns(team_a, team_b):
    assert validation.id_hash(campaign=team_a.campaign, fragment="1234") != validation.id_hash(
        campaign=team_b.campaign, fragment="1234"
    )


def test_window_flags_old_signatures(team_a):
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    district = make_district(
        team_a, opens_on=today - dt.timedelta(days=60), deadline=today + dt.timedelta(days=5), window_days=30
    )
    with scopes_disabled():
        old = add(
            team_a,
            district.drive,
            full_name="A B",
            household=district.inside[0],
            signed_on=today - dt.timedelta(days=40),
        )
        fresh = add(team_a, district.drive, full_name="C D", household=district.inside[1], signed_on=today)
    assert old.risks == [Risk.OUTSIDE_WINDOW] and fresh.risks == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"id_fragment": "12x4"}, "id_fragment"),
        ({"id_fragment": "12345"}, "id_fragment"),
        ({"signed_on": "before"}, "signed_on"),
        ({"signed_on": "future"}, "signed_on"),
        ({"household": "nowhere"}, "household"),
        ({"full_name": "  -- "}, "full_name"),
        ({"birth_year": 1800}, "birth_year"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(team_a, district, values, field):
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    values = dict(values)
    if values.get("signed_on") == "before":
        values["signed_on"] = district.drive.opens_on - dt.timedelta(days=1)
    if values.get("signed_on") == "future":
        values["signed_on"] = today + dt.timedelta(days=1)
    if values.get("household") == "nowhere":
        values["household"] = district.nowhere
    values.setdefault("full_name", "Chan Tai Man")
    with scopes_disabled():
        audits = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as error:
            add(team_a, district.drive, **values)
        assert field in error.value.message_dict
        assert Signature.objects.count() == 0 and AuditEvent.objects.count() == audits


def test_sheet_number_used_twice_is_refused(team_a, district):
    with scopes_disabled():
        services.sheets_create(drive=district.drive, acting_user=team_a.coordinator.user, first=1, count=10)
        with pytest.raises(ValidationError) as error:
            services.sheets_create(drive=district.drive, acting_user=team_a.coordinator.user, first=8, count=5)
        assert "8, 9, 10" in error.value.message_dict["first"][0]
        assert Sheet.objects.filter(drive=district.drive).count() == 10


def test_line_used_twice_on_a_sheet_is_refused(team_a, district):
    with scopes_disabled():
        sheet = services.sheets_create(drive=district.drive, acting_user=team_a.coordinator.user, first=1, count=1)[0]
        first = add(team_a, district.drive, full_name="A B", household=district.inside[0], sheet=sheet)
        second = add(team_a, district.drive, full_name="C D", household=district.inside[1], sheet=sheet)
        assert (first.line, second.line) == (1, 2)
        with pytest.raises(ValidationError) as error:
            add(team_a, district.drive, full_name="E F", household=district.inside[2], sheet=sheet, line=2)
        assert "line" in error.value.message_dict
        assert Signature.objects.count() == 2


def test_review_marks_valid_or_struck_and_striking_frees_the_duplicate(team_a, district):
    home = district.inside[0]
    with scopes_disabled():
        first = add(team_a, district.drive, full_name="Chan Tai Man", household=home)
        again = add(team_a, district.drive, full_name="Chan Taiman", household=home)
        with pytest.raises(ValidationError):
            services.signature_review(
                signature=first, acting_user=team_a.coordinator.user, decision="struck", reason=""
            )
        services.signature_review(
            signature=first, acting_user=team_a.coordinator.user, decision="struck", reason="Signed twice; illegible"
        )
        first.refresh_from_db()
        again.refresh_from_db()
    assert first.status == Signature.Status.STRUCK
    assert again.risks == [] and again.status == Signature.Status.LIKELY_VALID


def test_typed_address_is_matched_to_the_one_household_it_names(team_a, district):
    """An address typed rather than picked counts as that household when exactly one fits: case, width,
    word order, punctuation and "No."/"Flat"/"/F" do not matter."""
    campaign = team_a.campaign
    with scopes_disabled():
        tower = [
            Household.objects.create(
                campaign=campaign,
                address_key=f"tower|{unit}",
                street="彌敦道",
                house_number="8",
                house_number_value=8,
                building="海景大廈",
                floor="12",
                unit=unit,
                area=district.k1,
            )
            for unit in ("A", "B")
        ]
        plain = add(team_a, district.drive, full_name="Chan Tai Man", address_text="３ nathan road.")
        reordered = add(team_a, district.drive, full_name="Lee Siu Ming", address_text="Nathan Rd no 4")
        exact = add(team_a, district.drive, full_name="Ho Ka Lok", address_text="No. 4, Nathan Road")
        flat = add(team_a, district.drive, full_name="陳大文", address_text="海景大廈 12樓 B室, 彌敦道8號")
        away = add(team_a, district.drive, full_name="Wong Ka Yan", address_text="100 Jordan Road")
        # Two flats of the tower fit "8 彌敦道 海景大廈 12樓": which one is not known, so it stays unmatched.
        either = add(team_a, district.drive, full_name="張三", address_text="彌敦道8號 海景大廈 12樓")
        unknown = add(team_a, district.drive, full_name="Tam Wing Kei", address_text="77 Nowhere Street")
    assert plain.household == district.inside[2] and plain.risks == [] and plain.address_text == "３ nathan road."
    assert reordered.risks == [Risk.NO_HOUSEHOLD]  # "Rd" is not "Road": no guessing
    assert exact.household == district.inside[3] and exact.risks == []
    assert flat.household == tower[1] and flat.risks == []
    assert away.household == district.outside and away.risks == [Risk.OUT_OF_AREA]
    assert either.household is None and either.risks == [Risk.NO_HOUSEHOLD]
    assert unknown.household is None and unknown.risks == [Risk.NO_HOUSEHOLD]


def test_typed_address_outside_every_area_is_refused(team_a, district):
    with scopes_disabled():
        audits = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as error:
            add(team_a, district.drive, full_name="Chan Tai Man", address_text="200 harbour road")
        assert "outside every area" in error.value.message_dict["address_text"][0]
        assert Signature.objects.count() == 0 and AuditEvent.objects.count() == audits
        # With the in-area rule off, where the signer lives does not matter: it is saved, matched.
        services.drive_update(drive=district.drive, acting_user=team_a.owner.user, check_area=False)
        district.drive.refresh_from_db()
        saved = add(team_a, district.drive, full_name="Chan Tai Man", address_text="200 harbour road")
    assert saved.household == district.nowhere and saved.risks == [] and saved.status == Signature.Status.LIKELY_VALID


def test_review_rechecks_only_the_related_signatures(team_a, district, django_assert_max_num_queries):
    """Striking one signature re-checks those it could be a duplicate of, not the whole drive: the same
    queries with 5 or 40 unrelated signatures, and an unrelated one keeps its duplicate."""
    drive, user = district.drive, team_a.coordinator.user
    with scopes_disabled():
        first = add(team_a, drive, full_name="Chan Tai Man", household=district.inside[0], id_fragment="1234")
        again = add(team_a, drive, full_name="Chan Taiman", household=district.inside[0])
        other = add(team_a, drive, full_name="Lee Siu Ming", household=district.inside[1])
        other_again = add(team_a, drive, full_name="LEE Siu-ming", household=district.inside[1])
        # Same name and ID digits elsewhere: a duplicate through the name, also freed by striking `first`.
        moved = add(team_a, drive, full_name="Chan Tai Man", household=district.inside[2], id_fragment="123(4)")
        assert again.duplicate_of_id == first.pk and moved.duplicate_of_id == first.pk
        counts = []
        for size in (5, 40):
            for n in range(size - len(counts) * 5):
                add(team_a, drive, full_name=f"Person {size} {n}", household=district.inside[3 + n % 2])
            target = add(team_a, drive, full_name=f"Target {size}", household=district.inside[0])
            with django_assert_max_num_queries(12) as queries:
                services.signature_review(signature=target, acting_user=user, decision="struck", reason="Illegible")
            counts.append(len(queries))
        assert counts[0] == counts[1]
        # An unrelated row is not even read: a stale risk left on it stays until the drive is re-checked.
        Signature.objects.filter(pk=other.pk).update(risks=[Risk.MISSING_ID])
        services.signature_review(signature=first, acting_user=user, decision="struck", reason="Signed twice")
        for s in (again, other_again, moved):
            s.refresh_from_db()
    assert again.duplicate_of_id is None and again.status == Signature.Status.LIKELY_VALID
    assert moved.duplicate_of_id is None and moved.risks == []
    assert other_again.duplicate_of_id == other.pk and other_again.risks == [Risk.DUPLICATE]
    other.refresh_from_db()
    assert other.risks == [Risk.MISSING_ID]
