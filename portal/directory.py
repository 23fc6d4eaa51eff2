"""Team, business and domain pages."""

from flask import Blueprint, render_template

from catalog import directory
from catalog.browse import consumer_counts
from portal.insights import business_insights

bp = Blueprint("directory", __name__)


@bp.get("/teams")
def teams():
    return render_template("directory/teams.html", teams=directory.all_teams(),
                           owned=directory.capability_counts_by("team"))


@bp.get("/teams/<slug>")
def team(slug: str):
    team = directory.get_team(slug)
    capabilities = directory.team_capabilities(team)
    return render_template("directory/team.html", team=team, capabilities=capabilities,
                           consumers=consumer_counts([c.id for c in capabilities]))


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
    capabilities = directory.domain_capabilities(domain)
    return render_template("directory/domain.html", domain=domain, capabilities=capabilities,
                           consumers=consumer_counts([c.id for c in capabilities]))
