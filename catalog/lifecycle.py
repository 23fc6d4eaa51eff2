"""The lifecycle of a capability: which moves people may make, and when each move happened.

proposed -> approved -> production -> deprecated -> retired. Leaving
``proposed`` takes an approving review by an architect or admin
(:mod:`catalog.reviews`); deprecating takes a sunset date in the future and
may name a replacement; retiring waits until no active consumer remains.
The system itself (imports, the seed, the command line) states what another
catalog already decided, so these rules bind people, not it.

Every move is a change of the ``lifecycle`` field in the history
(:mod:`catalog.history`); :func:`lifecycle_moves` reads them back.
"""

import datetime as dt
from typing import Any

import sqlalchemy as sa

from catalog import history
from catalog.db import db
from catalog.errors import Conflict
from catalog.models import Capability, Change, ChangeScope, User
from catalog.models._time import today
from catalog.validation import Errors

__all__ = ["MOVES", "active_consumers", "check_move", "lifecycle_moves"]

#: Where a person may move a capability from each state (``proposed`` -> ``approved`` only
#: through an approving review).
MOVES: dict[str, tuple[str, ...]] = {
    "proposed": (),
    "approved": ("production", "deprecated", "retired"),
    "production": ("deprecated",),
    "deprecated": ("production", "retired"),
    "retired": (),
}
REVIEW_NEEDED = ("Leaving proposed needs an approving review by an architect or admin: ask "
                 "for one in the review queue (approval moves it to approved).")


def check_move(capability: Capability | None, cleaned: dict[str, Any], refs: dict[str, Any],
               actor: User | None, errors: Errors) -> None:
    """Check a lifecycle move and the deprecation fields, adding problems to ``errors``.

    Parameters
    ----------
    capability : Capability or None
        Its stored state (None: a new capability).
    cleaned, refs : dict
        The submitted values, cleaned, and what they name (``replacement``).
    actor : User or None
        Who moves it; None (the system) skips the people's rules.
    errors : Errors
        Field problems (422) go here.

    Raises
    ------
    Conflict
        A move the state does not allow (409): leaving ``proposed`` without
        a review, an unknown move, retiring with active consumers.
    """
    old = capability.lifecycle if capability is not None else None
    new = cleaned.get("lifecycle", old)
    sunset = cleaned.get("sunset_on", capability.sunset_on if capability is not None else None)
    if "replacement" in refs and refs["replacement"] is not None:
        replacement = refs["replacement"]
        if replacement is capability or replacement.slug == cleaned.get("slug"):
            errors.add("replacement", "A capability cannot replace itself.")
        elif replacement.lifecycle == "retired":
            errors.add("replacement", f"{replacement.slug!r} is retired; name a capability "
                                      "that is still running.")
    if actor is None or history.current_provenance().source == "import":
        return  # the system, or an import stating what another catalog decided
    sunset_changed = "sunset_on" in cleaned and (
        capability is None or cleaned["sunset_on"] != capability.sunset_on)
    if new == "deprecated" and (old != "deprecated" or sunset_changed):
        if sunset is None:
            errors.add("sunset_on", "Deprecating needs a sunset date (sunset_on, YYYY-MM-DD): "
                                    "the last day consumers can rely on it.")
        elif sunset <= today() and "sunset_on" not in errors:
            errors.add("sunset_on", f"The sunset date must be in the future (today is "
                                    f"{today().isoformat()}).")
    if errors or new == old:
        return
    if old is None:
        if new != "proposed":
            raise Conflict({"lifecycle": [
                f"A new capability starts as proposed, not {new}. {REVIEW_NEEDED}"]},
                "A review is needed.")
        return
    if old == "proposed":
        raise Conflict({"lifecycle": [REVIEW_NEEDED]}, "A review is needed.")
    if new not in MOVES[old]:
        allowed = ", ".join(MOVES[old]) or "nowhere: it is final"
        raise Conflict({"lifecycle": [(f"A capability moves from {old} to {allowed}; not to "
                                      f"{new}.")]}, "That lifecycle move is not allowed.")
    if new == "retired":
        remaining = active_consumers(capability)
        if remaining:
            shown = ", ".join(remaining[:20]) + (f" and {len(remaining) - 20} more"
                                                 if len(remaining) > 20 else "")
            raise Conflict({"lifecycle": [
                (f"{capability.slug!r} still has {len(remaining)} active consumer"
                f"{'s' if len(remaining) != 1 else ''}: {shown}. They must move off it "
                "before it can retire.")]}, "Active consumers remain.")


def active_consumers(capability: Capability) -> list[str]:
    """Return who still uses ``capability``: capabilities not retired and active adoptions.

    Capabilities as their slug, businesses as ``business:<slug>``, sorted.
    """
    capabilities = sorted(dep.consumer.slug for dep in capability.dependents
                          if dep.consumer.lifecycle != "retired")
    businesses = sorted({f"business:{adoption.business.slug}"
                         for adoption in capability.adoptions if adoption.active})
    return capabilities + businesses


#: A capability's changes, oldest first (built once: the read path of one capability by name).
_MOVES = (sa.select(Change.at, Change.actor, Change.source, Change.changes)
          .join(ChangeScope, ChangeScope.change_id == Change.id)
          .where(ChangeScope.kind == "capability", ChangeScope.slug == sa.bindparam("slug"),
                 Change.kind == "capability", Change.slug == sa.bindparam("slug"),  # the scope's index
                 Change.at <= sa.bindparam("until"))
          .order_by(Change.at, Change.id))


def lifecycle_moves(slug: str, until: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Return every lifecycle move of ``slug``, oldest first, from the history.

    Each move is ``{"from", "to", "at", "actor", "source"}``; the first is
    the state it was registered in (``from`` None). ``until``: only the
    moves made by then (the capability as of a past moment).
    """
    rows = db.session.execute(_MOVES, {"slug": slug, "until": until or dt.datetime.max})
    moves = []
    for at, actor, source, changes in rows:
        move = (changes or {}).get("lifecycle")
        if move and move[0] != move[1]:
            moves.append({"from": move[0], "to": move[1], "at": at.isoformat() + "Z",
                          "actor": actor, "source": source})
    return moves
