"""Finding capabilities: search text, facets, sort and pages.

The browse page and ``GET /api/v1/capabilities`` both parse their
parameters with :meth:`BrowseQuery.from_args` and run :func:`browse`.
"""

import json
import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from catalog.db import db
from catalog.models import Adoption, Api, Capability, CapabilityTag, Dependency, Domain, Team
from catalog.models.capability import LAYERS, LIFECYCLES, TIERS
from catalog.paging import ListFilters, choice_filter, list_filter, text_filter
from catalog.search import did_you_mean, ranked, word_matches
from catalog.validation import Errors

SORTS = ("relevance", "name", "-updated", "tier", "-consumers")
#: The sort menu; no sort means the best match when searching, else by name.
SORT_LABELS = {
    "": "Best match",
    "name": "Name",
    "-updated": "Recently updated",
    "tier": "Tier (critical first)",
    "-consumers": "Most consumers",
}
FACETS = ("domain", "layer", "team", "lifecycle", "tag", "tier")
#: The facets counted together from one GROUP BY (the tag facet has its own query).
CUBE_FACETS = ("domain", "layer", "team", "lifecycle")
#: The tier facet's values (tier 1 is critical).
TIER_VALUES = tuple(str(tier) for tier in TIERS)
Q_MAX = 200
TOP_TAGS = 40
FTS_MIN_WORD = 3  # the trigram tokenizer indexes runs of three characters
#: How each facet lists its values: by name, or in layer / lifecycle order.
_FACET_ORDER = {
    "domain": lambda row: row[1].lower(),
    "team": lambda row: row[1].lower(),
    "layer": lambda row: LAYERS.index(row[0]) if row[0] in LAYERS else 99,
    "lifecycle": lambda row: LIFECYCLES.index(row[0]) if row[0] in LIFECYCLES else 99,
}


def _search_text(value: Any, errors: Errors, field: str) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > Q_MAX:
        errors.add(field, f"Search text must be at most {Q_MAX} characters.")
    return text


@dataclass(frozen=True)
class BrowseQuery(ListFilters):
    """What a user asked for on the browse page or the list endpoint."""

    q: str = list_filter(_search_text, schema={"type": "string", "maxLength": Q_MAX},
                         about="Search text: every word must match.")
    domain: str = text_filter()
    layer: str = choice_filter("Layer", LAYERS)
    team: str = text_filter()
    lifecycle: str = choice_filter("Lifecycle", LIFECYCLES)
    tag: str = text_filter()
    tier: str = choice_filter("Tier", TIER_VALUES, about="1 (critical) to 3.")
    sort: str = choice_filter("Sort", SORTS)

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q else "name")

    @property
    def by_relevance(self) -> bool:
        """True when the matches are listed best match first (:func:`catalog.search.ranked`)."""
        return bool(self.q) and self.effective_sort == "relevance"

    def filters(self) -> dict[str, str]:
        """Return the facet filters that are set."""
        return {name: getattr(self, name) for name in FACETS if getattr(self, name)}

    def args(self, **changes: Any) -> dict[str, Any]:
        """Return the parameters that are set, once ``changes`` are made, for building URLs."""
        return ListFilters.args(replace(self, **changes))


@dataclass
class BrowseResult:
    query: BrowseQuery
    items: list["Listed"]
    total: int
    consumers: dict[int, int]
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    #: The search text with its typos corrected, when nothing matched ("" otherwise).
    suggestion: str = ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))

    @property
    def has_next(self) -> bool:
        return self.query.page < self.pages


def browse(query: BrowseQuery, *, with_facets: bool = True) -> BrowseResult:
    """Run a browse query: one page of capabilities, the total and facet counts.

    The number of SQL statements is fixed whatever the page size: the
    count, the page (joined to its domains and teams, with each one's direct
    consumers), its tags and APIs, and with the facets their counts. A
    search listed best match first reads every match's id instead of
    counting (no statement when it has no filter but its words: the ids the
    words found) and ranks them in memory. A search that matches nothing
    also reads the vocabulary (once per revision) for a "did you mean"
    :attr:`BrowseResult.suggestion`.
    """
    found = search_words(query.q)
    facets = {}
    if with_facets:
        total, facets = _counts(query, found.conditions)
        facets["tag"] = _tag_facet(query, found.conditions)
        facets["tier"] = _tier_facet(query, found.conditions)
    if query.by_relevance:
        best_first = ranked(query.q, _matched_ids(query, found))
        total = len(best_first)
        start = (query.page - 1) * query.per_page
        items = _listed(best_first[start:start + query.per_page])
    else:
        if not with_facets:
            total = db.session.scalar(_filtered(sa.select(sa.func.count(Capability.id)), query,
                                                words=found.conditions)) or 0
        items = listed_page(query, found.conditions)
    suggestion = did_you_mean(query.q) if query.q and not total else ""
    return BrowseResult(query, items, total, {c.id: c.consumers for c in items}, facets,
                        suggestion)


