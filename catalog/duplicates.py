"""Duplicate builds: capabilities that look alike across teams, and "not a duplicate" decisions.

Candidates are found in two steps, so that 10,000 capabilities cost a
second rather than fifty million comparisons:

1. *Blocking*: each capability gets keys (the words of its name, pairs of
   them, its tags, its API operations); only capabilities that share a key
   held by at most :data:`BLOCK_MAX` capabilities are compared (a word every
   tenth capability has tells nothing).
2. *Scoring* with rapidfuzz: names and summaries compared word by word
   (``token_set_ratio``: order and repeated words do not matter), tags and
   API operations by the share in common. Each part that both sides have
   counts with its weight (:data:`WEIGHTS`); the reasons say which parts
   matched and how much.

Dismissals ("not a duplicate", who and why) are a table written through
:func:`dismiss_duplicate` and the history writer.
"""

import itertools
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.orm import aliased

from catalog import history
from catalog.db import db, transaction
from catalog.errors import Conflict, Forbidden
from catalog.models import Api, Capability, CapabilityTag, DuplicateDismissal, Team, User
from catalog.openapi import operations
from catalog.permissions import EDIT_ALL_ROLES
from catalog.validation import Errors, check_dismissal

__all__ = ["BLOCK_MAX", "THRESHOLD", "WEIGHTS", "Candidate", "Profile", "blocks_of", "can_dismiss",
           "candidates", "dismiss_duplicate",
           "dismissals", "dismissed_pairs", "profiles", "score_pair", "similar_to"]

#: A blocking key held by more capabilities than this is too common to compare on.
BLOCK_MAX = 40
#: The same for one capability being registered: a few hundred comparisons at most per key.
SIMILAR_BLOCK_MAX = 400
#: The score from which a pair is a candidate (0 to 100).
THRESHOLD = 60
#: How much each part counts when both capabilities have it.
WEIGHTS = {"name": 0.5, "summary": 0.3, "tags": 0.1, "operations": 0.3}
#: Words of names that say what kind of thing it is, not what it does.
GENERIC = frozenset({"a", "an", "and", "api", "apis", "center", "centre", "engine", "for",
                     "gateway", "hub", "of", "platform", "service", "services", "system", "the",
                     "to", "with", "adapter", "store", "pipeline", "management", "manager"})
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Profile:
    """What a capability is compared on."""

    slug: str
    name: str
    summary: str = ""
    team: str | None = None
    domain: str | None = None
    tags: frozenset[str] = frozenset()
    operations: frozenset[str] = frozenset()
    words: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, slug: str, name: str, summary: str = "", *, team: str | None = None,
           domain: str | None = None, tags: Iterable[str] = (),
           operations: Iterable[str] = ()) -> "Profile":
        """Return the profile of a capability (or of a name being typed in a form)."""
        return cls(slug, name, summary, team, domain, frozenset(tags), frozenset(operations),
                   tuple(dict.fromkeys(_words(name))))

    def keys(self) -> set[tuple[str, ...]]:
        """Return the blocking keys: name words and their pairs, tags, API operations."""
        keys: set[tuple[str, ...]] = {("w", w) for w in self.words}
        keys |= {("p", a, b) for a, b in itertools.combinations(sorted(self.words), 2)}
        keys |= {("t", t) for t in self.tags}
        keys |= {("o", o) for o in self.operations}
        return keys


class Candidate(NamedTuple):
    """Two capabilities that may be duplicate builds (slugs, ``a < b``), how alike and why.

    A tuple, with its reasons interned: at 10,000 capabilities a catalog can
    hold over a hundred thousand candidates, kept for a whole revision.
    """

    a: str
    b: str
    score: int
    reasons: tuple[str, ...]


