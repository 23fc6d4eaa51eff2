"""Governance boards: scorecards, duplicate builds and readiness for a peak sale.

Pages beside the governance report (:mod:`portal.governance`), each over a
function of :mod:`graphs` computed once per catalog revision; the JSON API
of the same boards is :mod:`portal.governance_api`.
"""

from flask import Blueprint, render_template

from graphs.scorecards import LEVELS, RULES, rollup_of_catalog, trend

bp = Blueprint("boards", __name__)


@bp.get("/governance/scorecards")
def scorecards():
    """Scorecard levels per owner team, the rules, and the trend (loaded after the page)."""
    return render_template("boards/scorecards.html", rollup=rollup_of_catalog(), levels=LEVELS,
                           rules=RULES)


@bp.get("/governance/scorecards/trend")
def scorecards_trend():
    """The number of capabilities per level at the end of each recent quarter (a fragment)."""
    return render_template("boards/_scorecard_trend.html", series=trend(), levels=LEVELS)
