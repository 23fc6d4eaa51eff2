"""What search matches beyond a capability's own text, and "did you mean" for typos.

A capability is found by the words of its own search text (slug, name,
summary, tags: an index, see :func:`catalog.browse.text_matches`) and by the
names of its context: its domain, its owner team and its APIs. API names
have no index (scanning the API table in each of a browse's statements cost
5x the search itself), so their words and the vocabulary (every word of a
capability, domain, team or API name or slug) are read once per catalog
revision per process (every write bumps the revision, so a worker never
serves a stale one for longer than a request) and matched in memory; the
warm-up thread (:mod:`portal.warmup`) reads them ahead of visitors. On
PostgreSQL the capabilities' own texts are kept there too (1.5 MB at 10,000),
for a word too common for its trigram index (:func:`_own_text_matches`).
The same index orders what a search found (:func:`ranked`): every
capability's slug, lower-case name and place in the catalog by tier and name.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from rapidfuzz import fuzz, process

from catalog.db import db
from catalog.history import current_revision
from catalog.models import Api, Capability, Domain, Team

__all__ = ["did_you_mean", "ranked", "search_index", "word_matches"]

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
    #: ``{lower-case word of an API name: capability ids}``; a search word (no spaces)
    #: occurs in an API name exactly when it occurs in one of its words.
    context: dict[str, tuple[int, ...]]
    #: Every known word, sorted (rapidfuzz's choices).
    words: tuple[str, ...]
    known: frozenset[str]
    #: Every capability's id and own search text, in step (PostgreSQL only: see
    #: :func:`_own_text_matches`).
    ids: tuple[int, ...] = ()
    texts: tuple[str, ...] = ()
    #: ``{capability id: (slug, lower-case name)}`` and ``{capability id: place}``, the
    #: place by tier (critical first), name and id: what :func:`ranked` orders by.
    names: dict[int, tuple[str, str]] = field(default_factory=dict, compare=False)
    places: dict[int, int] = field(default_factory=dict, compare=False)
    #: Answers of :func:`_context_matches` at this revision, most recent last.
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
    context: dict[str, set[int]] = {}
    words: set[str] = set()
    for capability_id, name in db.session.execute(sa.select(Api.capability_id, Api.name)):
        for token in name.lower().split():
            context.setdefault(token, set()).add(capability_id)
        words.update(_WORD.findall(name.lower()))
    for select in (sa.select(Capability.name, Capability.slug), sa.select(Domain.name, Domain.slug),
                   sa.select(Team.name, Team.slug)):
        for name, slug in db.session.execute(select):
            words.update(_WORD.findall(f"{name} {slug}".lower()))
    vocab = sorted(word for word in words if len(word) >= MIN_WORD - 1)
    names: dict[int, tuple[str, str]] = {}
    tiers: dict[int, int] = {}
    ids: list[int] = []
    texts: list[str] = []
    own_texts = db.engine.dialect.name != "sqlite"  # SQLite's FTS5 index answers there
    for id_, slug, name, tier, text in db.session.execute(sa.select(
            Capability.id, Capability.slug, Capability.name, Capability.tier,
            Capability.search_text if own_texts else sa.null())):
        names[id_] = (slug, name.lower())
        tiers[id_] = tier
        if own_texts:
            ids.append(id_)
            texts.append(text)
    in_order = sorted(names, key=lambda id_: (tiers[id_], names[id_][1], id_))
    return SearchIndex(revision, {token: tuple(sorted(owners)) for token, owners in context.items()},
                       tuple(vocab), frozenset(vocab), tuple(ids), tuple(texts), names,
                       {id_: place for place, id_ in enumerate(in_order)})


def word_matches(word: str) -> list[int]:
    """Return the ids of the capabilities ``word`` finds, sorted.

    Those whose own search text holds it, and those whose domain, owner team
    or an API is named with it (:func:`_context_matches`).
    """
    word = word.lower()
    index = search_index()
    return sorted(set(_own_text_matches(word, index)).union(_context_matches(word, index)))


def ranked(q: str, ids: Collection[int]) -> list[int]:
    """Return ``ids`` best match for the search text ``q`` first.

    The slug is ``q``, then the name is ``q``, the name starts with it, the
    slug starts with it, the name holds it, the rest; within each, critical
    tiers first, then by name (case ignored) and id. An id the index does not
    know yet (written since this request read the revision) comes last.
    """
    q = q.lower()
    index = search_index()
    names, places = index.names, index.places
    known = sorted((id_ for id_ in ids if id_ in places), key=places.__getitem__)
    unknown = [id_ for id_ in ids if id_ not in places]

    def rank(id_: int) -> int:
        slug, name = names[id_]
        return (0 if slug == q else 1 if name == q else 2 if name.startswith(q)
                else 3 if slug.startswith(q) else 4)

    # Most matches hold the words elsewhere (summary, tags, context): they keep their place.
    best = sorted((id_ for id_ in known
                   if q in names[id_][1] or names[id_][0].startswith(q)), key=rank)
    chosen = set(best)
    return best + [id_ for id_ in known if id_ not in chosen] + unknown


def _own_text_matches(word: str, index: SearchIndex) -> list[int]:
    """Return the ids of the capabilities whose own search text holds ``word``.

    On SQLite its FTS5 trigram index (migration 0002), read from the
    session's DBAPI connection: a common word matches a thousand rows, which
    cost more through SQLAlchemy's result than the query. On PostgreSQL the
    texts of the revision's index, in memory: a common word is in one
    capability out of ten, too many for the trigram index, and LIKE read the
    whole table (6-12 ms at 10,000 capabilities, 1.5 ms here).
    """
    if db.engine.dialect.name == "sqlite":
        phrase = '"' + word.replace('"', '""') + '"'
        driver = db.session.connection().connection.driver_connection
        return [row[0] for row in driver.execute(
            "SELECT rowid FROM capability_fts WHERE capability_fts MATCH ?", (phrase,))]
    return [id_ for id_, text in zip(index.ids, index.texts, strict=True) if word in text]


def _context_matches(word: str, index: SearchIndex) -> list[int]:
    """Return the ids of capabilities whose domain, team or an API name contains ``word``.

    Domains and teams (a few hundred rows) are matched in SQL, their
    capabilities read through the domain and team indexes; API names (no
    index) from the index of the revision. Answers are kept per revision.
    """
    with _lock:
        if word in index.answers:
            index.answers.move_to_end(word)
            return index.answers[word]
    ids: set[int] = set()
    for token, owners in index.context.items():
        if word in token:
            ids.update(owners)
    domains = sa.select(Domain.id).where(sa.or_(
        sa.func.lower(Domain.name).contains(word, autoescape=True),
        Domain.slug.contains(word, autoescape=True)))
    teams = sa.select(Team.id).where(sa.or_(
        sa.func.lower(Team.name).contains(word, autoescape=True),
        Team.slug.contains(word, autoescape=True)))
    ids.update(db.session.scalars(sa.union(
        sa.select(Capability.id).where(Capability.domain_id.in_(domains)),
        sa.select(Capability.id).where(Capability.team_id.in_(teams)))))
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
