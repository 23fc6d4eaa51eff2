"""Who may do what: the role rules, written once.

``None`` as the actor means the system itself (command line, seeding,
imports), which may do everything.
"""

from catalog.errors import Forbidden
from catalog.models import Business, Capability, Team, User

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


def can_act_for(actor: User | None, business: Business) -> bool:
    """Return True when ``actor`` may record adoptions and deliveries of ``business``.

    The business's own team knows what it adopted and shipped: contributors
    of the team that owns the business may record both; architects, admins
    and the system may record them for any business. Viewers never.
    """
    if actor is None or actor.role in EDIT_ALL_ROLES:
        return True
    return actor.role == "contributor" and business.team_id is not None and (
        business.team_id == actor.team_id
    )


def ensure_can_act_for(actor: User | None, business: Business, what: str) -> None:
    """Raise Forbidden unless ``actor`` may record ``what`` (e.g. "adoptions") of ``business``."""
    if not can_act_for(actor, business):
        raise Forbidden(
            f"Only contributors of the team that owns {business.slug!r}, architects and "
            f"admins can record {what} for it."
        )


def can_govern(actor: User | None) -> bool:
    """Return True when ``actor`` may act for the whole catalog: architects, admins, the system.

    Importing catalogs and changing teams, domains and businesses create and
    change any team's entries at once: a governance action, not a team's.
    """
    return actor is None or actor.role in EDIT_ALL_ROLES


def ensure_can_govern(actor: User | None, what: str) -> None:
    """Raise Forbidden unless ``actor`` may govern; ``what`` says what was refused."""
    if not can_govern(actor):
        raise Forbidden(f"Only architects and admins can {what}.")


def can_incubate(actor: User | None, team: Team | None = None) -> bool:
    """Return True when ``actor`` may save and adopt incubation plans of ``team``.

    Business leads are contributors: they plan for their own team (a plan
    without a team is anyone's who may write); architects, admins and the
    system plan for any team. Viewers read plans only.
    """
    if actor is None or actor.role in EDIT_ALL_ROLES:
        return True
    return actor.role == "contributor" and (team is None or team.id == actor.team_id)


def ensure_can_incubate(actor: User | None, team: Team | None = None) -> None:
    """Raise Forbidden unless ``actor`` may save and adopt plans of ``team``."""
    if not can_incubate(actor, team):
        if actor is not None and actor.role == "contributor":
            raise Forbidden("Contributors save and adopt incubation plans of their own team only.")
        raise Forbidden("Only contributors, architects and admins can save and adopt "
                        "incubation plans.")
