"""What a capability page shows of governance: lifecycle moves, the review thread, deprecations."""

from typing import Any

from catalog import reviews
from catalog.lifecycle import lifecycle_moves
from catalog.models import Capability
from catalog.models.governance import DECISIONS
from portal.auth import current_actor


def governance_context(capability: Capability, review_errors: dict[str, list[str]],
                       review_data: dict[str, str]) -> dict[str, Any]:
    """Return the lifecycle moves, the review thread and whether the visitor may review."""
    actor = current_actor()
    return {
        "lifecycle_moves": lifecycle_moves(capability.slug),
        "review_thread": reviews.reviews_of(capability),
        "may_review": actor is not None and reviews.can_review(actor)
        and capability.lifecycle == "proposed",
        "review_errors": review_errors,
        "review_data": review_data,
        "decisions": DECISIONS,
        "comment_max": reviews.COMMENT_MAX,
    }
