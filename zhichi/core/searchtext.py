"""The form in which case search text is stored and searched (docs/decisions/0002-case-search.md).

Pure Python. People type a case number as they see it on paper or as their keyboard gives it:
五华检民支〔2026〕12号, 五华检民支[2026]12号, （２０２６）１２, 【2026】12. Both the stored text and
the query are brought to one form, so a substring search finds the number in any of them:

- NFKC: full-width letters, digits and brackets become half-width (（２０２６） → (2026));
- every kind of bracket becomes a round one: 〔〕 [] () 【】 〖〗 ［］ （） → ( );
- lower case (credit codes and Latin names are found in either case).

Chinese characters are left as they are (NFKC does not change them), so a search by one or two
characters of a name keeps working. 号 stays: a query with it is narrower (12号 is not 120号),
one without it is the same substring search as before.
"""

from __future__ import annotations

import unicodedata

_OPENING = "〔【〖〘〚[［(（⦅｟"
_CLOSING = "〕】〗〙〛]］)）⦆｠"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPENING, "("), **dict.fromkeys(_CLOSING, ")")})


def search_form(text: str) -> str:
    """``text`` in the one form search text is stored and searched in."""
    if not isinstance(text, str) or not text:
        return ""
    return unicodedata.normalize("NFKC", text).translate(_BRACKETS).lower()


def case_search_text(parts: list[str]) -> str:
    """The stored search text of a case from its parts (number, summary, names, credit codes):
    the parts that are not empty, joined by a space, in search form."""
    return search_form(" ".join(p for p in parts if p))
