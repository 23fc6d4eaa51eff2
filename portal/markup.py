"""Template helpers: safe markdown and the globals every page uses."""

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

from catalog.models.capability import DEPENDENCY_KINDS, LAYERS, LIFECYCLES
from catalog.permissions import can_edit, can_register
from portal.auth import current_actor

_markdown = MarkdownIt("js-default", {"linkify": False}).enable("table").enable("strikethrough")

LAYER_LABELS = {
    "frontend": "Frontend",
    "business-platform": "Business platform",
    "data-platform": "Data platform",
    "infrastructure": "Infrastructure",
}


def render_markdown(text: str | None) -> Markup:
    """Render markdown to HTML with raw HTML escaped and the output sanitised."""
    html = _markdown.render(text or "")
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))


def init_templates(app: Flask) -> None:
    """Register the markdown filter and the template globals."""
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals.update(
        LAYERS=LAYERS,
        LAYER_LABELS=LAYER_LABELS,
        LIFECYCLES=LIFECYCLES,
        DEPENDENCY_KINDS=DEPENDENCY_KINDS,
        can_edit=lambda capability: can_edit(current_actor(), capability),
        can_register=lambda: current_actor() is not None and can_register(current_actor()),
    )
