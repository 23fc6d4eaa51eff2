"""The home page, the health check and plotly.js."""

from pathlib import Path

import plotly
from flask import Blueprint, jsonify, render_template, url_for

from catalog.history import current_revision
from catalog.overview import capability_map, catalog_counts
from portal.assets import send_asset
from portal.errors import DATABASE_DOWN, UNAVAILABLE, database_unavailable
from portal.incubation import home_journeys
from portal.insights import home_insights

bp = Blueprint("pages", __name__)

#: plotly.js ships inside the plotly package: served from there, never from a CDN
#: and not copied into the repository.
PLOTLY_JS_FOLDER = Path(plotly.__file__).parent / "package_data"


@bp.get("/")
def home():
    return render_template("home.html", counts=catalog_counts(), layers=capability_map(),
                           **home_insights(), **home_journeys())


@bp.get("/healthz")
def healthz():
    """Report whether the database answers, and the catalog revision: JSON, 200 or 503.

    For load balancers and monitors: a 503 takes the host out of rotation
    until its database answers again.
    """
    try:
        revision = current_revision()
    except UNAVAILABLE as exc:
        database_unavailable(exc)
        response = jsonify(status="unavailable", database="not answering", error=DATABASE_DOWN)
        response.status_code = 503
        response.headers["Retry-After"] = "10"
        return response
    return jsonify(status="ok", database="ok", revision=revision)


@bp.get("/vendor/plotly.min.js")
def plotly_js():
    """plotly.js of the installed plotly package; URLs carry its version, so cache it long."""
    return send_asset(str(PLOTLY_JS_FOLDER), "plotly.min.js")


@bp.app_template_global()
def plotly_js_url() -> str:
    """Return the versioned URL of plotly.js (a template global)."""
    return url_for("pages.plotly_js", v=plotly.__version__)
