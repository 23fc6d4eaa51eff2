"""Demo data for incubation: a business started from a saved plan, and a plan still open.

Written through the services a business lead's forms call (the organisation,
plan and adoption services), so the plans, the new business and its
adoptions are in history like any other write. Called once by
:func:`catalog.seed.seed_demo`.
"""

from catalog import organisation
from catalog.incubation import adopt_plan, save_plan

__all__ = ["seed_incubation"]

#: A pet-supplies community started from a plan: adopted in one step.
PET_CLUB = {
    "name": "Pet Club",
    "purpose": "A community shop for pet owners: subscriptions for food, vets on call, "
               "and second-hand gear between members.",
    "capabilities": ["member-account", "product-center", "cart", "checkout", "order-center",
                     "payment-gateway", "coupon-center", "customer-service-im",
                     "push-notification", "secondhand-escrow"],
    "needs": ["Vet appointment booking"],
    "team": "pet-club-team",
}
#: Lingxi's next step, planned and not adopted yet (its need is for a proposed capability).
LINGXI_GROUPS = {
    "name": "Lingxi group buying",
    "purpose": "Friends buy together at a group price; the post that sold it earns points.",
    "capabilities": ["group-buying", "lingxi-social-feed", "points-center", "red-envelope",
                     "livestream-commerce"],
    "needs": ["Split payment between friends", "Group leader commission"],
    "team": "lingxi-team",
}


def seed_incubation() -> str:
    """Save the demo plans and start Pet Club from the first one; return what was done."""
    organisation.save_team({"slug": "pet-club-team", "name": "Pet Club Incubation",
                            "kind": "business", "contact": "pet-club-team@example.com",
                            "description": "Incubates Pet Club on the shared platform."}, None)
    pet_club = save_plan(PET_CLUB, None)
    adopt_plan(pet_club, {"slug": "pet-club"}, None)
    save_plan(LINGXI_GROUPS, None)
    return "Saved 2 incubation plans; Pet Club is incubating from the first."
