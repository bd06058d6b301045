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


# --- the gram index (docs/decisions/0002-case-search.md) -------------------------------------
# Chinese has no spaces between words and a name is searched by one or two of its characters, so
# a word index cannot serve case search, and a trigram index cannot serve a query shorter than
# three characters. The gram index holds, for each case, every character and every pair of
# neighbouring characters of its search text's words (runs of letters and digits). A query is
# cut the same way; the cases holding all of its grams are the candidates, and the substring test
# on ``search_text`` keeps the true matches (a query's grams can all occur without the query).


def _runs(text: str) -> list[str]:
    """The runs of letters and digits of ``text`` (anything else separates them)."""
    runs: list[str] = []
    current: list[str] = []
    for char in text:
        if char.isalnum():
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def search_grams(text: str) -> str:
    """The grams of a stored search text (already in search form), space separated, each once,
    in first-seen order: every character and every pair of neighbouring characters of each run
    of letters and digits."""
    seen: dict[str, None] = {}
    for run in _runs(text):
        for i, char in enumerate(run):
            seen[char] = None
            if i + 1 < len(run):
                seen[run[i : i + 2]] = None
    return " ".join(seen)


def query_grams(query: str) -> list[str]:
    """The grams a case must hold to match ``query`` (in search form): the pairs of neighbouring
    characters of each run, or the character itself for a run of one. Empty when the query has
    no letter or digit (then only the substring test can answer it)."""
    grams: dict[str, None] = {}
    for run in _runs(query):
        if len(run) == 1:
            grams[run] = None
        for i in range(len(run) - 1):
            grams[run[i : i + 2]] = None
    return list(grams)
