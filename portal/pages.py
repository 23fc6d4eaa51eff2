"""The home page and the health check."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, render_template

from catalog.audit import current_revision
from catalog.db import db
from catalog.overview import capability_map, catalog_counts
from portal.insights import home_insights

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("home.html", counts=catalog_counts(), layers=capability_map(),
                           **home_insights())


@bp.get("/healthz")
def healthz():
    """Report whether the database answers, and the catalog revision."""
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok", revision=current_revision())
