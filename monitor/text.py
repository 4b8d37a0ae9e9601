"""Text normalisation shared by the prose rules and the duplicate digests."""

from __future__ import annotations

import re
import unicodedata

# NFKC of Chinese prose changes little but its full-width forms (digits, commas, brackets, the
# ideographic space), and normalising character by character is slow. Each of these forms
# decomposes to one ASCII character, so replacing them gives the same NFKC; when the result is
# already normal it IS the NFKC (checked; anything else takes the full normalisation).
_FULL_WIDTH = {
    chr(code): unicodedata.normalize("NFKC", chr(code)) for code in [*range(0xFF01, 0xFF5F), 0x3000]
}
# Replacing only the few matches is four times faster than str.translate over every character.
_FULL_WIDTH_FORMS = re.compile("[\uff01-\uff5e\u3000]")


def _ascii_form(match: re.Match) -> str:
    return _FULL_WIDTH[match.group()]


def nfkc(text: str) -> str:
    """Exactly unicodedata.normalize("NFKC", text), faster on Chinese prose."""
    quick = _FULL_WIDTH_FORMS.sub(_ascii_form, text)
    return quick if unicodedata.is_normalized("NFKC", quick) else unicodedata.normalize("NFKC", text)