class ListedDomain(NamedTuple):
    """A listed capability's domain."""

    slug: str
    name: str
    layer: str


class ListedTeam(NamedTuple):
    """A listed capability's owner team."""

    slug: str
    name: str


class ListedApi(NamedTuple):
    """One API of a listed capability (without its spec)."""

    name: str
    kind: str
    version: str
    status: str


class Listed(NamedTuple):
    """A capability as a list shows it: the attributes of :class:`Capability` a row reads
    and its direct consumers.

    Read from columns, not loaded as ORM objects: a page costs two
    statements and no identity map (at 10,000 capabilities this took about a
    quarter off the CPU time of a list request).
    """

    id: int
    slug: str
    name: str
    summary: str
    lifecycle: str
    tier: int
    version: int
    domain: ListedDomain
    team: ListedTeam | None
    tags: list[str]
    apis: list[ListedApi]
    consumers: int


# The statements of a page whose shape never changes, built once: building and
# keying them again on every request cost more than running them.
_IDS = sa.bindparam("ids", expanding=True)
#: A page's tags (``is_api`` false: the tag in ``name``) and APIs, in one statement: a
#: round trip to PostgreSQL costs more than either.
_PAGE_TAGS_AND_APIS = sa.union_all(
    sa.select(CapabilityTag.capability_id, sa.false().label("is_api"),
              CapabilityTag.tag.label("name"), sa.null(), sa.null(), sa.null())
    .where(CapabilityTag.capability_id.in_(_IDS)),
    sa.select(Api.capability_id, sa.true(), Api.name, Api.kind, Api.version, Api.status)
    .where(Api.capability_id.in_(_IDS)),
).order_by("is_api", "name")
#: A capability's direct consumers, a value of its row: the capabilities that depend on it
#: plus the distinct businesses with an active adoption (the list and its "most consumers"
#: sort; the graph's in-degree is the same count, :func:`graphs.analysis.direct_consumers`).
_DIRECT_CONSUMERS = (
    sa.select(sa.func.count()).where(Dependency.provider_id == Capability.id)
    .correlate(Capability).scalar_subquery()
    + sa.select(sa.func.count(sa.distinct(Adoption.business_id)))
    .where(Adoption.capability_id == Capability.id, Adoption.active)
    .correlate(Capability).scalar_subquery())
_LISTED = (sa.select(Capability.id, Capability.slug, Capability.name, Capability.summary,
                     Capability.lifecycle, Capability.tier, Capability.version,
                     Domain.slug, Domain.name, Domain.layer, Team.slug, Team.name,
                     _DIRECT_CONSUMERS)
           .join_from(Capability, Domain, Capability.domain_id == Domain.id)
           .outerjoin(Team, Capability.team_id == Team.id))
_LISTED_BY_ID = _LISTED.where(Capability.id.in_(_IDS))


def listed_page(query: BrowseQuery, words: list[sa.ColumnElement[bool]]) -> list[Listed]:
    """Return the page of capabilities ``query`` asks for, with their tags and APIs."""
    return _with_tags_and_apis(db.session.execute(
        _ordered(_filtered(_LISTED, query, words=words), query)
        .limit(query.per_page).offset((query.page - 1) * query.per_page)).all())


def _listed(ids: list[int]) -> list[Listed]:
    """Return the capabilities ``ids`` in that order, with their tags and APIs."""
    rows = {row[0]: row for row in db.session.execute(_LISTED_BY_ID, {"ids": ids})} if ids else {}
    return _with_tags_and_apis([rows[id_] for id_ in ids if id_ in rows])


def _matched_ids(query: BrowseQuery, found: "SearchWords") -> list[int] | set[int]:
    """Return the id of every capability ``query`` matches.

    Without a filter, and with every word found by id, the words' ids are
    the answer; otherwise one statement reads them.
    """
    ids = None if query.filters() else found.ids()
    if ids is not None:
        return ids
    return db.session.scalars(
        _filtered(sa.select(Capability.id), query, words=found.conditions)).all()


