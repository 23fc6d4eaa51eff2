"""Template helpers: safe markdown and the globals every page uses."""

import functools
import os

import nh3
from flask import Flask, current_app, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from catalog.models.capability import DEPENDENCY_KINDS, LAYERS, LIFECYCLES
from catalog.permissions import can_edit, can_register
from catalog.vocabulary import LAYER_LABELS, USE_LABELS
from graphs.charts import figure_table
from portal.auth import current_actor

_markdown = MarkdownIt("js-default", {"linkify": False}).enable("table").enable("strikethrough")



def render_markdown(text: str | None) -> Markup:
    """Render markdown to HTML with raw HTML escaped and the output sanitised."""
    html = _markdown.render(text or "")
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))


def without_lead(description: str | None, summary: str | None) -> str:
    """Return ``description`` without a first paragraph that only repeats ``summary``.

    >>> without_lead("Caches keys.\\n\\nRedis inside.", "Caches keys.")
    'Redis inside.'
    >>> without_lead("Caches keys and more.", "Caches keys.")
    'Caches keys and more.'
    """
    text = (description or "").strip()
    lead, _, rest = text.partition("\n\n")
    if summary and " ".join(lead.split()) == " ".join(summary.split()):
        return rest.strip()
    return text


def init_templates(app: Flask) -> None:
    """Register the markdown filter, the template globals and static versions."""
    app.url_defaults(_static_version)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["without_lead"] = without_lead
    app.jinja_env.globals.update(
        LAYERS=LAYERS,
        LAYER_LABELS=LAYER_LABELS,
        USE_LABELS=USE_LABELS,
        LIFECYCLES=LIFECYCLES,
        DEPENDENCY_KINDS=DEPENDENCY_KINDS,
        can_edit=lambda capability: can_edit(current_actor(), capability),
        can_register=lambda: current_actor() is not None and can_register(current_actor()),
        page_url=page_url,
        chart_table=figure_table,
    )


def page_url(endpoint: str, args: dict, number: int, param: str = "page", **values) -> str:
    """Return the URL of page ``number`` of a list (a template global for the pager macro).

    ``args`` are the list's other parameters; page 1 is left out of the URL.
    """
    return url_for(endpoint, **{**args, **values, param: number if number > 1 else None})


def _static_version(endpoint: str, values: dict) -> None:
    """Add ``?v=<mtime>`` to static URLs, so browsers may cache them for a year."""
    if endpoint == "static" and "filename" in values:
        values.setdefault("v", _file_version(current_app.static_folder, values["filename"]))


@functools.lru_cache(maxsize=256)
def _file_version(folder: str, filename: str) -> int:
    try:
        return int(os.stat(os.path.join(folder, filename)).st_mtime)
    except OSError:
        return 0
