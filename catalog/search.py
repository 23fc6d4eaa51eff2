"""What search matches beyond a capability's own text, and "did you mean" for typos.

A capability is found by the words of its own search text (slug, name,
summary, tags: an index, see :func:`catalog.browse.text_matches`) and by the
names of its context: its domain, its owner team and its APIs. The context
and the vocabulary (every word of a capability, domain, team or API name or
slug) are read once per catalog revision per process (every write bumps the
revision, so a worker never serves a stale one for longer than a request)
and matched in memory: API names have no index, and scanning the API table
in each of a browse's statements cost 5x the search itself.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from catalog.db import db
from catalog.history import current_revision
from catalog.models import Api, Capability, Domain, Team

__all__ = ["context_matches", "did_you_mean", "search_index"]

#: The similarity (0-100) a vocabulary word needs to be offered instead of a word.
SCORE_CUTOFF = 80
#: Words shorter than this are left as typed (too many near neighbours).
MIN_WORD = 4
#: Search words whose context matches are remembered per revision.
ANSWERS = 256
_WORD = re.compile(r"[^\W_]+")
_lock = threading.Lock()


@dataclass(frozen=True)
class SearchIndex:
    """The catalog's context names and vocabulary at one revision."""

    revision: int
    #: ``{lower-case word of a domain, team or API name or slug: capability ids}``; a search
    #: word (no spaces) occurs in a context text exactly when it occurs in one of its words.
    context: dict[str, tuple[int, ...]]
    #: Every known word, sorted (rapidfuzz's choices).
    words: tuple[str, ...]
    known: frozenset[str]
    #: Answers of :func:`context_matches` at this revision, most recent last.
    answers: OrderedDict = field(default_factory=OrderedDict, compare=False)


# {database url: SearchIndex}
_indexes: dict[str, SearchIndex] = {}


def search_index() -> SearchIndex:
    """Return the context texts and vocabulary of the current catalog revision (cached)."""
    key = db.engine.url.render_as_string(hide_password=True)
    revision = current_revision()
    with _lock:
        cached = _indexes.get(key)
    if cached is not None and cached.revision == revision:
        return cached
    index = _build(revision)
    with _lock:
        _indexes[key] = index
    return index


def _build(revision: int) -> SearchIndex:
    rows = db.session.execute(
        sa.select(Capability.id, Capability.name, Capability.slug, Domain.name, Domain.slug,
                  Team.name, Team.slug)
        .join_from(Capability, Domain, Capability.domain_id == Domain.id)
        .outerjoin(Team, Capability.team_id == Team.id)).all()
    apis: dict[int, list[str]] = {}
    for capability_id, name in db.session.execute(sa.select(Api.capability_id, Api.name)):
        apis.setdefault(capability_id, []).append(name)
    context: dict[str, set[int]] = {}
    words: set[str] = set()
    for cid, name, slug, domain, domain_slug, team, team_slug in rows:
        text = " ".join(filter(None, (domain, domain_slug, team, team_slug, *apis.get(cid, ()))))
        for token in text.lower().split():
            context.setdefault(token, set()).add(cid)
        words.update(_WORD.findall(f"{name} {slug} {text}".lower()))
    vocab = sorted(word for word in words if len(word) >= MIN_WORD - 1)
    return SearchIndex(revision, {token: tuple(sorted(ids)) for token, ids in context.items()},
                       tuple(vocab), frozenset(vocab))


def context_matches(word: str) -> list[int]:
    """Return the ids of capabilities whose domain, team or an API name contains ``word``."""
    word = word.lower()
    index = search_index()
    with _lock:
        if word in index.answers:
            index.answers.move_to_end(word)
            return index.answers[word]
    ids: set[int] = set()
    for token, owners in index.context.items():
        if word in token:
            ids.update(owners)
    answer = sorted(ids)
    with _lock:
        index.answers[word] = answer
        while len(index.answers) > ANSWERS:
            index.answers.popitem(last=False)
    return answer


def did_you_mean(q: str, vocab: Iterable[str] | None = None) -> str:
    """Return ``q`` with each unknown word replaced by its closest known word, or "".

    "" means nothing better is known: every word is in the vocabulary, too
    short to guess, or has no close neighbour.

    Parameters
    ----------
    q : str
        The search text as typed.
    vocab : iterable of str, optional
        The known words; the catalog's (:func:`search_index`) by default.

    Examples
    --------
    >>> did_you_mean("memebership points", {"membership", "points", "member"})
    'membership points'
    >>> did_you_mean("membership", {"membership"})
    ''
    """
    if vocab is None:
        index = search_index()
        choices, known = index.words, index.known
    else:
        choices = tuple(sorted(vocab))
        known = frozenset(choices)
    words = q.lower().split()
    better = []
    for word in words:
        if word in known or len(word) < MIN_WORD:
            better.append(word)
            continue
        match = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=SCORE_CUTOFF)
        better.append(match[0] if match else word)
    return " ".join(better) if better != words else ""
