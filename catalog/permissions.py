"""Who may do what: the role rules, written once.

``None`` as the actor means the system itself (command line, seeding,
imports), which may do everything.
"""

from catalog.errors import Forbidden
from catalog.models import Capability, Team, User

EDIT_ALL_ROLES = ("architect", "admin")
WRITE_ROLES = ("contributor", *EDIT_ALL_ROLES)


def can_register(actor: User | None, team: Team | None = None) -> bool:
    """Return True when ``actor`` may register a capability owned by ``team``."""
    if actor is None or actor.role in EDIT_ALL_ROLES:
        return True
    if actor.role != "contributor":
        return False
    return team is None or team.id == actor.team_id


def can_edit(actor: User | None, capability: Capability) -> bool:
    """Return True when ``actor`` may change ``capability``."""
    if actor is None or actor.role in EDIT_ALL_ROLES:
        return True
    return actor.role == "contributor" and capability.team_id is not None and (
        capability.team_id == actor.team_id
    )


def ensure_can_register(actor: User | None, team: Team | None = None) -> None:
    """Raise Forbidden unless ``actor`` may register for ``team``."""
    if not can_register(actor, team):
        if actor is not None and actor.role == "contributor":
            raise Forbidden("Contributors register capabilities for their own team only.")
        raise Forbidden("Your role cannot register capabilities; ask an admin for contributor access.")


def ensure_can_edit(actor: User | None, capability: Capability) -> None:
    """Raise Forbidden unless ``actor`` may change ``capability``."""
    if not can_edit(actor, capability):
        raise Forbidden(
            f"Only the owner team of {capability.slug!r}, architects and admins can change it."
        )
