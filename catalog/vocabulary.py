"""The words, colours and limits every page, chart and report shares, declared once.

Layers are listed by :data:`catalog.models.capability.LAYERS`; here are their
labels, colours and tints. ``static/css/portal.css`` declares the same colours
as CSS variables (``--c-<layer>``) and a test checks that they agree. The
limits are the sizes of the reuse and delivery reports: the quarters a trend
covers, the leaderboard's length, the capabilities a matrix lists.

>>> [LAYER_LABELS[layer] for layer in LAYERS]
['Frontend', 'Business platform', 'Data platform', 'Infrastructure']
"""

from catalog.models.capability import LAYERS

__all__ = [
    "LAYERS",
    "LAYER_COLOURS",
    "LAYER_LABELS",
    "LAYER_TINTS",
    "LEADERBOARD",
    "MATRIX_CAPABILITIES",
    "OTHER_COLOUR",
    "TREND_QUARTERS",
    "USE_LABELS",
]

LAYER_LABELS = {
    "frontend": "Frontend",
    "business-platform": "Business platform",
    "data-platform": "Data platform",
    "infrastructure": "Infrastructure",
}
#: Text and marks in a layer's colour: each has at least 4.5:1 contrast on white.
LAYER_COLOURS = {
    "frontend": "#7c3aed",
    "business-platform": "#2563eb",
    "data-platform": "#0f766e",
    "infrastructure": "#b45309",
}
#: Light backgrounds of a layer (a domain's tile in the capability map).
LAYER_TINTS = {
    "frontend": "#ede9fe",
    "business-platform": "#dbeafe",
    "data-platform": "#ccfbf1",
    "infrastructure": "#fef3c7",
}
#: Anything without a layer.
OTHER_COLOUR = "#64748b"

#: How use is counted and labelled on every page and in the API (graphs.analysis computes them):
#: direct consumers are the distinct businesses adopting it and the capabilities depending on
#: it; business reach the distinct businesses that reach it through any chain of dependencies;
#: transitive reach everything that depends on it, directly or not (its impact).
USE_LABELS = {
    "direct_consumers": "Direct consumers",
    "business_reach": "Business reach",
    "transitive_reach": "Transitive reach",
}

#: Quarters of the reuse and lead-time trends (home page, reuse page, API).
TREND_QUARTERS = 12
#: Capabilities on the reuse leaderboard and the home page's "most reused".
LEADERBOARD = 20
#: Capabilities (by business reach) in the business x capability matrix.
MATRIX_CAPABILITIES = 50
