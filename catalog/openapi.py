"""Reading the operations out of an attached OpenAPI document."""

from typing import Any

from catalog.validation import parse_spec

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(spec_text: str) -> list[dict[str, str]]:
    """List the operations of an OpenAPI (or Swagger) document.

    Returns
    -------
    list of dict
        ``{"method", "path", "summary", "operation_id"}`` in document order;
        empty when the text is not an OpenAPI document.

    Examples
    --------
    >>> operations("paths: {/pets: {get: {summary: List pets}}}")
    [{'method': 'GET', 'path': '/pets', 'summary': 'List pets', 'operation_id': ''}]
    """
    doc = parse_spec(spec_text) if spec_text else None
    paths = doc.get("paths") if doc else None
    if not isinstance(paths, dict):
        return []
    found = []
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method.lower() not in HTTP_METHODS or not isinstance(op, dict):
                continue
            found.append({
                "method": method.upper(),
                "path": str(path),
                "summary": _text(op.get("summary") or op.get("description")),
                "operation_id": _text(op.get("operationId")),
            })
    return found


def _text(value: Any) -> str:
    return " ".join(str(value).split())[:200] if value else ""
