"""Reviews on the web: the queue for architects, and the decision form on a capability page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from catalog import reviews
from catalog.errors import Forbidden, ValidationFailed
from portal.auth import current_actor
from portal.capabilities import detail_page

bp = Blueprint("reviews", __name__)


@bp.get("/governance/reviews")
@login_required
def queue():
    """Capabilities waiting for a review (or the decisions taken), for architects and admins."""
    actor = current_actor()
    if not reviews.can_review(actor):
        raise Forbidden("The review queue is for architects and admins.")
    filters = reviews.ReviewFilters.from_args(request.args)
    page = reviews.list_reviews(filters)
    return render_template("governance/reviews.html", page=page, filters=filters,
                           pending=reviews.pending_count(), decisions=reviews.DECISIONS)


@bp.post("/capabilities/<slug>/reviews")
@login_required
def decide(slug: str):
    """The review form of a capability page: decide, then back to the page (or the queue)."""
    data = {"decision": request.form.get("decision", ""),
            "comment": request.form.get("comment", "")}
    try:
        review = reviews.decide(slug, data, current_actor())
    except ValidationFailed as exc:
        return detail_page(slug, review_errors=exc.errors, review_data=data, status=exc.status)
    words = {"approve": "Approved", "reject": "Rejected", "changes": "Asked for changes on"}
    flash(f"{words[review.decision]} {review.capability.name}.", "success")
    if request.form.get("next") == "queue":
        return redirect(url_for(".queue"))
    return redirect(url_for("capabilities.detail", slug=slug) + "#reviews")


@bp.app_context_processor
def _review_helpers() -> dict:
    def review_count() -> int | None:
        """Capabilities waiting for review, for the navigation of architects and admins."""
        actor = current_actor()
        if actor is None or not reviews.can_review(actor):
            return None
        return reviews.pending_count()

    return {"review_count": review_count}