def _words(text: str) -> list[str]:
    """Return the meaningful words of a name: lower case, no numbers, no generic words."""
    words = []
    for word in _WORD.findall(text.lower()):
        if word.isdigit() or word in GENERIC:
            continue
        words.append(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    return words


def score_pair(a: Profile, b: Profile) -> tuple[int, list[str]]:
    """Return how alike two capabilities are (0 to 100) and why, in words.

    Examples
    --------
    >>> a = Profile.of("checkout", "Checkout", "Turn a cart into an order.", tags=["trade"])
    >>> b = Profile.of("checkout-v2", "Checkout Service", "Turns carts into orders.",
    ...                tags=["trade", "cart"])
    >>> score, reasons = score_pair(a, b)
    >>> score >= 70, reasons[0]
    (True, 'names 100% alike')
    """
    parts: list[tuple[float, float]] = []
    reasons: list[str] = []
    name = fuzz.token_set_ratio(" ".join(a.words) or a.name.lower(),
                                " ".join(b.words) or b.name.lower())
    parts.append((WEIGHTS["name"], name))
    if name >= 60:
        reasons.append(f"names {name:.0f}% alike")
    if a.summary and b.summary:
        summary = fuzz.token_set_ratio(a.summary.lower(), b.summary.lower())
        parts.append((WEIGHTS["summary"], summary))
        if summary >= 60:
            reasons.append(f"summaries {summary:.0f}% alike")
    if a.tags and b.tags:
        shared = a.tags & b.tags
        parts.append((WEIGHTS["tags"], 100 * len(shared) / len(a.tags | b.tags)))
        if shared:
            reasons.append("tags in common: " + ", ".join(sorted(shared)[:5]))
    if a.operations and b.operations:
        shared = a.operations & b.operations
        parts.append((WEIGHTS["operations"],
                      100 * len(shared) / min(len(a.operations), len(b.operations))))
        if shared:
            reasons.append(f"{len(shared)} API operation{'s' if len(shared) > 1 else ''} in "
                           "common: " + ", ".join(sorted(shared)[:3]))
    total = sum(weight for weight, _ in parts)
    return (round(sum(weight * value for weight, value in parts) / total),
            [sys.intern(reason) for reason in reasons])


def profiles() -> dict[str, Profile]:
    """Return the profile of every capability that is not retired, by slug.

    Three column queries; API operations are read from the specs attached
    (OpenAPI documents), as ``METHOD /path``.
    """
    rows = db.session.execute(
        sa.select(Capability.id, Capability.slug, Capability.name, Capability.summary,
                  Capability.domain_id, Team.slug)
        .outerjoin(Team, Capability.team_id == Team.id)
        .where(Capability.lifecycle != "retired")).all()
    tags: dict[int, list[str]] = defaultdict(list)
    for capability_id, tag in db.session.execute(
            sa.select(CapabilityTag.capability_id, CapabilityTag.tag)):
        tags[capability_id].append(tag)
    ops: dict[int, set[str]] = defaultdict(set)
    for capability_id, spec in db.session.execute(
            sa.select(Api.capability_id, Api.spec).where(Api.spec != "")):
        ops[capability_id] |= {f"{op['method']} {op['path']}" for op in operations(spec)}
    return {slug: Profile.of(slug, name, summary, team=team, domain=str(domain), tags=tags[id_],
                             operations=ops[id_])
            for id_, slug, name, summary, domain, team in rows}


def blocks_of(found: Mapping[str, Profile]) -> dict[tuple[str, ...], list[str]]:
    """Return the capabilities holding each blocking key (:meth:`Profile.keys`)."""
    blocks: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for slug, profile in found.items():
        for key in profile.keys():
            blocks[key].append(slug)
    return blocks


def candidates(found: Mapping[str, Profile], *, linked: Iterable[tuple[str, str]] = (),
               threshold: int = THRESHOLD) -> list[Candidate]:
    """Return the pairs of capabilities that may be duplicate builds, most alike first.

    Parameters
    ----------
    found : mapping of slug to Profile
        The capabilities to look at (:func:`profiles`).
    linked : iterable of (slug, slug)
        Pairs where one uses the other (a dependency): reuse, not duplication.
    threshold : int
        The lowest score kept.

    Returns
    -------
    list of Candidate
        Pairs owned by two different teams or in two different domains only.

    Examples
    --------
    >>> found = {p.slug: p for p in (
    ...     Profile.of("points", "Loyalty Points", "Earn and burn points.", team="x"),
    ...     Profile.of("old-points", "Points", "Earn and burn loyalty points.", team="y"),
    ...     Profile.of("search", "Search", "Find products.", team="y"))}
    >>> [(c.a, c.b) for c in candidates(found)]
    [('old-points', 'points')]
    """
    skip = {tuple(sorted(pair)) for pair in linked}
    blocks = blocks_of(found)
    found_pairs = []
    for first in sorted(found):
        # Each pair once, from its first slug: no set of every pair compared.
        near = set()
        for key in found[first].keys():
            if len(blocks[key]) <= BLOCK_MAX:
                near.update(slug for slug in blocks[key] if slug > first)
        for second in sorted(near):
            a, b = found[first], found[second]
            if (a.team == b.team and a.domain == b.domain) or (first, second) in skip:
                continue
            score, reasons = score_pair(a, b)
            if score >= threshold:
                found_pairs.append(Candidate(first, second, score, tuple(reasons)))
    return sorted(found_pairs, key=lambda c: (-c.score, c.a, c.b))


def similar_to(profile: Profile, found: Mapping[str, Profile], *, limit: int = 3,
               threshold: int = THRESHOLD,
               blocks: Mapping[tuple[str, ...], list[str]] | None = None) -> list[dict[str, Any]]:
    """Return the capabilities most like ``profile`` (a capability being registered).

    ``blocks`` is :func:`blocks_of` ``found``, passed in by callers that ask
    many times (it makes a question cost the few capabilities sharing a key).

    Examples
    --------
    >>> found = {"checkout": Profile.of("checkout", "Checkout", "Turn a cart into an order.")}
    >>> [c["slug"] for c in similar_to(Profile.of("", "checkout service"), found)]
    ['checkout']
    """
    blocks = blocks if blocks is not None else blocks_of(found)
    near: set[str] = set()
    for key in profile.keys():
        members = blocks.get(key, ())
        if len(members) <= SIMILAR_BLOCK_MAX:
            near.update(members)
    near.discard(profile.slug)
    scored = []
    for slug in near:
        score, reasons = score_pair(profile, found[slug])
        if score >= threshold:
            scored.append({"slug": slug, "score": score, "reasons": reasons})
    return sorted(scored, key=lambda c: (-c["score"], c["slug"]))[:limit]


def dismissed_pairs() -> dict[tuple[str, str], dict[str, Any]]:
    """Return every dismissal by pair of slugs (sorted): ``{"reason", "actor", "at"}``."""
    return {tuple(sorted((row["a"], row["b"]))): row for row in dismissals()}


def dismissals() -> list[dict[str, Any]]:
    """Return every "not a duplicate" decision, newest first."""
    first, second = aliased(Capability), aliased(Capability)
    rows = db.session.execute(
        sa.select(first.slug, first.name, second.slug, second.name, DuplicateDismissal.reason,
                  DuplicateDismissal.actor, DuplicateDismissal.at)
        .join(first, DuplicateDismissal.first_id == first.id)
        .join(second, DuplicateDismissal.second_id == second.id)
        .order_by(DuplicateDismissal.at.desc(), DuplicateDismissal.id.desc()))
    return [{"a": a, "a_name": a_name, "b": b, "b_name": b_name, "reason": reason,
             "actor": actor, "at": at} for a, a_name, b, b_name, reason, actor, at in rows]


def can_dismiss(actor: User | None, teams: Iterable[str | None]) -> bool:
    """Return True when ``actor`` may say two capabilities (owned by ``teams``) are not duplicates.

    Architects and admins may for any pair; a contributor for a pair where
    its team owns one of the two (it knows what its own capability does).
    """
    if actor is None or actor.role in EDIT_ALL_ROLES:
        return True
    return actor.role == "contributor" and actor.team is not None and actor.team.slug in set(teams)


def dismiss_duplicate(data: Mapping[str, Any], actor: User | None) -> DuplicateDismissal:
    """Record that two capabilities are not duplicates, with who and why.

    Raises
    ------
    ValidationFailed
        A field is missing or bad, or names an unknown capability (the
        message names ``capability``, ``other`` or ``reason``).
    Forbidden
        The actor may not decide for these capabilities (:func:`can_dismiss`).
    Conflict
        The pair was dismissed already.
    """
    errors = Errors()
    clean = check_dismissal(data, errors)
    found = {}
    for name in ("capability", "other"):
        if name in errors:
            continue
        found[name] = db.session.scalar(sa.select(Capability).where(
            Capability.slug == clean[name]))
        if found[name] is None:
            errors.add(name, f"No capability has the slug {clean[name]!r}.")
    errors.raise_if_any()
    first, second = sorted(found.values(), key=lambda c: c.id)
    if not can_dismiss(actor, [c.team.slug if c.team else None for c in (first, second)]):
        raise Forbidden("Only architects, admins and contributors of a team owning one of the "
                        "two capabilities can say they are not duplicates.")
    exists = db.session.scalar(sa.select(DuplicateDismissal.id).where(
        DuplicateDismissal.first_id == first.id, DuplicateDismissal.second_id == second.id))
    if exists is not None:
        message = f"{first.slug!r} and {second.slug!r} were already marked as not duplicates."
        raise Conflict({"other": [message]})
    pair = sorted((first.slug, second.slug))
    with transaction():
        dismissal = DuplicateDismissal(first=first, second=second, reason=clean["reason"],
                                       actor=actor.username if actor is not None else None)
        db.session.add(dismissal)
        history.record(actor, "dismissal", "~".join(pair),
                       {"capabilities": pair, "reason": clean["reason"]},
                       action="not-duplicate",
                       scopes=[("capability", pair[0]), ("capability", pair[1])])
    return dismissal


