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

import datetime as dt
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
from pydantic_core import PydanticCustomError

from catalog.models.capability import LAYERS
from catalog.models.org import TEAM_KINDS

__all__ = ["AdoptionInput", "BusinessInput", "DeliveryInput", "DismissalInput", "DomainInput",
           "Say", "Slug", "TeamInput", "check", "check_value", "choice", "date", "json_schema",
           "slug", "split_capabilities", "text", "type_schema"]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SLUG_MAX = 63
NAME_MAX = 120
DESCRIPTION_MAX = 20_000
CONTACT_MAX = 200
STATUS_MAX = 20
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The earliest date the catalog records (older ones are typing slips, and quarters are
#: labelled with four-digit years).
DATE_MIN = dt.date(1970, 1, 1)
TITLE_MAX = 200
PURPOSE_MAX = 280
EXTERNAL_REF_MAX = 120
DELIVERY_CAPABILITIES_MAX = 50
DELIVERY_SOURCES = ("form", "csv", "api")
CAPABILITY_SEPARATORS = re.compile(r"[;|]")
#: The longest reason a "not a duplicate" dismissal keeps.
DISMISSAL_REASON_MAX = 500

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
    too_many: str = "At most {limit} entries."
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
                    "literal_error": self.choice, "too_long": self.too_many}.get(kind)
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


#: The shape of a slug, as given (not stripped).
SlugText = Annotated[str, StringConstraints(max_length=SLUG_MAX, pattern=SLUG_RE.pattern)]


def slug(label: str = "Slug", *, optional: bool = False) -> Any:
    """A kebab-case slug; with ``optional`` blank is allowed and gives None."""
    say = Say(label, pattern=KEBAB_CASE, too_long="{label} must be at most {limit} characters.")
    if optional:
        return Annotated[str, StringConstraints(max_length=SLUG_MAX,
                                                pattern=rf"^$|{SLUG_RE.pattern}"),
                         BeforeValidator(as_text), AfterValidator(lambda v: v or None), say]
    return Annotated[SlugText, BeforeValidator(as_text), say,
                     Field(description=KEBAB_CASE.removeprefix("{label} must be "))]


def choice(label: str, values: tuple[str, ...], default: str | None = None, *,
           message: str = Say.choice) -> Any:
    """One of ``values``; blank is ``default`` (or a problem when there is none)."""
    return Annotated[Literal[values], BeforeValidator(lambda v: as_text(v) or default or ""),
                     Say(label, choice=message, choices=values)]


Slug = slug()


@functools.cache
def date(label: str, *, required: bool = False) -> Any:
    """A day written ``YYYY-MM-DD`` (a :class:`datetime.date` is taken as it is), not before
    :data:`DATE_MIN`; blank is None unless ``required``."""
    wrong = f"{label} must be a date written YYYY-MM-DD, e.g. 2025-07-01."

    def parse(value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            day = value
        else:
            text = as_text(value) if isinstance(value, str | None) else None
            if text == "":
                if required:
                    raise PydanticCustomError("missing", "")
                return None
            try:
                day = dt.date.fromisoformat(text) if text and DATE_RE.match(text) else None
            except ValueError:
                day = None
            if day is None:
                raise PydanticCustomError("date", wrong)
        if day < DATE_MIN:
            raise PydanticCustomError("date", f"{label} must be on or after {DATE_MIN}.")
        return day

    return Annotated[dt.date if required else dt.date | None, BeforeValidator(parse),
                     Field(description=f"YYYY-MM-DD, from {DATE_MIN} on.",
                           json_schema_extra={"pattern": DATE_RE.pattern}),
                     Say(label, blank="{label} is required (YYYY-MM-DD).")]


def split_capabilities(value: Any) -> list[Any]:
    """Return the capability slugs of a delivery: a list, or text split on ``;`` or ``|``.

    Blank items are dropped; the items are otherwise kept as given (the rules
    check them).

    Examples
    --------
    >>> split_capabilities("member-account; order-center|")
    ['member-account', 'order-center']
    >>> split_capabilities(None)
    []
    """
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in CAPABILITY_SEPARATORS.split(value) if part.strip()]
    if isinstance(value, list | tuple):
        return [item.strip() if isinstance(item, str) else item for item in value
                if not (isinstance(item, str) and not item.strip())]
    return [value]


def _slug_list(value: Any) -> list[Any]:
    if value not in (None, "") and not isinstance(value, str | list | tuple):
        raise PydanticCustomError("list", "Capabilities must be a list of slugs, or slugs "
                                          "separated by ';' or '|'.")
    return split_capabilities(value)


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


def required_slug(message: str) -> Any:
    """A slug that says ``message`` when it is blank."""
    return Annotated[Slug, Say("Slug", blank=message, pattern=KEBAB_CASE,
                               too_long="{label} must be at most {limit} characters.")]


class DeliveryInput(Input):
    """A feature a business delivered, and the capabilities it reused."""

    business: required_slug("Business is required (its slug, e.g. taobao).")
    title: text("Title", TITLE_MAX, required=True)
    requested_on: Annotated[date("Requested on", required=True),
                            Field(description="Not in the future.")]
    delivered_on: Annotated[date("Delivered on"),
                            Field(description="Not before requested_on; null: open.")] = None
    capabilities: Annotated[
        list[SlugText],
        Field(max_length=DELIVERY_CAPABILITIES_MAX,
              description="Slugs of the capabilities the feature reused."),
        BeforeValidator(_slug_list),
        Say("Capability", not_text="Each capability must be a slug (text).", pattern=KEBAB_CASE,
            too_long="{label} must be at most {limit} characters.",
            too_many="At most {limit} capabilities.")] = []
    source: Annotated[choice("Source", DELIVERY_SOURCES, "api"),
                      Field(description="Default api.")] = "api"
    external_ref: text("External reference", EXTERNAL_REF_MAX) = ""


class AdoptionInput(Input):
    """A business using a capability (through one of its APIs), since a day, until another."""

    business: required_slug("Business is required (its slug).")
    capability: required_slug("Capability is required (its slug).")
    api: Annotated[text("API name", NAME_MAX),
                   Field(description="Name of one API of the capability.")] = ""
    purpose: text("Purpose", PURPOSE_MAX) = ""
    since: Annotated[date("Since"), Field(description="Not in the future; default today.")] = None
    until: Annotated[date("Until"), Field(description="For an adoption that already ended.")] = None


class DismissalInput(Input):
    """Two capabilities that are not duplicates, and why."""

    capability: Slug
    other: Slug
    reason: text("Reason", DISMISSAL_REASON_MAX, required=True, multiline=True)


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
    """The words of the field at ``loc``: the innermost field's, as last declared."""
    say, owner = Say(str(loc[0])), model
    for part in loc:
        if not (isinstance(owner, type) and issubclass(owner, BaseModel)
                and part in owner.model_fields):
            continue
        field = owner.model_fields[part]
        say = next((m for m in reversed(field.metadata) if isinstance(m, Say)), say)
        owner = field.annotation
    return say


class _Schema(GenerateJsonSchema):
    """JSON Schema without the titles pydantic derives from class and field names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def type_schema(kind: Any) -> dict[str, Any]:
    """Return the JSON Schema of one field type, e.g. :data:`Slug`."""
    return _adapter(kind).json_schema(schema_generator=_Schema)


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
