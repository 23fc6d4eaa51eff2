"""networkx over the catalog: build the dependency graph and analyse it.

Edges run consumer -> provider. :func:`graphs.build.build_graph` is the only
function that reads the database; the others (:mod:`graphs.analysis` and the
modules beside it) are pure functions of a graph.
"""
