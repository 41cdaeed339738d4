"""The folded form of a name that contact search compares: case, diacritics and punctuation gone.

SQLite's lower() folds only ASCII, so "ŁUK" never found "Łukasz" and a scan with lower() on every
row cannot use an index. Names are folded once, here, when they are written (and by migration
0005 for old rows); a query is folded the same way, so "łuk", "ŁUK" and "luk" all find "Łukasz",
"lodz" finds "Łódź", and "nowak kowalska" finds "Nowak-Kowalska".
"""

import re
import unicodedata

MAX_LENGTH = 400
# Letters that carry no combining mark to strip, mapped to what a Polish or German typist types.
_LETTERS = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h", "þ": "th"})
_NOT_WORD = re.compile(r"[\W_]+")
_LAST = 0x10FFFF


def fold(text: str) -> str:
    """`"Żółć & Syn S.A."` → `"zolc syn s a"`: casefolded, without diacritics, words split by one space."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().translate(_LETTERS)
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare).strip()[:MAX_LENGTH]


def next_prefix(prefix: str) -> str:
    """The smallest string above every string starting with `prefix` (in code point order).

    `col >= prefix AND col < next_prefix(prefix)` is a prefix match a B-tree index answers.
    """
    head = prefix.rstrip(chr(_LAST))
    if not head:
        return prefix + chr(_LAST)
    following = ord(head[-1]) + 1
    return head[:-1] + chr(0xE000 if 0xD800 <= following <= 0xDFFF else following)  # UTF-8 has no surrogates
