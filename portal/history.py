"""History pages: the changes feed (page, fragment and Atom), each entity's History section,
and what changed in the graph between two dates."""

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, Response, make_response, render_template, request, url_for

from catalog import changes, directory
from catalog.errors import ValidationFailed
from catalog.models import Change
from catalog.models._time import utcnow
from catalog.models.history import KINDS
from catalog.validation import Errors, as_of_text, check_as_of, check_view_as_of
from graphs.cache import catalog_graph
from graphs.diff import graph_diff
from portal.http import is_fragment_request

bp = Blueprint("history", __name__)

#: How many entries an Atom feed carries.
FEED_ENTRIES = 50
#: The graph diff page compares with this long ago unless told otherwise.
DIFF_DEFAULT = dt.timedelta(days=90)


@bp.get("/changes")
def index():
    """Every change, newest first, filtered by entity, team, business, domain, kind, actor, dates.

    htmx (and the History section of a page) gets the list fragment alone.
    """
    try:
        filters = changes.ChangeFilters.from_args(request.args)
        problems = {}
    except ValidationFailed as exc:
        filters, problems = changes.ChangeFilters(), exc.errors
    page = changes.list_changes(filters)
    fragment = is_fragment_request()
    template = "history/_changes.html" if fragment else "history/changes.html"
    compact = request.args.get("compact") == "1"  # an entity's History section
    context = {"page": page, "filters": filters, "problems": problems, "fragment": fragment,
               "told": _told(page.items), "compact": compact,
               "target": "#entity-changes" if compact else "#changes"}
    if not fragment:
        context.update(teams=directory.all_teams(), domains=directory.all_domains(),
                       businesses=directory.all_businesses(), kinds=KINDS)
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


@bp.get("/changes.atom")
def feed():
    """The same changes as an Atom feed, to watch the catalog (or one entity) from a reader."""
    filters = changes.ChangeFilters.from_args({**request.args, "page": 1,
                                               "per_page": FEED_ENTRIES})
    page = changes.list_changes(filters)
    body = render_template("history/feed.xml", page=page, filters=filters,
                           told=_told(page.items), updated=page.items[0].at if page.items
                           else None)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/graph/diff")
def diff():
    """What changed in the dependency graph between two dates (default: 90 days ago and now)."""
    errors = Errors()
    now = utcnow()
    start = check_as_of(request.args.get("from"), errors, "from") or (now - DIFF_DEFAULT)
    end = check_as_of(request.args.get("to"), errors, "to") or now
    if end < start:
        errors.add("to", "to must not be before from.")
    errors.raise_if_any()
    report = graph_diff(catalog_graph(start), catalog_graph(end))
    return render_template("history/diff.html", start=start, end=end, report=report,
                           names=changes.names(), today=now.date())


def entity_url(change: Change) -> str | None:
    """Return the page of what a change is about (an adoption or delivery: its business's)."""
    pages = {"capability": "capabilities.detail", "team": "directory.team",
             "domain": "directory.domain", "business": "directory.business"}
    if change.kind in pages:
        return url_for(pages[change.kind], slug=change.slug)
    if change.kind in ("review", "migration"):  # decisions and migrations of a capability
        capability = next((s.slug for s in change.scopes if s.kind == "capability"), None)
        return url_for("capabilities.detail", slug=capability) if capability else None
    if change.kind == "dismissal":
        return url_for("boards.duplicates", _anchor="dismissed")
    if change.kind == "plan" and change.slug.isdecimal():
        return url_for("incubation.plan", plan_id=int(change.slug))
    business = next((s.slug for s in change.scopes if s.kind == "business"), None)
    return url_for("directory.business", slug=business) if business else None


def entity_label(change: Change) -> str:
    """Return how a change's entity is called: its slug; an adoption "business -> capability",
    a delivery "business: title", an incubation plan its name."""
    scoped = {scope.kind: scope.slug for scope in change.scopes}
    if change.kind == "adoption" and {"business", "capability"} <= set(scoped):
        return f"{scoped['business']} -> {scoped['capability']}"
    if change.kind == "delivery" and "title" in change.changes:
        return f"{scoped.get('business', '')}: {change.changes['title'][1]}"
    if change.kind == "plan" and "name" in change.changes:
        return change.changes["name"][1]
    return change.slug


def _told(items: list[Change]) -> dict[int, list[str]]:
    """Return each change's lines in words, by id."""
    names = changes.names()
    return {change.id: changes.describe(change.changes, names, action=change.action)
            for change in items}


def page_as_of() -> dt.datetime | None:
    """Return the moment a page is asked to show (its ``as_of``); None for now; 422 if bad."""
    errors = Errors()
    moment = check_view_as_of(request.args.get("as_of"), errors)
    errors.raise_if_any()
    return moment


def url_as_of(moment: str | None = None, **drop: bool) -> str:
    """Return this page's URL asking for ``moment`` (None: now), its other parameters kept.

    Parameters named in ``drop`` (e.g. ``page=True``) are left out.
    """
    args = [(name, value) for name, value in request.args.items(multi=True)
            if name != "as_of" and not drop.get(name)]
    if moment:
        args.append(("as_of", moment))
    return request.path + ("?" + urlencode(args) if args else "")


@bp.app_context_processor
def _history_helpers() -> dict:
    return {"entity_url": entity_url, "entity_label": entity_label, "done": changes.done,
            "url_as_of": url_as_of,
            "as_of_text": as_of_text, "utc_today": lambda: utcnow().date()}
