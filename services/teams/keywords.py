"""Search text in which every Chinese character is a word of its own.

pg_trgm makes trigrams of words, padded at their edges: a one- or
two-character Chinese query has no trigram of its own, so its `ILIKE '%…%'`
would read the whole table. Spelled with a space around each character (`张
伟` for 张伟), the text and the query are both made of one-character words,
each giving the padded trigrams `"  张"` and `" 张 "`, and the trigram index
finds even a one-character query. Letters and digits keep their words.
"""

import re

SPACES = re.compile(r"\s+")


def _spaced(text):
    # a character outside ASCII that is a letter or digit (Chinese ones are)
    # stands alone; everything else is kept as written, lower case
    spaced = "".join(
        f" {c} " if not c.isascii() and c.isalnum() else c for c in text.lower()
    )
    return SPACES.sub(" ", spaced)


def searchable(*parts):
    """The text a row is searched by, made of its name, description, skills."""
    return _spaced(" " + " ".join(part for part in parts if part) + " ")


def _escaped(term):
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def patterns(q):
    """One LIKE pattern (escape `\\`) per word of the query; all must match."""
    return [f"%{_escaped(_spaced(word))}%" for word in (q or "").split()]
