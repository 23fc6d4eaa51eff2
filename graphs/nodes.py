"""Node ids of the catalog graph: ``capability:<slug>``, ``business:<slug>``, ``domain:<slug>``.

The prefix keeps a capability and a business with the same slug apart, and
lets the JSON and the figures say what a node is without a lookup.

>>> capability_node("order-center"), business_node("taobao"), domain_node("transaction")
('capability:order-center', 'business:taobao', 'domain:transaction')
"""

__all__ = ["NODE_KINDS", "business_node", "capability_node", "domain_node", "parse_node"]

NODE_KINDS = ("capability", "business", "domain")


def capability_node(slug: str) -> str:
    """Return the node id of the capability ``slug``."""
    return f"capability:{slug}"


def business_node(slug: str) -> str:
    """Return the node id of the business ``slug``."""
    return f"business:{slug}"


def domain_node(slug: str) -> str:
    """Return the node id of the domain ``slug`` in an aggregated graph."""
    return f"domain:{slug}"


def parse_node(node: str) -> tuple[str, str]:
    """Split a node id into its kind and slug.

    Parameters
    ----------
    node : str
        A node id such as ``"capability:order-center"``.

    Returns
    -------
    tuple of (str, str)
        ``(kind, slug)``, kind being one of :data:`NODE_KINDS`.

    Raises
    ------
    ValueError
        If ``node`` is not a string of the form ``<kind>:<slug>`` with a known kind.

    Examples
    --------
    >>> parse_node("business:taobao")
    ('business', 'taobao')
    >>> parse_node("taobao")
    Traceback (most recent call last):
    ...
    ValueError: not a catalog node id: 'taobao'
    """
    kind, sep, slug = node.partition(":") if isinstance(node, str) else ("", "", "")
    if not sep or not slug or kind not in NODE_KINDS:
        raise ValueError(f"not a catalog node id: {node!r}")
    return kind, slug
