"""CSV cells that a spreadsheet opens as text, never runs as a formula.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
a formula to Excel, LibreOffice and Google Sheets (CSV injection:
``=HYPERLINK(...)``, ``=cmd|...``). Every CSV the portal writes passes its text
cells through :func:`neutralise`, which puts a ``'`` in front; the deliveries
import passes cells back through :func:`restore`, so an export imports back
unchanged. Text that already starts with quotes and then such a character gets
one more quote, so the two are exact inverses.

>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("Gift cards"), neutralise(-3)
('\\'=HYPERLINK("http://x")', 'Gift cards', -3)
>>> restore(neutralise("'=already quoted")) == "'=already quoted"
True
"""

import re
from typing import Any

__all__ = ["neutralise", "restore"]

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value: Any) -> Any:
    """Return ``value`` with a ``'`` in front when a spreadsheet would run it; others as given."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """Undo :func:`neutralise` on a cell read back from a CSV the portal wrote."""
    return text[1:] if _NEUTRALISED.match(text) else text
