"""The demo's governance: reviews waiting in the queue and a deprecation under way.

Called once at the end of the demo seed (:func:`catalog.seed.seed_demo`),
through the same services as the pages and the API, so each step is in the
history: the architect asks for changes on one proposed capability (whose
team then changes it, so it waits again), another waits untouched; the old
promotion rules get a sunset date, a replacement and their consumer teams'
migration statuses.
"""

import datetime as dt

import sqlalchemy as sa

from catalog import deprecation, reviews
from catalog.capabilities import get_capability, update_capability
from catalog.db import db
from catalog.models import User
from catalog.models._time import today

__all__ = ["seed_governance"]

#: (capability, sunset in days, replacement, {team: (status, note)}).
DEPRECATIONS = (
    ("legacy-promotion-rules", 75, "promotion-engine", {
        "trade-team": ("in-progress", ("Presale reads prices from the promotion engine; "
                                      "deposits next.")),
        "tmall-team": ("not-started", "Brand-store promotions move after the autumn sale."),
    }),
    ("legacy-member-profile", 40, "member-account", {
        "customer-service-team": ("done", "The agent desk reads member-account since June."),
    }),
)


def seed_governance() -> None:
    """Add the demo's reviews and deprecation plans (the demo catalog must be seeded)."""
    architect = db.session.scalar(sa.select(User).where(User.username == "architect"))
    reviews.decide("realtime-user-features", {
        "decision": "changes",
        "comment": "Name the feature store it reads and give a p99 latency target before "
                   "approval."}, architect)
    update_capability(get_capability("realtime-user-features"), {"sla_p99_ms": 30}, None)
    for slug, days, replacement, migrations in DEPRECATIONS:
        update_capability(get_capability(slug), {
            "sunset_on": today() + dt.timedelta(days=days), "replacement": replacement}, None)
        for team, (status, note) in migrations.items():
            deprecation.set_migration_status(slug, team, {"status": status, "note": note}, None)
