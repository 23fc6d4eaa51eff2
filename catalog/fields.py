"""Every field a user submits, declared once: its rule, its messages and its JSON Schema.

Each entity's input is a pydantic model whose fields are the types below
(:func:`text`, :func:`slug`, :func:`choice`, ...): a type carries its limit,
pattern or choices (pydantic enforces them) and a :class:`Say`, the words of
its messages. :func:`check` runs a model's fields over raw input (a form or a
JSON body) and adds one human message per bad field to an ``Errors``;
:func:`json_schema` gives the same model's JSON Schema to the OpenAPI
document. A limit changed here changes the check, the message and the schema.

Examples
--------
>>> from catalog.validation import Errors
>>> errors = Errors()
>>> check(TeamInput, {"slug": "Trade", "name": "x" * 121}, errors)["kind"]
'platform'
>>> errors["name"]
['Name must be at most 120 characters (got 121).']
>>> json_schema(TeamInput)[0]["properties"]["name"]["maxLength"]
120
"""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
)
from pydantic import ValidationError as _PydanticError
from pydantic.json_schema import GenerateJsonSchema

from catalog.models.capability import LAYERS
from catalog.models.org import TEAM_KINDS

__all__ = ["BusinessInput", "DomainInput", "Say", "Slug", "TeamInput", "check", "check_value", "choice",
           "json_schema", "slug", "text"]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SLUG_MAX = 63
NAME_MAX = 120
DESCRIPTION_MAX = 20_000
CONTACT_MAX = 200
STATUS_MAX = 20

#: One line of text; one line with something in it (the rules strip, then require).
SINGLE_LINE = r"^[^\r\n]*$"
SINGLE_LINE_NOT_BLANK = r"^[^\r\n]*\S[^\r\n]*$"
NOT_BLANK = r"\S"
KEBAB_CASE = ("{label} must be kebab-case: lowercase letters and digits separated by single "
              "hyphens, e.g. order-service.")


@dataclass(frozen=True)
class Say:
    """The words of a field's messages: its label and one template per kind of problem.

    Templates take ``label``, ``limit`` (the broken limit), ``got`` (the length
    given) and ``choices``.
    """

    label: str
    blank: str = "{label} is required."
    not_text: str = "{label} must be text."
    too_long: str = "{label} must be at most {limit:,} characters (got {got:,})."
    pattern: str = "{label} must be a single line."
    choice: str = "{label} must be one of: {choices}."
    choices: tuple[str, ...] = ()

    def message(self, error: Mapping[str, Any]) -> str:
        """Return the message of one pydantic error of this field."""
        kind, value = error["type"], error.get("input")
        words = {"label": self.label, "choices": ", ".join(self.choices),
                 "limit": (error.get("ctx") or {}).get("max_length"),
                 "got": len(value) if isinstance(value, str | list) else 0}
        if kind == "string_pattern_mismatch" and isinstance(value, str) and not value.strip():
            kind = "missing"
        template = {"missing": self.blank, "string_type": self.not_text,
                    "string_too_long": self.too_long, "string_pattern_mismatch": self.pattern,
                    "literal_error": self.choice}.get(kind)
        return template.format(**words) if template else error["msg"]


