"""Small helpers every spreadsheet import shares (the volunteer roster, the household file): comparing
header names, guessing a CSV's delimiter, and reading a phone number as a spreadsheet wrote it."""

import re
import unicodedata

from django.conf import settings
from phonenumber_field.phonenumber import PhoneNumber, to_python

_HEADER_NOISE = re.compile(r"[\s_\-‐–—.:：]+")


def header_key(text: str) -> str:
    """A header as compared: width, case, spaces, hyphens and underscores do not matter."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    return _HEADER_NOISE.sub("", text)


def sniff_delimiter(first_line: str) -> str:
    """Comma, semicolon (spreadsheets in many European locales) or tab: whichever the header uses most."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_phone(text: str) -> PhoneNumber | None:
    """A valid number, or None. Without a country code, the deployment's default region is assumed."""
    # A spreadsheet export may have put an apostrophe before "+852…" to keep it text.
    text = text.lstrip("'").strip()
    number = to_python(text, region=getattr(settings, "PHONENUMBER_DEFAULT_REGION", None))
    if isinstance(number, PhoneNumber) and number.is_valid():
        return number
    return None
