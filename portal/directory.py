"""Team, business and domain pages."""

from dataclasses import replace

from flask import Blueprint, make_response, render_template, request

from catalog import directory
from catalog.browse import BrowseQuery, browse
from catalog.paging import Page
from catalog.validation import Errors, check_page
from portal.http import is_fragment_request
from portal.insights import business_insights

bp = Blueprint("directory", __name__)


@bp.get("/teams")
def teams():
    return render_template("directory/teams.html", teams=directory.all_teams(),
                           owned=directory.capability_counts_by("team"))


@bp.get("/teams/<slug>")
def team(slug: str):
    team = directory.get_team(slug)
    return _with_capabilities("directory/team.html", BrowseQuery(team=team.slug), team=team)


@bp.get("/businesses")
def businesses():
    return render_template("directory/businesses.html", businesses=directory.all_businesses(),
                           adopted=directory.adoption_counts())


@bp.get("/businesses/<slug>")
def business(slug: str):
    business = directory.get_business(slug)
    return render_template("directory/business.html", business=business,
                           **business_insights(business))


@bp.get("/domains")
def domains():
    return render_template("directory/domains.html", domains=directory.all_domains(),
                           counts=directory.capability_counts_by("domain"))


@bp.get("/domains/<slug>")
def domain(slug: str):
    domain = directory.get_domain(slug)
    return _with_capabilities("directory/domain.html", BrowseQuery(domain=domain.slug),
                              domain=domain)


def _with_capabilities(template: str, query: BrowseQuery, **context):
    """A team's or domain's page with one page of its capabilities (htmx: that page alone)."""
    errors = Errors()
    query = replace(query, sort="name", page=check_page(request.args.get("page"), errors))
    errors.raise_if_any()
    result = browse(query, with_facets=False)
    page = Page(result.items, result.total, query.page, query.per_page)
    if is_fragment_request():
        template = "directory/_capabilities.html"
    response = make_response(render_template(template, page=page, query=query,
                                             consumers=result.consumers, **context))
    response.vary.add("HX-Request")
    return response
