"""Reading the operations out of an attached OpenAPI document."""

import functools
from typing import Any

from catalog.validation import parse_spec

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(spec_text: str) -> list[dict[str, str]]:
    """List the operations of an OpenAPI (or Swagger) document.

    Returns
    -------
    list of dict
        ``{"method", "path", "summary", "operation_id"}`` in document order;
        empty when the text is not an OpenAPI document, or is one that
        :func:`catalog.validation.read_spec` refuses (anchors and aliases, deep
        nesting: a spec stored before those rules is shown without operations).

    Examples
    --------
    >>> operations("paths: {/pets: {get: {summary: List pets}}}")
    [{'method': 'GET', 'path': '/pets', 'summary': 'List pets', 'operation_id': ''}]
    """
    return [dict(op) for op in _operations(spec_text)] if spec_text else []


@functools.lru_cache(maxsize=32)
def _operations(spec_text: str) -> tuple[dict[str, str], ...]:
    """Parse once per text: a capability page lists the operations of every spec it has."""
    doc = parse_spec(spec_text)
    paths = doc.get("paths") if doc else None
    if not isinstance(paths, dict):
        return ()
    found = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if str(method).lower() not in HTTP_METHODS or not isinstance(op, dict):
                continue
            found.append({
                "method": str(method).upper(),
                "path": str(path),
                "summary": _text(op.get("summary") or op.get("description")),
                "operation_id": _text(op.get("operationId")),
            })
    return tuple(found)


def _text(value: Any) -> str:
    """Return a scalar as one line of at most 200 characters (a list or mapping: nothing)."""
    if not value or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())[:200]