def _with_tags_and_apis(rows: list[sa.Row]) -> list[Listed]:
    ids = [row[0] for row in rows]
    tags: dict[int, list[str]] = {id_: [] for id_ in ids}
    apis: dict[int, list[ListedApi]] = {id_: [] for id_ in ids}
    if ids:
        for id_, is_api, name, *api in db.session.execute(_PAGE_TAGS_AND_APIS, {"ids": ids}):
            if is_api:
                apis[id_].append(ListedApi(name, *api))
            else:
                tags[id_].append(name)
    return [Listed(id_, slug, name, summary, lifecycle, tier, version,
                   ListedDomain(domain, domain_name, layer),
                   ListedTeam(team, team_name) if team is not None else None, tags[id_], apis[id_],
                   consumers)
            for (id_, slug, name, summary, lifecycle, tier, version, domain, domain_name, layer,
                 team, team_name, consumers) in rows]


EXPORT_COLUMNS = ("slug", "name", "summary", "domain", "layer", "team", "lifecycle", "tier")


def export_rows(query: BrowseQuery) -> list[tuple]:
    """Return every capability ``query`` matches (no paging) as :data:`EXPORT_COLUMNS` tuples."""
    select = (sa.select(Capability.id, Capability.slug, Capability.name, Capability.summary,
                        Domain.slug, Domain.layer, Team.slug, Capability.lifecycle,
                        Capability.tier)
              .join_from(Capability, Domain, Capability.domain_id == Domain.id)
              .outerjoin(Team, Capability.team_id == Team.id))
    rows = db.session.execute(_ordered(_filtered(select, query), query)).all()
    if query.by_relevance:
        place = {id_: i for i, id_ in enumerate(ranked(query.q, [row[0] for row in rows]))}
        rows.sort(key=lambda row: place[row[0]])
    return [tuple(row[1:]) for row in rows]


#: Every facet the counts endpoint answers: the browse facets and the tier.
COUNTED_FACETS = ("domain", "layer", "team", "lifecycle", "tier", "tag")


def facet_counts(query: BrowseQuery, names: tuple[str, ...] = COUNTED_FACETS
                 ) -> tuple[int, dict[str, list[tuple[str, str, int]]]]:
    """Return the number of matches and ``{facet: [(value, label, count)]}`` for ``names``.

    Each facet counts the capabilities that pass every other filter of
    ``query`` (the browse page's rule); one facet alone costs one GROUP BY.

    Examples
    --------
    >>> COUNTED_FACETS[:2]
    ('domain', 'layer')
    """
    facets: dict[str, list[tuple[str, str, int]]] = {}
    words = text_matches(query.q)
    if len([name for name in names if name in CUBE_FACETS]) > 1:
        total, cube = _counts(query, words)
        facets.update((name, cube[name]) for name in names if name in CUBE_FACETS)
    else:
        total = db.session.scalar(
            _filtered(sa.select(sa.func.count(Capability.id)), query, words=words)) or 0
        for name in names:
            if name in CUBE_FACETS:
                facets[name] = _one_facet(query, name, words)
    if "tier" in names:
        facets["tier"] = _tier_facet(query, words)
    if "tag" in names:
        facets["tag"] = _tag_facet(query, words)
    return total, {name: facets[name] for name in names}


def _tier_facet(query: BrowseQuery, words: list[sa.ColumnElement[bool]]
                ) -> list[tuple[str, str, int]]:
    """Count the capabilities per tier that pass every other filter."""
    rows = db.session.execute(_filtered(
        sa.select(Capability.tier, sa.func.count()), query, words=words, skip=("tier",))
        .group_by(Capability.tier))
    return sorted((str(tier), f"Tier {tier}", n) for tier, n in rows)


