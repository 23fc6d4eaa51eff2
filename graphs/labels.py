"""Text for plotly labels, made inert.

plotly.js reads a little HTML in every label, title and hover text (``<a
href>``, ``<b>``, ``<br>``, ``<span style>``) and decodes entities: a business
named ``<a href="https://evil.example">Shop</a>`` would be drawn as a link. Every
name that comes from the catalog goes through :func:`inert` where the figures
are built, so plotly shows it as the characters it is; markup the figures
write themselves (a ``<br>`` in a tick, ``<b>`` in a hover template) is added
around the escaped names.

>>> inert('<a href="https://evil.example">Shop</a> & co')
'&lt;a href="https://evil.example"&gt;Shop&lt;/a&gt; &amp; co'
"""

import html
from typing import Any

__all__ = ["inert"]


def inert(text: Any) -> str:
    """Return ``text`` escaped for plotly's pseudo-HTML (None: an empty string)."""
    return html.escape(str(text if text is not None else ""), quote=False)
