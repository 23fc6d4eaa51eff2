"""The governance page: where the platform is tangled, orphaned or fragile."""

from flask import Blueprint, render_template

from catalog.backstage import latest_import
from graphs.cache import derived
from graphs.reports import governance_report

bp = Blueprint("governance", __name__)


@bp.get("/governance")
def index():
    return render_template("governance/index.html", report=derived("governance", governance_report),
                           last_import=latest_import())