def _one_facet(query: BrowseQuery, name: str, words: list[sa.ColumnElement[bool]]
               ) -> list[tuple[str, str, int]]:
    """Count one of the domain, layer, team and lifecycle facets with one GROUP BY.

    The capabilities are counted per key column first (an index-only scan)
    and only then joined to their teams or domains: joining 10,000 rows
    before grouping them by name cost PostgreSQL 11 ms, against 1.2 ms.
    """
    if name == "lifecycle":
        select = _filtered(sa.select(Capability.lifecycle, Capability.lifecycle, sa.func.count()),
                           query, skip=(name,), words=words).group_by(Capability.lifecycle)
    else:
        key = Capability.team_id if name == "team" else Capability.domain_id
        counted = (_filtered(sa.select(key.label("id"), sa.func.count().label("n")), query,
                             skip=(name,), words=words).group_by(key).subquery())
        if name == "layer":
            select = sa.select(Domain.layer, Domain.layer, sa.func.sum(counted.c.n)).join_from(
                Domain, counted, counted.c.id == Domain.id).group_by(Domain.layer)
        else:
            owner = Team if name == "team" else Domain
            select = sa.select(owner.slug, owner.name, counted.c.n).join_from(
                owner, counted, counted.c.id == owner.id)
    rows = db.session.execute(select).all()
    return sorted(((value, label, int(n)) for value, label, n in rows), key=_FACET_ORDER[name])


# -- query building ------------------------------------------------------------


@dataclass(frozen=True)
class SearchWords:
    """What each word of a search text finds: ids for words of three or more
    characters (:func:`catalog.search.word_matches`), shorter ones as typed."""

    found: tuple[list[int], ...]
    short: tuple[str, ...]

    @cached_property
    def conditions(self) -> list[sa.ColumnElement[bool]]:
        """One SQL condition per word (see :func:`text_matches`), made when first asked for."""
        # Shorter than a trigram: the capability's own text only ("e" is everywhere).
        return ([Capability.search_text.contains(word, autoescape=True) for word in self.short]
                + [_id_in(ids) for ids in self.found])

    def ids(self) -> set[int] | None:
        """Return the ids every word found, or None when a short word is matched in SQL."""
        if self.short or not self.found:
            return None
        return set(self.found[0]).intersection(*self.found[1:])


def search_words(q: str) -> SearchWords:
    """Return what each word of the search text ``q`` finds."""
    words = q.lower().split()
    return SearchWords(tuple(word_matches(word) for word in words if len(word) >= FTS_MIN_WORD),
                       tuple(word for word in words if len(word) < FTS_MIN_WORD))


def text_matches(q: str) -> list[sa.ColumnElement[bool]]:
    """Return one condition per word of ``q``: the word names the capability or its context.

    A word matches a capability when it occurs in its search text (slug,
    name, summary, tags), or in the name or slug of its domain or owner team
    or the name of one of its APIs (:func:`catalog.search.word_matches`):
    "membership" finds every capability of the Membership domain. On SQLite
    a word of three or more characters is looked up in the FTS5 trigram index
    (migration 0002), on PostgreSQL in the texts the search index keeps.
    Shorter words are matched with LIKE everywhere (pg_trgm's index on
    PostgreSQL), against the capability's own text only. A longer word's
    ids are bound as one value: the count and the page look each up by its
    key ("own text OR one of these ids" scanned the table instead, twice:
    35 ms for a common word at 10,000 capabilities on PostgreSQL).
    """
    return search_words(q).conditions


def _id_in(ids: list[int]) -> sa.ColumnElement[bool]:
    """Return "the capability's id is one of ``ids``" with the ids as one bound value.

    A search word can match a thousand capabilities; bound one parameter each,
    rendering them cost more than running the query. SQLite reads a JSON
    array (``json_each``), PostgreSQL an array (``= ANY``) bound as its text
    (``{1,2,3}``): the driver wrote a list of a thousand ids element by
    element, 1.7 ms each time.
    """
    if db.engine.dialect.name == "sqlite":
        return Capability.id.in_(sa.select(sa.column("value", sa.Integer))
                                 .select_from(sa.func.json_each(json.dumps(ids))))
    array = "{" + ",".join(map(str, ids)) + "}"
    return Capability.id == sa.any_(sa.cast(sa.literal(array, sa.Text), ARRAY(sa.Integer)))


