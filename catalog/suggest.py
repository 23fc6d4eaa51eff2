""""Did you mean": the closest words of the catalog's own vocabulary to a mistyped search.

The vocabulary is every word of a capability, domain, team or API name (and
the words of their slugs), read once per catalog revision per process and
matched with rapidfuzz's normalised Indel similarity.
"""

import re
import threading

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from catalog.db import db
from catalog.history import current_revision
from catalog.models import Api, Capability, Domain, Team

__all__ = ["did_you_mean", "vocabulary"]

#: The similarity (0-100) a vocabulary word needs to be offered instead of a word.
SCORE_CUTOFF = 80
#: Words shorter than this are left as typed (too many near neighbours).
MIN_WORD = 4
_WORD = re.compile(r"[^\W_]+")
_lock = threading.Lock()
# {database url: (revision, frozenset of words)}
_cache: dict[str, tuple[int, frozenset[str]]] = {}


def vocabulary() -> frozenset[str]:
    """Return the lower-case words of every capability, domain, team and API name and slug."""
    key = db.engine.url.render_as_string(hide_password=True)
    revision = current_revision()
    with _lock:
        cached = _cache.get(key)
    if cached and cached[0] == revision:
        return cached[1]
    words: set[str] = set()
    for select in (sa.select(Capability.name, Capability.slug), sa.select(Domain.name, Domain.slug),
                   sa.select(Team.name, Team.slug), sa.select(Api.name, sa.literal(""))):
        for name, slug in db.session.execute(select):
            words.update(_WORD.findall(f"{name} {slug}".lower()))
    vocab = frozenset(word for word in words if len(word) >= MIN_WORD - 1)
    with _lock:
        _cache[key] = (revision, vocab)
    return vocab


def did_you_mean(q: str, vocab: frozenset[str] | None = None) -> str:
    """Return ``q`` with each unknown word replaced by its closest known word, or "".

    "" means nothing better is known: every word is in the vocabulary, too
    short to guess, or has no close neighbour.

    Parameters
    ----------
    q : str
        The search text as typed.
    vocab : frozenset of str, optional
        The known words; the catalog's :func:`vocabulary` by default.

    Examples
    --------
    >>> did_you_mean("memebership points", frozenset({"membership", "points", "member"}))
    'membership points'
    >>> did_you_mean("membership", frozenset({"membership"}))
    ''
    """
    known = vocabulary() if vocab is None else vocab
    choices = sorted(known)
    words = q.lower().split()
    better = []
    for word in words:
        if word in known or len(word) < MIN_WORD:
            better.append(word)
            continue
        match = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=SCORE_CUTOFF)
        better.append(match[0] if match else word)
    return " ".join(better) if better != words else ""
