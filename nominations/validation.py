"""What puts one signature at risk, checked as it is entered and again when the map or the rules change.

Each check reads through an index: the household (with its area, one row), the other signatures at
that household (a handful) and the signatures with the same normalised name (a handful), so checking
one signature costs the same at 20 signatures or 20,000.
"""

import difflib
import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from campaign.models import Campaign
from canvassing.models import Household
from nominations.models import Drive, Risk, Signature

SIMILAR_NAME = 0.85  # difflib ratio over normalised names: "Chan Tai-man" / "Chan Taiman" are one person
ID_CHARACTERS = re.compile(r"[\s()\-/]")


def name_key(name: str) -> str:
    """Casefolded, NFKC, without spaces and punctuation: "Chan Tai-man" → "chantaiman", "陳 大文" → "陳大文"."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in ("L", "N"))


def names_similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    if _mostly_cjk(a) or _mostly_cjk(b):
        # Chinese names are two to four characters: one character different is another person
        # (a brother, a sister), so only the same characters count.
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAME


def _mostly_cjk(text: str) -> bool:
    cjk = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")
    return cjk * 2 >= len(text)


def clean_id_fragment(raw: str, *, length: int) -> str:
    """The last `length` characters of an ID number, as written on the sheet ("123(4)", "1234", "123A").
    Digits, and a check character that may be a letter at the end. Raises ValidationError on "id_fragment"."""
    text = ID_CHARACTERS.sub("", unicodedata.normalize("NFKC", raw or "")).upper()
    if not text:
        return ""
    # ASCII digits only: str.isdigit() also takes "١٢٣" and "²", which would hash apart from "123".
    if not re.fullmatch(rf"[0-9]{{{length - 1}}}[0-9A]", text):
        raise ValidationError(
            {
                "id_fragment": _(
                    "Enter the last %(n)d characters of the ID number: digits, the last one may be A "
                    "(for example 123(4) or 123A)."
                )
                % {"n": length}
            }
        )
    return text


def id_hash(*, campaign: Campaign, fragment: str) -> str:
    """HMAC keyed per campaign: the same digits give the same hash in one campaign, and the digits
    cannot be read back without the server's secret key."""
    key = f"{settings.SECRET_KEY}:nominations:{campaign.code}".encode()
    return hmac.new(key, fragment.encode(), hashlib.sha256).hexdigest()


@dataclass
class Verdict:
    risks: list[str] = field(default_factory=list)
    duplicate_of: Signature | None = None


def area_risks(drive: Drive, household: Household | None, *, address_text: str) -> list[str]:
    risks = []
    if household is None:
        if drive.require_address and not address_text.strip():
            risks.append(Risk.MISSING_ADDRESS)
        elif drive.check_area:
            risks.append(Risk.NO_HOUSEHOLD)
        return risks
    if drive.check_area:
        # Household.area is always an area of the current map version: the canvassing apply re-points it
        # first (and only then, in the same transaction, marks the version current and calls the re-check),
        # so the version's status is not read here.
        area = household.area
        if area is None or area.key != drive.area_key:
            risks.append(Risk.OUT_OF_AREA)
    return risks


def field_risks(drive: Drive, *, id_hash_value: str, birth_year: int | None, signed_on) -> list[str]:
    risks = []
    if drive.require_id_fragment and not id_hash_value:
        risks.append(Risk.MISSING_ID)
    if drive.min_age:
        if birth_year is None:
            risks.append(Risk.MISSING_BIRTH_YEAR)
        else:
            # Age on the deadline from the year alone: above the minimum for sure, below it for sure,
            # or turning it in the deadline's year (may or may not have had the birthday yet).
            years = drive.deadline.year - birth_year
            if years < drive.min_age:
                risks.append(Risk.TOO_YOUNG)
            elif years == drive.min_age:
                risks.append(Risk.MAYBE_TOO_YOUNG)
    if (drive.window_days and (drive.deadline - signed_on).days > drive.window_days) or signed_on > drive.deadline:
        risks.append(Risk.OUTSIDE_WINDOW)
    return risks


def find_duplicate(
    drive: Drive,
    *,
    key: str,
    household_id: int | None,
    id_hash_value: str,
    exclude_pk: int | None = None,
    before_pk: int | None = None,
) -> Signature | None:
    """An earlier, not struck signature of the same drive that is probably the same person: a similar
    name at the same household, or the same name with the same ID digits anywhere. One query, each arm
    on its index (drive + household, drive + name)."""
    if not drive.check_duplicates or not key:
        return None
    near = Q()
    if household_id is not None:
        near |= Q(household_id=household_id)
    if id_hash_value:
        near |= Q(name_key=key, id_hash=id_hash_value)
    if not near:
        return None
    others = Signature.objects.filter(near, drive=drive).exclude(status=Signature.Status.STRUCK)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if before_pk is not None:
        others = others.filter(pk__lt=before_pk)
    rows = list(others.order_by("pk").values_list("pk", "household_id", "name_key", "id_hash"))
    if household_id is not None:
        for pk, other_household, other_key, _hash in rows:
            if other_household == household_id and names_similar(key, other_key):
                return Signature(pk=pk)
    if id_hash_value:
        for pk, _household, other_key, other_hash in rows:
            if other_key == key and other_hash == id_hash_value:
                return Signature(pk=pk)
    return None


def judge(
    drive: Drive,
    *,
    key: str,
    household: Household | None,
    address_text: str,
    id_hash_value: str,
    birth_year: int | None,
    signed_on,
    exclude_pk: int | None = None,
    before_pk: int | None = None,
) -> Verdict:
    risks = area_risks(drive, household, address_text=address_text)
    risks += field_risks(drive, id_hash_value=id_hash_value, birth_year=birth_year, signed_on=signed_on)
    duplicate = find_duplicate(
        drive,
        key=key,
        household_id=household.pk if household else None,
        id_hash_value=id_hash_value,
        exclude_pk=exclude_pk,
        before_pk=before_pk,
    )
    if duplicate is not None:
        risks.append(Risk.DUPLICATE)
    return Verdict(risks=[str(r) for r in risks], duplicate_of=duplicate)


def status_for(signature: Signature, risks: Iterable[str]) -> str:
    """Struck stays struck; marked valid stays valid unless a risk appeared that the reviewer did not see."""
    risks = list(risks)
    if signature.review == Signature.Review.STRUCK:
        return Signature.Status.STRUCK
    if signature.review == Signature.Review.VALID and set(risks) <= set(signature.reviewed_risks or []):
        return Signature.Status.LIKELY_VALID
    return Signature.Status.AT_RISK if risks else Signature.Status.LIKELY_VALID


def households_in_area(drive: Drive) -> Q:
    """Households of the drive's area in the current map version (Household.area), as a filter on Household."""
    return Q(area__key=drive.area_key)
