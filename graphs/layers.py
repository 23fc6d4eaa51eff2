"""The order of the platform layers, from the frontends down to infrastructure.

The layer names live once, in :data:`catalog.models.capability.LAYERS`; this
module only numbers them. A dependency runs from consumer to provider, and a
provider must sit in the same layer as its consumer or below it.
"""

from catalog.models.capability import LAYERS

__all__ = ["LAYERS", "LAYER_RANK", "layer_rank"]

#: ``{layer: rank}``: frontend 0, business-platform 1, data-platform 2, infrastructure 3.
LAYER_RANK: dict[str, int] = {layer: rank for rank, layer in enumerate(LAYERS)}


def layer_rank(layer: str | None) -> int | None:
    """Return the rank of ``layer`` (0 = frontend), or None for an unknown layer.

    Examples
    --------
    >>> layer_rank("frontend"), layer_rank("infrastructure"), layer_rank("mainframe")
    (0, 3, None)
    """
    return LAYER_RANK.get(layer)
