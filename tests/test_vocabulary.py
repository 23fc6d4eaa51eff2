"""Layer names, colours and limits are declared once (catalog.vocabulary) and agree everywhere."""

import re
from pathlib import Path

from catalog import vocabulary
from graphs import charts, figures
from graphs.metrics import reuse_matrix, reuse_metrics, reuse_over_time

CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "portal.css"


def test_portal_css_layer_variables_match_the_vocabulary():
    declared = dict(re.findall(r"--c-([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    assert declared == vocabulary.LAYER_COLOURS


def test_every_layer_has_a_label_a_colour_and_a_tint():
    for table in (vocabulary.LAYER_LABELS, vocabulary.LAYER_COLOURS, vocabulary.LAYER_TINTS):
        assert tuple(table) == vocabulary.LAYERS


def test_layer_colours_are_readable_on_white():
    """Regression: the data platform's teal (#0d9488) had 3.7:1, under WCAG AA's 4.5:1."""

    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for layer, colour in vocabulary.LAYER_COLOURS.items():
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, layer


def test_charts_and_the_graph_use_the_vocabulary():
    assert figures.LAYER_COLORS is vocabulary.LAYER_COLOURS
    assert all(figures.BAND_LABELS[layer] == label
               for layer, label in vocabulary.LAYER_LABELS.items())
    tiles = charts.capability_treemap([{"slug": "mq", "name": "MQ", "layer": "infrastructure",
                                        "domain": "middleware", "domain_name": "Middleware", "lifecycle": "production",
                                        "business_reach": 2}])["data"][0]
    assert "Infrastructure" in tiles["labels"]
    assert vocabulary.LAYER_COLOURS["infrastructure"] in tiles["marker"]["colors"]


def test_report_limits_default_to_the_vocabulary():
    assert reuse_metrics.__kwdefaults__["top"] == vocabulary.LEADERBOARD
    assert reuse_matrix.__kwdefaults__["top"] == vocabulary.MATRIX_CAPABILITIES
    assert reuse_over_time.__kwdefaults__["quarters"] == vocabulary.TREND_QUARTERS
