"""The governance page: where the platform is tangled, orphaned or fragile.

Each section is a :class:`~portal.listing.Listing` over the governance report
of a graph (:func:`graphs.reports.governance_report`): filtered, paged and
exported the same way. A new section is one more entry in :data:`SECTIONS`.
"""

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, render_template, request

from catalog.backstage import latest_import
from graphs.cache import derived
from graphs.reports import governance_report
from portal.history import page_as_of
from portal.http import page_or_fragment
from portal.listing import CAPABILITY, LIFECYCLE, TEAM, TIER, Column, Listing, capability_rows

bp = Blueprint("governance", __name__)

LAYER = Column("Layer", "layer", "layer")


SECTIONS: dict[str, Listing] = {listing.key: listing for listing in (
    Listing("cycles", "Dependency cycles",
            (Column("Capabilities in the loop", "slugs", "slugs"), Column("Size", "size", "number")),
            search=("slugs",), empty="No cycles.",
            description="Capabilities that depend on each other in a loop cannot be released, "
                        "scaled or retired one at a time.",
            rows=lambda report: [{"slugs": c, "size": len(c)}
                                 for c in report["cycles"]["components"]]),
    Listing("layering", "Layering breaks",
            (Column("Consumer", "consumer", "capability"),
             Column("Consumer layer", "consumer.layer", "layer"),
             Column("depends on", "provider", "capability"),
             Column("Provider layer", "provider.layer", "layer"),
             Column("Owner of the consumer", "consumer.team", "team")),
            filters=(Column("Consumer layer", "consumer.layer", "layer"),
                     Column("Provider layer", "provider.layer", "layer"),
                     Column("Owner of the consumer", "consumer.team", "team")),
            search=("consumer", "provider"), empty="No layering breaks.",
            description="A lower layer must not depend on a higher one (infrastructure on "
                        "business platform, for example).",
            rows=lambda report: report["layering_breaks"]),
    Listing("blast", "Highest blast radius",
            (CAPABILITY, Column("Dependents", "dependents", "number"),
             Column("Go down with it", "sync_dependents", "number"),
             Column("Businesses reached", "business_reach", "number"), TIER,
             Column("Impact", "slug", "impact")),
            empty="The catalog is empty.",
            description="The capabilities the most capabilities depend on, directly or not "
                        "(those that go down with it: through synchronous links only); change "
                        "them with care before a peak sale.",
            rows=capability_rows("blast_radius")),
    Listing("unowned", "No owner team", (CAPABILITY, LAYER, LIFECYCLE),
            filters=(LAYER, LIFECYCLE), search=("capability",),
            empty="Every capability has an owner.", rows=capability_rows("unowned")),
    Listing("unused", "No consumers", (CAPABILITY, LAYER, LIFECYCLE, TEAM),
            filters=(LAYER, LIFECYCLE, TEAM), search=("capability",),
            empty="Every live capability is used.",
            description="Approved, in production or deprecated, and used by no business or "
                        "capability. Front ends (BFFs, app gateways) are left out: they "
                        "consume by nature.",
            rows=capability_rows("unused")),
    Listing("import", "Warnings of the last import", (Column("Warning", "warning", "code"),),
            search=("warning",), per_page=50, empty="No warnings.",
            rows=lambda last: [{"warning": w} for w in last["warnings"]] if last else []),
)}


@bp.get("/governance")
def index():
    """Every section, first page, unfiltered; each section then pages and filters in place.

    ``as_of`` shows the report of the catalog as it was then.
    """
    as_of = page_as_of()
    views = [listing.view(_source(key, as_of), {}) for key, listing in SECTIONS.items()]
    return render_template("governance/index.html", views=views[:-1], warnings=views[-1],
                           last_import=latest_import(), as_of=as_of)


@bp.get("/governance/<key>")
def section(key: str):
    """One section with its filters and page (htmx: the section alone)."""
    listing = _listing(key)
    as_of = page_as_of()
    view = listing.view(_source(key, as_of), request.args)
    return page_or_fragment("governance/section.html", "governance/_section.html",
                            view=view, as_of=as_of)


@bp.get("/governance/<key>.csv")
def section_csv(key: str):
    """Every row of a section that passes its filters, as CSV."""
    listing = _listing(key)
    return Response(listing.csv(_source(key, page_as_of()), request.args),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=governance-{key}.csv"})


def _listing(key: str) -> Listing:
    if key not in SECTIONS:
        abort(404)
    return SECTIONS[key]


def _source(key: str, as_of: dt.datetime | None) -> Any:
    """What section ``key`` lists rows of: the last import, or the governance report of the
    catalog (as of a moment), computed once per revision or moment."""
    if key == "import":
        return latest_import()
    return derived("governance", governance_report, as_of=as_of)