def _filtered(select: sa.Select, query: BrowseQuery, *, skip: tuple[str, ...] = (),
              words: list[sa.ColumnElement[bool]] | None = None) -> sa.Select:
    """Apply the search words and every filter of ``query`` except those in ``skip``.

    Filters are conditions on the capability row alone (no joins), so a
    count or a GROUP BY over the result reads one table. ``words`` are
    :func:`text_matches` of ``query.q`` when the caller already has them (one
    browse builds them once for all its statements).
    """
    select = select.where(*(text_matches(query.q) if words is None else words))
    # A slug names one row: "= (subquery)" lets the planner weigh the index on the column,
    # where "IN (subquery)" made SQLite walk the whole catalog in name order.
    if query.domain and "domain" not in skip:
        select = select.where(Capability.domain_id == (
            sa.select(Domain.id).where(Domain.slug == query.domain).scalar_subquery()))
    if query.layer and "layer" not in skip:
        select = select.where(Capability.domain_id.in_(
            sa.select(Domain.id).where(Domain.layer == query.layer)))
    if query.lifecycle and "lifecycle" not in skip:
        select = select.where(Capability.lifecycle == query.lifecycle)
    if query.team and "team" not in skip:
        select = select.where(Capability.team_id == (
            sa.select(Team.id).where(Team.slug == query.team).scalar_subquery()))
    if query.tier and "tier" not in skip:
        select = select.where(Capability.tier == int(query.tier))
    if query.tag and "tag" not in skip:
        select = select.where(Capability.id.in_(
            sa.select(CapabilityTag.capability_id).where(CapabilityTag.tag == query.tag)))
    return select


def _ordered(select: sa.Select, query: BrowseQuery) -> sa.Select:
    """Order ``select`` (of capabilities) as ``query`` asks; best match first is by name here
    (:func:`catalog.search.ranked` orders the matches in memory)."""
    sort = query.effective_sort
    name = sa.func.lower(Capability.name)
    if sort == "-updated":
        return select.order_by(Capability.updated_at.desc(), Capability.id.desc())
    if sort == "tier":
        return select.order_by(Capability.tier, name, Capability.id)
    if sort == "-consumers":
        return select.order_by(_DIRECT_CONSUMERS.desc(), name, Capability.id)
    return select.order_by(name, Capability.id)


def _counts(query: BrowseQuery, words: list[sa.ColumnElement[bool]]
            ) -> tuple[int, dict[str, list[tuple[str, str, int]]]]:
    """Return the total and the domain, layer, team and lifecycle facets in one statement.

    One GROUP BY over (domain, team, lifecycle) of the capabilities that match
    the words and the tag (read from a covering index, migration 0004) gives a
    few hundred rows at most; each facet then sums the rows that pass every
    other facet filter.
    """
    cube = (_filtered(sa.select(Capability.domain_id, Capability.team_id, Capability.lifecycle,
                                sa.func.count().label("n")), query, skip=CUBE_FACETS,
                      words=words)
            .group_by(Capability.domain_id, Capability.team_id, Capability.lifecycle)
            .subquery())
    rows = db.session.execute(
        sa.select(Domain.slug, Domain.name, Domain.layer, Team.slug, Team.name,
                  cube.c.lifecycle, cube.c.n)
        .join(cube, cube.c.domain_id == Domain.id)
        .outerjoin(Team, cube.c.team_id == Team.id)
    ).all()
    wanted = {"domain": query.domain, "layer": query.layer, "team": query.team,
              "lifecycle": query.lifecycle}
    cells = [({"domain": domain, "layer": layer, "team": team, "lifecycle": lifecycle},
              {"domain": domain_name, "layer": layer, "team": team_name, "lifecycle": lifecycle},
              n) for domain, domain_name, layer, team, team_name, lifecycle, n in rows]

    def passes(values: dict[str, str], skip: str = "") -> bool:
        return all(not want or values[name] == want
                   for name, want in wanted.items() if name != skip)

    total = sum(n for values, _, n in cells if passes(values))
    facets = {}
    for name in CUBE_FACETS:
        counts: dict[str, list] = {}
        for values, labels, n in cells:
            if values[name] is not None and passes(values, skip=name):
                counts.setdefault(values[name], [values[name], labels[name], 0])[2] += n
        facets[name] = sorted((tuple(c) for c in counts.values()), key=_FACET_ORDER[name])
    return total, facets


def _tag_facet(query: BrowseQuery, words: list[sa.ColumnElement[bool]]
               ) -> list[tuple[str, str, int]]:
    """Return the most used tags among the matches, ignoring the tag filter."""
    count = sa.func.count().label("n")
    select = sa.select(CapabilityTag.tag, CapabilityTag.tag, count).group_by(CapabilityTag.tag)
    if replace(query, tag="").filters() or query.q:
        select = select.where(CapabilityTag.capability_id.in_(
            _filtered(sa.select(Capability.id), query, skip=("tag",), words=words)))
    rows = db.session.execute(select.order_by(sa.desc("n"), CapabilityTag.tag).limit(TOP_TAGS))
    return [tuple(row) for row in rows]
