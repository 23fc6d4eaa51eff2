"""Demo data of the governance boards, fed through the same services as every write."""

import sqlalchemy as sa

from catalog.db import db
from catalog.duplicates import dismiss_duplicate
from catalog.models import Capability, User

#: Pairs that look alike but are not duplicates, and why (decided by the demo architect).
NOT_DUPLICATES = (
    ("commission-calculation", "tax-calculation",
     ("Commission is what the platform charges merchants per order; tax is what the law "
     "charges on the sale. Different rules, owners and auditors.")),
)


def add_governance_demo() -> None:
    """Record the demo's "not a duplicate" decisions (skipping pairs the catalog lacks)."""
    architect = db.session.scalar(sa.select(User).where(User.username == "architect"))
    slugs = set(db.session.scalars(sa.select(Capability.slug)))
    for capability, other, reason in NOT_DUPLICATES:
        if {capability, other} <= slugs:
            dismiss_duplicate({"capability": capability, "other": other, "reason": reason},
                              architect)
