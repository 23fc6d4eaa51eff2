"""networkx over the catalog: build the dependency graph and analyse it.

Edges run consumer -> provider. :func:`build_graph` is the only function that
reads the database; the others are pure functions of a graph.
"""

from graphs.analysis import (
    aggregate_by_domain,
    business_reach,
    collapse,
    cycles,
    dependencies_of,
    ego_subgraph,
    filter_nodes,
    impact_of,
    keystones,
    layering_breaks,
    paths_between,
    project,
)
from graphs.build import build_graph
from graphs.layers import LAYER_RANK, layer_rank
from graphs.nodes import business_node, capability_node, domain_node, parse_node

__all__ = [
    "LAYER_RANK",
    "aggregate_by_domain",
    "build_graph",
    "business_node",
    "business_reach",
    "capability_node",
    "collapse",
    "cycles",
    "dependencies_of",
    "domain_node",
    "ego_subgraph",
    "filter_nodes",
    "impact_of",
    "keystones",
    "layer_rank",
    "layering_breaks",
    "parse_node",
    "paths_between",
    "project",
]
