"""The Dutch catalogue is one translation per text: a merge that joins two branches' entries must not pair
an English text with another entry's Dutch or keep a text twice (the compiler keeps the first silently)."""

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^(?:msgctxt (".*")\n)?msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?msgstr', re.M)


def test_every_text_has_exactly_one_translation():
    lines = CATALOGUE.read_text().splitlines()
    doubled = [
        number
        for number, (previous, line) in enumerate(pairwise(lines), start=2)
        if line.startswith("msgstr ") and previous.startswith("msgstr ")
    ]
    assert doubled == []


def test_every_text_is_translated_once():
    keys = Counter(ENTRY.findall(CATALOGUE.read_text() + "\n"))
    assert [key for key, count in keys.items() if count > 1 and key != ("", '""\n')] == []
