"""YAML from users, read without the ways a small text can eat the server.

PyYAML's safe loader still expands aliases without limit (a few hundred bytes of
nested aliases become a billion values and gigabytes once printed) and recurses
once per level of nesting (a few thousand ``[`` overflow the stack). Before
anything is built, the text's events are scanned (by libyaml when PyYAML has it,
five times faster than pure Python) and it is refused for anchors or aliases
(catalog descriptors and API specs never need them: write the value out), more
than ``max_nodes`` nodes, nesting deeper than :data:`MAX_DEPTH` or a NUL
character (which no database stores in text). A refusal is a
:class:`yaml.YAMLError` whose ``problem`` says what and whose mark says where.

Examples
--------
>>> load("paths: {/pets: {get: {summary: List pets}}}")
{'paths': {'/pets': {'get': {'summary': 'List pets'}}}}
>>> load("a: &x [1]\\nb: *x")
Traceback (most recent call last):
...
yaml.composer.ComposerError: YAML anchors and aliases (&name, *name) are not accepted; write the value out
  in "<unicode string>", line 1, column 4
"""

from collections.abc import Iterator
from typing import Any

import yaml

__all__ = ["MAX_DEPTH", "MAX_NODES", "load", "load_all"]

#: Nesting deeper than this is refused (OpenAPI documents and descriptors stay under 20).
MAX_DEPTH = 64
#: Nodes one text may hold unless the caller says otherwise (a 1 MB spec has ~150,000).
MAX_NODES = 300_000

NESTED = f"nested more than {MAX_DEPTH} levels deep"

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
_OPEN_EVENTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE_EVENTS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def load(text: str | bytes, *, max_nodes: int = MAX_NODES) -> Any:
    """Return the one document of ``text``; raise :class:`yaml.YAMLError` when refused."""
    check(text, max_nodes=max_nodes)
    return yaml.load(text, Loader=_LOADER)


def load_all(text: str | bytes, *, max_nodes: int = MAX_NODES) -> Iterator[Any]:
    """Return the documents of ``text`` (nodes counted over all of them), checked first."""
    check(text, max_nodes=max_nodes)
    return yaml.load_all(text, Loader=_LOADER)


def check(text: str | bytes, *, max_nodes: int = MAX_NODES) -> None:
    """Raise :class:`yaml.YAMLError` when ``text`` is malformed or refused (see the module).

    The error's ``document`` tells which document of a multi-document text
    (counting from 0) holds the problem.
    """
    place = {"document": 0}
    try:
        _scan(text, max_nodes, place)
    except yaml.YAMLError as exc:
        if isinstance(exc, yaml.MarkedYAMLError) and "nesting depth" in str(exc.problem) \
                and exc.problem_mark is not None:  # libyaml stops at 1,000 levels
            exc = yaml.composer.ComposerError(None, None, NESTED, exc.problem_mark)
        exc.document = place["document"]  # which document of the text (from 0)
        raise exc from None


def _scan(text: str | bytes, max_nodes: int, place: dict[str, int]) -> None:
    nodes = depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.DocumentEndEvent):
            place["document"] += 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            _refuse("YAML anchors and aliases (&name, *name) are not accepted; "
                    "write the value out", event)
        if isinstance(event, _NODE_EVENTS):
            nodes += 1
            if nodes > max_nodes:
                _refuse(f"more than {max_nodes:,} YAML nodes", event)
        if isinstance(event, _OPEN_EVENTS):
            depth += 1
            if depth > MAX_DEPTH:
                _refuse(NESTED, event)
        elif isinstance(event, _CLOSE_EVENTS):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent) and "\x00" in event.value:
            _refuse("a NUL character (\\0) is not accepted in text", event)


def _refuse(message: str, event: Any) -> None:
    raise yaml.composer.ComposerError(None, None, message, event.start_mark)