def as_text(value: Any) -> Any:
    """Return a value as stripped text: None is blank, a number its digits; others as given.

    >>> as_text("  Orders "), as_text(None), as_text(12), as_text({"a": 1})
    ('Orders', '', '12', {'a': 1})
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value).strip()
    return value.strip() if isinstance(value, str) else value


def text(label: str, limit: int, *, required: bool = False, multiline: bool = False) -> Any:
    """A stripped text field of at most ``limit`` characters; one line unless ``multiline``."""
    if multiline:
        pattern = NOT_BLANK if required else None
    else:
        pattern = SINGLE_LINE_NOT_BLANK if required else SINGLE_LINE
    return Annotated[str, StringConstraints(max_length=limit, pattern=pattern),
                     BeforeValidator(as_text), Say(label)]


def slug(label: str = "Slug", *, optional: bool = False) -> Any:
    """A kebab-case slug; with ``optional`` blank is allowed and gives None."""
    say = Say(label, pattern=KEBAB_CASE, too_long="{label} must be at most {limit} characters.")
    if optional:
        return Annotated[str, StringConstraints(max_length=SLUG_MAX,
                                                pattern=rf"^$|{SLUG_RE.pattern}"),
                         BeforeValidator(as_text), AfterValidator(lambda v: v or None), say]
    return Annotated[str, StringConstraints(max_length=SLUG_MAX, pattern=SLUG_RE.pattern),
                     BeforeValidator(as_text), say]


def choice(label: str, values: tuple[str, ...], default: str | None = None, *,
           message: str = Say.choice) -> Any:
    """One of ``values``; blank is ``default`` (or a problem when there is none)."""
    return Annotated[Literal[values], BeforeValidator(lambda v: as_text(v) or default or ""),
                     Say(label, choice=message, choices=values)]


Slug = slug()


class Input(BaseModel):
    """What a user submits for one entity; the fields are checked one by one (:func:`check`)."""

    model_config = ConfigDict(validate_assignment=True)


Name = text("Name", NAME_MAX, required=True)
Description = Annotated[text("Description", DESCRIPTION_MAX, multiline=True),
                        Field(description="Markdown.")]


class TeamInput(Input):
    """A team: platform, business, data or infrastructure."""

    slug: Slug
    name: Name
    description: Description = ""
    kind: choice("Team kind", TEAM_KINDS, "platform",
                 message="Team kind must be one of {choices}.") = "platform"
    contact: text("Contact", CONTACT_MAX) = ""


class DomainInput(Input):
    """A domain, in one layer."""

    slug: Slug
    name: Name
    description: Description = ""
    layer: choice("Layer", LAYERS, message="Layer must be one of {choices}.")


class BusinessInput(Input):
    """A business (a frontend), run by a business team."""

    slug: Slug
    name: Name
    description: Description = ""
    status: Annotated[
        str, StringConstraints(max_length=STATUS_MAX, pattern=TAG_RE.pattern),
        BeforeValidator(lambda v: as_text(v) or "live"),
        Say("Status", pattern=(f"Status must be one lowercase word of at most {STATUS_MAX} "
                               "characters, e.g. live or incubating."),
            too_long=(f"Status must be one lowercase word of at most {STATUS_MAX} "
                      "characters, e.g. live or incubating."))] = "live"
    team: slug(optional=True) = None


def check(model: type[Input], data: Mapping[str, Any], errors: Any, *,
          partial: bool = False) -> dict[str, Any]:
    """Check ``data`` by ``model``'s fields, adding each problem to ``errors``; return the values.

    Every field is checked on its own, so every bad one is reported at once
    and the good ones come back cleaned (a bad one as its default, or None).
    An absent field is checked as blank, or skipped with ``partial``.
    ``errors`` is a :class:`catalog.validation.Errors`.
    """
    row = model.model_construct()
    cleaned: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in data:
            value = data[name]
        elif partial:
            continue
        else:
            value = None if field.is_required() else field.get_default(call_default_factory=True)
        try:
            setattr(row, name, value)
            cleaned[name] = getattr(row, name)
        except _PydanticError as exc:
            for error in exc.errors(include_url=False):
                errors.add(_where(error["loc"]), _say(model, error["loc"]).message(error))
            cleaned[name] = None if field.is_required() else field.get_default(
                call_default_factory=True)
    return cleaned


@functools.cache
def _adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)


def check_value(kind: Any, value: Any, errors: Any, field: str) -> Any:
    """Check one value by a field type (e.g. :data:`Slug`), adding its problems under ``field``.

    Returns the clean value, or None when it is bad.

    >>> from catalog.validation import Errors
    >>> errors = Errors()
    >>> check_value(Slug, " order-service ", errors, "slug"), check_value(Slug, "", errors, "x")
    ('order-service', None)
    >>> dict(errors)
    {'x': ['Slug is required.']}
    """
    try:
        return _adapter(kind).validate_python(value)
    except _PydanticError as exc:
        say = next(m for m in reversed(get_args(kind)) if isinstance(m, Say))
        for error in exc.errors(include_url=False):
            errors.add(field, say.message(error))
        return None


def _where(loc: tuple[Any, ...]) -> str:
    """The field an error names: ``name``, or ``apis.0.name`` inside a list of rows."""
    return ".".join(str(part) for part in loc)


def _say(model: type[BaseModel], loc: tuple[Any, ...]) -> Say:
    """The words of the field at ``loc`` (the innermost field that has its own)."""
    say, owner = Say(str(loc[0])), model
    for part in loc:
        if not (isinstance(owner, type) and issubclass(owner, BaseModel)
                and part in owner.model_fields):
            continue
        field = owner.model_fields[part]
        say = next((m for m in field.metadata if isinstance(m, Say)), say)
        owner = field.annotation
    return say


class _Schema(GenerateJsonSchema):
    """JSON Schema without the titles pydantic derives from class and field names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def json_schema(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return ``model``'s JSON Schema and the schemas it refers to, by component name.

    References read ``#/components/schemas/<Model>``, as in the OpenAPI document.
    """
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}",
                                     schema_generator=_Schema)
    schema.pop("title", None)
    defs = schema.pop("$defs", {})
    for nested in defs.values():
        nested.pop("title", None)
    return schema, defs
