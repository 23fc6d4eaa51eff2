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
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, get_args, get_origin
from urllib.parse import urlparse

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

from catalog.models.capability import API_STATUSES, DEPENDENCY_KINDS, LAYERS, LIFECYCLES, TIERS
from catalog.models.columns import CONTACT_LENGTH, NAME_LENGTH, SLUG_LENGTH, WORD_LENGTH
from catalog.models.org import TEAM_KINDS

__all__ = ["AdoptionInput", "ApiInput", "BusinessInput", "CapabilityInput", "DeliveryInput",
           "DependencyInput", "DismissalInput", "DomainInput", "Input", "Say", "Slug",
           "TeamInput", "check", "check_value", "choice", "date", "json_schema", "slug",
           "split_capabilities", "text", "type_schema"]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: What a user may submit as a slug, name, contact or status fits its column (models.columns).
SLUG_MAX = SLUG_LENGTH
NAME_MAX = NAME_LENGTH
DESCRIPTION_MAX = 20_000
CONTACT_MAX = CONTACT_LENGTH
STATUS_MAX = WORD_LENGTH
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
KIND_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]*$")
#: An http(s) URL with a host, or nothing.
URL_RE = re.compile(r"^(|https?://[^/?#\s]+\S*)$")
SUMMARY_MAX = 280
URL_MAX = 500
TAG_MAX = 40
TAGS_MAX = 20
APIS_MAX = 50
DEPENDENCIES_MAX = 200
SPEC_MAX = 1_000_000
P99_MAX_MS = 600_000
API_KIND_MAX = 40
API_VERSION_MAX = 40
AVAILABILITY_STEP = Decimal("0.001")  # the column keeps three decimals
AVAILABILITY_MESSAGE = ("Availability must be a percentage above 0 and at most 100, e.g. 99.95 "
                        f"(precision {AVAILABILITY_STEP}).")
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
    given), ``value`` (the text given) and ``choices``; a problem without a
    template keeps the message its validator raised.
    """

    label: str
    blank: str = "{label} is required."
    not_text: str = "{label} must be text."
    too_long: str = "{label} must be at most {limit:,} characters (got {got:,})."
    pattern: str = "{label} must be a single line."
    choice: str = "{label} must be one of: {choices}."
    too_many: str = "At most {limit} entries."
    not_list: str = "Must be a list."
    not_object: str = "{label} must be an object."
    #: One message for every problem (a number's rule), instead of the above.
    every: str = ""
    choices: tuple[str, ...] = ()
    #: Report problems ``up`` levels above the field (a row of a list), not at it.
    up: int | None = None

    def message(self, error: Mapping[str, Any]) -> str:
        """Return the message of one pydantic error of this field."""
        kind, value = error["type"], error.get("input")
        words = {"label": self.label, "choices": ", ".join(self.choices),
                 "limit": (error.get("ctx") or {}).get("max_length"),
                 "got": len(value) if isinstance(value, str | list) else 0,
                 "value": value[:100] if isinstance(value, str) else value}
        if kind == "string_pattern_mismatch" and isinstance(value, str) and not value.strip():
            kind = "missing"
        template = self.every or {
            "missing": self.blank, "string_type": self.not_text,
            "string_too_long": self.too_long, "string_pattern_mismatch": self.pattern,
            "literal_error": self.choice, "too_long": self.too_many, "list_type": self.not_list,
            "model_type": self.not_object}.get(kind)
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


@functools.cache
def text(label: str, limit: int, *, required: bool = False, multiline: bool = False,
         up: int | None = None) -> Any:
    """A stripped text field of at most ``limit`` characters; one line unless ``multiline``."""
    if multiline:
        pattern = NOT_BLANK if required else None
    else:
        pattern = SINGLE_LINE_NOT_BLANK if required else SINGLE_LINE
    return Annotated[str, StringConstraints(max_length=limit, pattern=pattern),
                     BeforeValidator(as_text), Say(label, up=up)]


#: The shape of a slug, as given (not stripped).
SlugText = Annotated[str, StringConstraints(max_length=SLUG_MAX, pattern=SLUG_RE.pattern)]


@functools.cache
def slug(label: str = "Slug", *, optional: bool = False) -> Any:
    """A kebab-case slug; with ``optional`` blank is allowed and gives None (one type per
    label, so that its validator is built once)."""
    say = Say(label, pattern=KEBAB_CASE, too_long="{label} must be at most {limit} characters.")
    if optional:
        return Annotated[str, StringConstraints(max_length=SLUG_MAX,
                                                pattern=rf"^$|{SLUG_RE.pattern}"),
                         BeforeValidator(as_text), AfterValidator(lambda v: v or None), say]
    return Annotated[SlugText, BeforeValidator(as_text), say,
                     Field(description=KEBAB_CASE.removeprefix("{label} must be "))]


def choice(label: str, values: tuple[str, ...], default: str | None = None, *,
           message: str = Say.choice, up: int | None = None) -> Any:
    """One of ``values``; blank is ``default`` (or a problem when there is none; with
    ``default=""`` blank is allowed and stays blank)."""
    allowed = ("", *values) if default == "" else values
    return Annotated[Literal[allowed], BeforeValidator(lambda v: as_text(v) or default or ""),
                     Say(label, choice=message, choices=values, up=up)]


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

    model_config = ConfigDict(validate_assignment=True, validate_default=True)


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
    team: slug(optional=True) = ""


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


# -- capabilities ------------------------------------------------------------------------


def _tier(value: Any) -> Any:
    if value in (None, ""):
        return 3
    try:
        tier = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(1e400)
        tier = 0
    if isinstance(value, bool) or str(value).strip() != str(tier):
        raise PydanticCustomError("tier", "")
    return tier


def _tags(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    if not isinstance(value, str | list | tuple):
        raise PydanticCustomError("tags", "Tags must be a list or a comma-separated string.")
    items = value.split(",") if isinstance(value, str) else value
    tags: list[Any] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            tags.append(item)  # the item's rule says why not
            continue
        tag = item.strip().lower()
        if tag and tag not in seen:
            seen.add(tag)
            tags.append(tag)
    return tags


def _percent(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        number = None
    if isinstance(value, bool) or number is None or not number.is_finite():
        raise PydanticCustomError("percent", "")
    return float(number)


def _kept_percent(value: float) -> Decimal:
    number = Decimal(str(value)).quantize(AVAILABILITY_STEP)
    if number == 0:  # below the stored precision: it would be saved as 0
        raise PydanticCustomError("percent", "")
    return number


def _whole(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if isinstance(value, bool) or number is None:
        raise PydanticCustomError("whole", "")
    return number


def _dependency(value: Any) -> Any:
    return {"provider": value} if isinstance(value, str) else value


class ApiInput(Input):
    """An API of a capability; matched by name when the list is given again."""

    name: text("API name", NAME_MAX, required=True)
    kind: Annotated[
        str, StringConstraints(max_length=API_KIND_MAX, pattern=KIND_RE.pattern),
        BeforeValidator(lambda v: as_text(v) or "openapi"),
        Say("API kind", every="API kind must be a short word such as openapi, grpc, asyncapi, "
                              "graphql or thrift."),
        Field(description="openapi, grpc, asyncapi, graphql, or any other short word "
                          "(thrift, ...); default openapi.")] = "openapi"
    status: Annotated[choice("API status", API_STATUSES, "beta"),
                      Field(description="Default beta.")] = "beta"
    version: text("API version", API_VERSION_MAX) = ""
    description: text("API description", DESCRIPTION_MAX, multiline=True) = ""
    spec: Annotated[text("API spec", SPEC_MAX, multiline=True),
                    Field(description="The API's definition; for openapi, rest and asyncapi a "
                                      "JSON or YAML document whose top is a mapping.")] = ""


class DependencyInput(Input):
    """A dependency on a provider capability (by slug), optionally through one of its APIs."""

    provider: Annotated[Slug, Say("Slug", blank="Dependency needs a provider capability.",
                                  pattern=KEBAB_CASE, up=1)]
    kind: Annotated[choice("Dependency kind", DEPENDENCY_KINDS, "sync", up=1),
                    Field(description="Default sync.")] = "sync"
    api: Annotated[text("API name", NAME_MAX, up=1),
                   Field(description="Name of the provider's API used (optional).")] = ""
    since: Annotated[date("Since"),
                     Field(description="Since when it holds; default when recorded.")] = None


def _parses(url: str) -> str:
    """Refuse what the pattern lets through but a browser could not open (``http://[::1``)."""
    try:
        urlparse(url)
    except ValueError:
        raise PydanticCustomError("string_pattern_mismatch", "") from None
    return url


Url = Annotated[str, StringConstraints(max_length=URL_MAX, pattern=URL_RE.pattern),
                BeforeValidator(as_text), AfterValidator(_parses),
                Field(description="An http(s) URL, or empty for none.")]


def _url(label: str) -> Any:
    return Annotated[Url, Say(label, too_long=f"{{label}} must be at most {URL_MAX} characters.",
                              pattern="{label} must be an http(s) URL, e.g. "
                                      "https://wiki.example.com/x.")]


class CapabilityInput(Input):
    """A new capability: the fields of the registration form."""

    slug: Slug
    name: Name
    summary: text("Summary", SUMMARY_MAX) = ""
    description: Description = ""
    domain: Annotated[required_slug("Domain is required."),
                      Field(description="Slug of an existing domain.")]
    team: Annotated[required_slug("Owner team is required."),
                    Field(description="Slug of the owner team.")]
    lifecycle: Annotated[choice("Lifecycle", LIFECYCLES, "proposed"),
                         Field(description="Default proposed.")] = "proposed"
    tier: Annotated[Literal[TIERS], BeforeValidator(_tier),
                    Say("Tier", every="Tier must be 1 (critical), 2 or 3."),
                    Field(description="1 critical .. 3; default 3.")] = 3
    tags: Annotated[
        list[Annotated[str, StringConstraints(max_length=TAG_MAX, pattern=TAG_RE.pattern)]],
        Field(max_length=TAGS_MAX, json_schema_extra={"uniqueItems": True}),
        BeforeValidator(_tags),
        Say("Tag", up=0, not_text="Each tag must be text.", too_many="At most {limit} tags.",
            pattern=(f"Tag {{value!r}} must be lowercase letters, digits and hyphens "
                     f"(at most {TAG_MAX} characters)."),
            too_long=(f"Tag {{value!r}} must be lowercase letters, digits and hyphens "
                      f"(at most {TAG_MAX} characters).")),
    ] = []
    docs_url: _url("Docs link") = ""
    repo_url: _url("Repository link") = ""
    sla_availability: Annotated[
        Annotated[float, Field(gt=0, le=100), AfterValidator(_kept_percent)] | None,
        BeforeValidator(_percent), Say("Availability", every=AVAILABILITY_MESSAGE),
        Field(description=f"Percent, kept to {AVAILABILITY_STEP}.")] = None
    sla_p99_ms: Annotated[
        Annotated[int, Field(ge=1, le=P99_MAX_MS)] | None, BeforeValidator(_whole),
        Say("p99 latency", every=("p99 latency must be a whole number of milliseconds from 1 "
                                  f"to {P99_MAX_MS:,}."))] = None
    launched_on: date("Launch date") = None
    deprecated_on: date("Deprecation date") = None
    sunset_on: Annotated[date("Sunset date"),
                         Field(description="Required when deprecating: the last day it runs, "
                                           "in the future.")] = None
    replacement: Annotated[slug(optional=True),
                           Field(description="Slug of the capability consumers move to (not "
                                             "itself, not retired); empty for none.")] = ""
    apis: Annotated[list[ApiInput], Field(max_length=APIS_MAX,
                                          description="Replaces the capability's APIs "
                                                      "(matched by name)."),
                    BeforeValidator(lambda v: [] if v in (None, "") else v),
                    Say("API", not_object="Each API must be an object with a name.")] = []
    dependencies: Annotated[
        list[Annotated[DependencyInput, BeforeValidator(
            _dependency, json_schema_input_type=SlugText | DependencyInput)]],
        Field(max_length=DEPENDENCIES_MAX,
              description="Replaces the capability's dependencies."),
        BeforeValidator(lambda v: [] if v in (None, "") else v),
        Say("Dependency", not_object="Each dependency must be a provider slug or an object "
                                     "with one.")] = []


def check(model: type[Input], data: Mapping[str, Any], errors: Any, *,
          partial: bool = False) -> dict[str, Any]:
    """Check ``data`` by ``model``'s fields, adding each problem to ``errors``; return the values.

    Every field is checked on its own, so every bad one is reported at once
    and the good ones come back cleaned (a bad one as its default, or None).
    An absent field is checked as blank, or skipped with ``partial``.
    ``errors`` is a :class:`catalog.validation.Errors`.
    """
    if not partial:  # most input is good: check it in one go, and field by field if not
        try:
            whole = model.model_validate(data)
        except _PydanticError:
            pass
        else:
            return {name: _plain(getattr(whole, name)) for name in model.model_fields}
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
            cleaned[name] = _plain(getattr(row, name))
        except _PydanticError as exc:
            for error in exc.errors(include_url=False):
                say, depth = _say(model, error["loc"])
                loc = error["loc"] if say.up is None else error["loc"][:depth + 1 - say.up]
                errors.add(_where(loc), say.message(error))
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


def _say(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Say, int]:
    """The words of the field at ``loc`` (the innermost field's, as last declared), and
    the depth in ``loc`` of the field that declares them."""
    say, depth, owner = Say(str(loc[0])), 0, model
    for i, part in enumerate(loc):
        if isinstance(part, int) and get_args(owner):
            owner = next(arg for arg in get_args(owner) if arg is not type(None))
            while get_origin(owner) is Annotated:
                owner = get_args(owner)[0]
            continue
        if not (isinstance(owner, type) and issubclass(owner, BaseModel)
                and part in owner.model_fields):
            continue
        field = owner.model_fields[part]
        found = next((m for m in reversed(field.metadata) if isinstance(m, Say)), None)
        if found is not None:
            say, depth = found, i
        owner = field.annotation
    return say, depth


def _plain(value: Any) -> Any:
    """Rows of a list as dicts (an absent optional value left out), as the services take them."""
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_none=True)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


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
