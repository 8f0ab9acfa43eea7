"""The Simplified Chinese catalog covers every string in the code, and its compiled file is current."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalog_has_no_untranslated_or_fuzzy_entries():
    catalog = polib.pofile(str(PO))
    assert not catalog.untranslated_entries(), [e.msgid for e in catalog.untranslated_entries()]
    assert not catalog.fuzzy_entries(), [e.msgid for e in catalog.fuzzy_entries()]


def test_compiled_catalog_matches_the_source():
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in polib.mofile(str(PO.with_suffix(".mo")))
    }
    for entry in polib.pofile(str(PO)).translated_entries():
        got = compiled.get((entry.msgctxt, entry.msgid))
        assert got == (entry.msgstr or entry.msgstr_plural.get(0)), f"django.mo is stale for {entry.msgid!r}"


@pytest.mark.slow
def test_every_string_in_the_code_is_in_the_catalog(tmp_path):
    """makemessages on a copy of the tree finds no string the catalog lacks."""
    if not shutil.which("xgettext"):
        pytest.skip("gettext is not installed")
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "*.pyc", "__pycache__", "bench"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--ignore", "tests/*"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    catalog = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalog.untranslated_entries()] + [e.msgid for e in catalog.fuzzy_entries()]
    assert not missing, f"Run `make messages` and translate: {missing}"
