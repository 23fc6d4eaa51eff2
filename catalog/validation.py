"""Field rules for everything a user can submit, written once.

The fields of each entity are declared in :mod:`catalog.fields` (one
declaration gives the check, its message and the JSON Schema; the limits
are defined there and re-exported here); the functions below run them and
add the rules that join fields. Each ``clean_*`` function takes raw input
(a form or a JSON body, as a mapping of plain values), returns cleaned values and raises
:class:`~catalog.errors.ValidationFailed` listing every bad field at once.
Rules that need the database (does this domain exist?) live in the
services, which add their findings to the same error mapping.
"""

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

import yaml

from catalog import fields, safe_yaml
from catalog.errors import ValidationFailed
from catalog.fields import CONTACT_MAX as CONTACT_MAX
from catalog.fields import DATE_MIN as DATE_MIN
from catalog.fields import DATE_RE as DATE_RE
from catalog.fields import DELIVERY_CAPABILITIES_MAX as DELIVERY_CAPABILITIES_MAX
from catalog.fields import DELIVERY_SOURCES as DELIVERY_SOURCES
from catalog.fields import DESCRIPTION_MAX as DESCRIPTION_MAX
from catalog.fields import DISMISSAL_REASON_MAX as DISMISSAL_REASON_MAX
from catalog.fields import EXTERNAL_REF_MAX as EXTERNAL_REF_MAX
from catalog.fields import NAME_MAX as NAME_MAX
from catalog.fields import PURPOSE_MAX as PURPOSE_MAX
from catalog.fields import SLUG_MAX as SLUG_MAX
from catalog.fields import SLUG_RE as SLUG_RE
from catalog.fields import STATUS_MAX as STATUS_MAX
from catalog.fields import TAG_RE as TAG_RE
from catalog.fields import TITLE_MAX as TITLE_MAX
from catalog.fields import split_capabilities as split_capabilities
from catalog.models._time import today, utcnow
from catalog.models.capability import (
    API_STATUSES,
    DEPENDENCY_KINDS,
    LIFECYCLES,
    TIERS,
)

KIND_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]*$")

SUMMARY_MAX = 280
URL_MAX = 500
TAG_MAX = 40
TAGS_MAX = 20
APIS_MAX = 50
DEPENDENCIES_MAX = 200
SPEC_MAX = 1_000_000
P99_MAX_MS = 600_000
API_KIND_MAX = 40
AVAILABILITY_STEP = Decimal("0.001")  # the column keeps three decimals
AVAILABILITY_MESSAGE = ("Availability must be a percentage above 0 and at most 100, e.g. 99.95 "
                        f"(precision {AVAILABILITY_STEP}).")
API_VERSION_MAX = 40
SPEC_NOT_A_DOCUMENT = "API spec must be a JSON or YAML document (a mapping at the top)."
#: Incubation plans: picked capabilities, uncovered needs (each one line), the purpose.
PICKS_MAX = 50
NEEDS_MAX = 20
NEED_MAX = 200


class Errors(defaultdict):
    """Collects messages per field; ``raise_if_any()`` raises them together."""

    def __init__(self) -> None:
        super().__init__(list)

    def add(self, field: str, message: str) -> None:
        self[field].append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationFailed(dict(self))


def check_slug(value: Any, errors: Errors, field: str = "slug") -> str:
    """Return ``value`` as a clean slug (:data:`catalog.fields.Slug`), recording why it is not one."""
    clean = fields.check_value(fields.Slug, value, errors, field)
    return clean if clean is not None else _text(value)


def clean_capability(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check the fields of a capability; raise when any is bad.

    Parameters
    ----------
    data : mapping
        Raw values keyed by field name (``slug``, ``name``, ``summary``,
        ``description``, ``domain``, ``team``, ``lifecycle``, ``tier``,
        ``tags``, ``docs_url``, ``repo_url``, ``sla_availability``,
        ``sla_p99_ms``, ``apis``, ``dependencies``).
    partial : bool
        When True (a PATCH) only the keys present are checked and returned,
        and required fields may be absent.

    Returns
    -------
    dict
        Cleaned values; ``domain``, ``team`` and dependency providers are
        still slugs for the service to resolve.

    Raises
    ------
    ValidationFailed
        With every bad field and its messages.

    Examples
    --------
    >>> clean_capability({"slug": "order-service", "name": " Orders ",
    ...     "domain": "transaction", "team": "trade"})["name"]
    'Orders'
    >>> clean_capability({"slug": "Bad Slug", "name": ""}, partial=True)
    Traceback (most recent call last):
    ...
    catalog.errors.ValidationFailed: Some fields are not valid.
    """
    errors = Errors()
    cleaned = check_capability(data, errors, partial=partial)
    errors.raise_if_any()
    return cleaned


def check_capability(data: Mapping[str, Any], errors: Errors, *, partial: bool = False,
                     owner_required: bool = True) -> dict[str, Any]:
    """Check the fields of a capability, adding problems to ``errors``.

    Returns what could be cleaned, so a service can go on checking against
    the database and report every problem at once. ``owner_required`` is
    False only for imported descriptors whose owner is not in the catalog.
    """
    out: dict[str, Any] = {}

    def given(field: str) -> bool:
        return not partial or field in data

    if given("slug"):
        out["slug"] = check_slug(data.get("slug"), errors)
    if given("name"):
        out["name"] = _required_text(data.get("name"), "name", "Name", NAME_MAX, errors)
    if given("summary"):
        out["summary"] = _optional_text(
            data.get("summary"), "summary", "Summary", SUMMARY_MAX, errors
        )
    if given("description"):
        out["description"] = _optional_text(
            data.get("description"), "description", "Description", DESCRIPTION_MAX,
            errors, multiline=True,
        )
    for field, label in (("domain", "Domain"), ("team", "Owner team")):
        if given(field):
            value = _text(data.get(field))
            if not value and (field == "domain" or owner_required):
                errors.add(field, f"{label} is required.")
            out[field] = value
    if given("lifecycle"):
        lifecycle = _text(data.get("lifecycle")) or "proposed"
        if lifecycle not in LIFECYCLES:
            errors.add("lifecycle", f"Lifecycle must be one of: {', '.join(LIFECYCLES)}.")
        out["lifecycle"] = lifecycle
    if given("tier"):
        out["tier"] = _tier(data.get("tier"), errors)
    if given("tags"):
        out["tags"] = _tags(data.get("tags"), errors)
    for field, label in (("docs_url", "Docs link"), ("repo_url", "Repository link")):
        if given(field):
            out[field] = _url(data.get(field), field, label, errors)
    if given("sla_availability"):
        out["sla_availability"] = _availability(data.get("sla_availability"), errors)
    if given("sla_p99_ms"):
        out["sla_p99_ms"] = _p99(data.get("sla_p99_ms"), errors)
    for field, label in (("launched_on", "Launch date"), ("deprecated_on", "Deprecation date")):
        if field in data:
            out[field] = check_date(data.get(field), errors, field, label, latest=today())
    if "sunset_on" in data:
        out["sunset_on"] = check_date(data.get("sunset_on"), errors, "sunset_on", "Sunset date")
    if "replacement" in data:
        replacement = _text(data.get("replacement"))
        out["replacement"] = check_slug(replacement, errors, "replacement") if replacement else ""
    if "apis" in data or not partial:
        out["apis"] = _apis(data.get("apis") or [], errors)
    if "dependencies" in data or not partial:
        out["dependencies"] = _dependencies(data.get("dependencies") or [], errors)
    return out


def check_team(data: Mapping[str, Any], errors: Errors, *, partial: bool = False) -> dict[str, Any]:
    """Return a team's fields cleaned (:class:`catalog.fields.TeamInput`).

    With ``partial`` only the fields present are checked (an update).

    >>> errors = Errors()
    >>> check_team({"slug": "Trade", "name": "", "kind": "guild"}, errors)["contact"]
    ''
    >>> sorted(errors)
    ['kind', 'name', 'slug']
    """
    return fields.check(fields.TeamInput, data, errors, partial=partial)


def check_domain(data: Mapping[str, Any], errors: Errors, *, partial: bool = False) -> dict[str, Any]:
    """Return a domain's fields cleaned (:class:`catalog.fields.DomainInput`)."""
    return fields.check(fields.DomainInput, data, errors, partial=partial)


def check_business(data: Mapping[str, Any], errors: Errors, *,
                   partial: bool = False) -> dict[str, Any]:
    """Return a business's fields cleaned (:class:`catalog.fields.BusinessInput`); team a slug."""
    return fields.check(fields.BusinessInput, data, errors, partial=partial)


def parse_spec(text: str) -> dict[str, Any] | None:
    """Parse an API spec written in JSON or YAML; None when it is not a mapping."""
    return read_spec(text)[0]


def read_spec(text: str) -> tuple[dict[str, Any] | None, str]:
    """Parse an API spec written in JSON or YAML: ``(document, "")`` or ``(None, why not)``.

    YAML is read by :mod:`catalog.safe_yaml` (no anchors or aliases, at most
    :data:`~catalog.safe_yaml.MAX_DEPTH` levels); JSON that is not YAML is
    read as JSON, with the same depth limit.

    Examples
    --------
    >>> read_spec("openapi: 3.1.0")
    ({'openapi': '3.1.0'}, '')
    >>> read_spec("a: &x [1]\\nb: *x")[1]
    'API spec must not use YAML anchors or aliases (&name, *name); write the value out.'
    >>> read_spec("[" * 100 + "]" * 100)[1]
    'API spec is nested more than 64 levels deep.'
    """
    try:
        doc = safe_yaml.load(text)
    except yaml.composer.ComposerError as exc:
        return None, _refusal(str(exc.problem))
    except yaml.YAMLError:
        try:
            doc = json.loads(text)
        except ValueError:
            return None, SPEC_NOT_A_DOCUMENT
        except RecursionError:
            return None, _refusal(safe_yaml.NESTED)
        if nesting_depth(doc) > safe_yaml.MAX_DEPTH:
            return None, _refusal(safe_yaml.NESTED)
    if not isinstance(doc, dict):
        return None, SPEC_NOT_A_DOCUMENT
    return doc, ""


def _refusal(problem: str) -> str:
    if "anchors" in problem:
        return "API spec must not use YAML anchors or aliases (&name, *name); write the value out."
    if problem == safe_yaml.NESTED:
        return f"API spec is nested more than {safe_yaml.MAX_DEPTH} levels deep."
    return f"API spec is refused: {problem}."


def nesting_depth(value: Any) -> int:
    """Return how deeply lists and mappings nest in ``value`` (a scalar is 0), without recursion.

    >>> nesting_depth({"a": [1, {"b": []}]}), nesting_depth("text")
    (4, 0)
    """
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item \
            if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def check_text(value: Any, errors: Errors, field: str, label: str, limit: int, *,
               required: bool = False, multiline: bool = False) -> str:
    """Return ``value`` as stripped text of at most ``limit`` characters, adding problems.

    >>> errors = Errors()
    >>> check_text("x" * 5, errors, "name", "Name", 3), errors["name"]
    ('xxxxx', ['Name must be at most 3 characters (got 5).'])
    """
    check = _required_text if required else _optional_text
    return check(value, field, label, limit, errors, multiline=multiline)


# -- helpers -----------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value).strip()
    if not isinstance(value, str):
        return ""
    return value.strip()


def _required_text(value, field, label, limit, errors, *, multiline=False) -> str:
    text = _optional_text(value, field, label, limit, errors, multiline=multiline)
    if not text and field not in errors:
        errors.add(field, f"{label} is required.")
    return text


def _optional_text(value, field, label, limit, errors, *, multiline=False) -> str:
    if value is not None and not isinstance(value, (str, int, float)):
        errors.add(field, f"{label} must be text.")
        return ""
    text = _text(value)
    if len(text) > limit:
        errors.add(field, f"{label} must be at most {limit:,} characters (got {len(text):,}).")
    if not multiline and ("\n" in text or "\r" in text):
        errors.add(field, f"{label} must be a single line.")
    return text


def _tier(value: Any, errors: Errors) -> int:
    if value in (None, ""):
        return 3
    try:
        tier = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int(1e400)
        tier = 0
    if isinstance(value, bool) or tier not in TIERS or str(value).strip() != str(tier):
        errors.add("tier", "Tier must be 1 (critical), 2 or 3.")
        return 3
    return tier


def _tags(value: Any, errors: Errors) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        raw = value.split(",")
    elif isinstance(value, (list, tuple)):
        raw = value
    else:
        errors.add("tags", "Tags must be a list or a comma-separated string.")
        return []
    tags: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            errors.add("tags", "Each tag must be text.")
            continue
        tag = item.strip().lower()
        if not tag:
            continue
        if len(tag) > TAG_MAX or not TAG_RE.match(tag):
            errors.add(
                "tags",
                f"Tag {tag[:TAG_MAX]!r} must be lowercase letters, digits and hyphens "
                f"(at most {TAG_MAX} characters).",
            )
        elif tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        errors.add("tags", f"At most {TAGS_MAX} tags.")
    return tags


def _url(value: Any, field: str, label: str, errors: Errors) -> str:
    url = _text(value)
    if not url:
        return ""
    try:
        parsed = urlparse(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: http://[::1
        parsed = None
    if len(url) > URL_MAX:
        errors.add(field, f"{label} must be at most {URL_MAX} characters.")
    elif parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
        errors.add(field, f"{label} must be an http(s) URL, e.g. https://wiki.example.com/x.")
    return url


def _availability(value: Any, errors: Errors) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        number = None
    if isinstance(value, bool) or number is None or not number.is_finite() or not (
        0 < number <= 100
    ):
        errors.add("sla_availability", AVAILABILITY_MESSAGE)
        return None
    number = number.quantize(AVAILABILITY_STEP)
    if number == 0:  # below the stored precision: it would be saved as 0
        errors.add("sla_availability", AVAILABILITY_MESSAGE)
        return None
    return number


def _p99(value: Any, errors: Errors) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if isinstance(value, bool) or not 0 < number <= P99_MAX_MS:
        errors.add("sla_p99_ms", f"p99 latency must be a whole number of milliseconds from 1 to {P99_MAX_MS:,}.")
        return None
    return number


def _rows(value: Any, field: str, limit: int, errors: Errors) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        errors.add(field, "Must be a list.")
        return []
    if len(value) > limit:
        errors.add(field, f"At most {limit} entries.")
        return []
    return list(value)


def _apis(value: Any, errors: Errors) -> list[dict[str, Any]]:
    apis = []
    seen: set[str] = set()
    for i, row in enumerate(_rows(value, "apis", APIS_MAX, errors)):
        prefix = f"apis.{i}"
        if not isinstance(row, Mapping):
            errors.add(prefix, "Each API must be an object with a name.")
            continue
        name = _required_text(row.get("name"), f"{prefix}.name", "API name", NAME_MAX, errors)
        if name.lower() in seen:
            errors.add(f"{prefix}.name", f"API name {name!r} is listed twice.")
        seen.add(name.lower())
        kind = _text(row.get("kind")) or "openapi"
        if len(kind) > API_KIND_MAX or not KIND_RE.match(kind):
            errors.add(f"{prefix}.kind", "API kind must be a short word such as openapi, grpc, asyncapi, graphql or thrift.")
        status = _text(row.get("status")) or "beta"
        if status not in API_STATUSES:
            errors.add(f"{prefix}.status", f"API status must be one of: {', '.join(API_STATUSES)}.")
        version = _optional_text(row.get("version"), f"{prefix}.version", "API version",
                                 API_VERSION_MAX, errors)
        description = _optional_text(
            row.get("description"), f"{prefix}.description", "API description",
            DESCRIPTION_MAX, errors, multiline=True,
        )
        spec = _optional_text(row.get("spec"), f"{prefix}.spec", "API spec", SPEC_MAX, errors, multiline=True)
        if spec and kind.lower() in ("openapi", "rest", "asyncapi"):
            problem = read_spec(spec)[1]
            if problem:
                errors.add(f"{prefix}.spec", problem)
        apis.append({"name": name, "kind": kind, "status": status, "version": version,
                         "description": description, "spec": spec})
    return apis


def _dependencies(value: Any, errors: Errors) -> list[dict[str, Any]]:
    deps = []
    seen: set[str] = set()
    for i, row in enumerate(_rows(value, "dependencies", DEPENDENCIES_MAX, errors)):
        field = f"dependencies.{i}"
        if isinstance(row, str):
            row = {"provider": row}
        if not isinstance(row, Mapping):
            errors.add(field, "Each dependency must be a provider slug or an object with one.")
            continue
        provider = _text(row.get("provider"))
        if not provider:
            errors.add(field, "Dependency needs a provider capability.")
            continue
        if provider in seen:
            errors.add(field, f"Dependency on {provider!r} is listed twice.")
            continue
        seen.add(provider)
        kind = _text(row.get("kind")) or "sync"
        if kind not in DEPENDENCY_KINDS:
            errors.add(field, f"Dependency kind must be one of: {', '.join(DEPENDENCY_KINDS)}.")
        dep = {"provider": provider, "kind": kind, "api": _text(row.get("api"))}
        if row.get("since") not in (None, ""):  # since when it holds (default: when recorded)
            dep["since"] = check_date(row["since"], errors, f"{field}.since", "Since",
                                      latest=today())
        deps.append(dep)
    return deps


# -- deliveries and adoptions --------------------------------------------------

PER_PAGE_DEFAULT = 20
PER_PAGE_MAX = 100
PAGE_MAX = 100_000
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def check_date(value: Any, errors: Errors, field: str, label: str, *,
               required: bool = False, latest: dt.date | None = None) -> dt.date | None:
    """Return ``value`` as a date (:func:`catalog.fields.date`), recording why it is not one.

    ``latest`` rejects later dates (pass today to forbid the future).

    Examples
    --------
    >>> errors = Errors()
    >>> check_date("2025-07-01", errors, "since", "Since")
    datetime.date(2025, 7, 1)
    >>> check_date("1/7/2025", errors, "since", "Since"), errors["since"]
    (None, ['Since must be a date written YYYY-MM-DD, e.g. 2025-07-01.'])
    """
    day = fields.check_value(fields.date(label, required=required), value, errors, field)
    return _not_after(day, latest, errors, field, label)


def _not_after(day: dt.date | None, latest: dt.date | None, errors: Errors, field: str,
               label: str) -> dt.date | None:
    if day is not None and latest is not None and day > latest:
        errors.add(field, f"{label} cannot be in the future (today is {latest.isoformat()}).")
    return day


def check_delivery(data: Mapping[str, Any], errors: Errors, *, today: dt.date,
                   source: str = "form") -> dict[str, Any]:
    """Check the fields of a delivery (:class:`catalog.fields.DeliveryInput`), adding problems.

    Dates are not in the future and delivered is not before requested;
    ``capabilities`` may be text separated by ``;`` or ``|`` (an item's problem
    is reported as ``capabilities.<i>``, ``i`` counting from 0); a blank
    ``source`` is ``source``. The CSV import checks each row with this
    function too.

    Returns what could be cleaned; ``business`` and ``capabilities`` are
    still slugs for the service to resolve.

    Examples
    --------
    >>> errors = Errors()
    >>> row = check_delivery({"business": "taobao", "title": "Gift cards",
    ...     "requested_on": "2025-03-01", "delivered_on": "2025-02-01"},
    ...     errors, today=dt.date(2025, 6, 1))
    >>> row["capabilities"], dict(errors)
    ([], {'delivered_on': ['Delivered on must not be before requested on (2025-03-01).']})
    """
    out = fields.check(fields.DeliveryInput, {**data, "source": _text(data.get("source")) or source},
                       errors)
    out["business"] = out["business"] or ""
    requested = _not_after(out["requested_on"], today, errors, "requested_on", "Requested on")
    delivered = _not_after(out["delivered_on"], today, errors, "delivered_on", "Delivered on")
    if requested is not None and delivered is not None and delivered < requested:
        errors.add("delivered_on",
                   f"Delivered on must not be before requested on ({requested.isoformat()}).")
    return out


def check_adoption(data: Mapping[str, Any], errors: Errors, *, today: dt.date) -> dict[str, Any]:
    """Check the fields of an adoption (:class:`catalog.fields.AdoptionInput`), adding problems.

    ``since`` is not in the future (blank: today); ``until`` (an adoption
    that already ended) is not before ``since``.

    Examples
    --------
    >>> errors = Errors()
    >>> check_adoption({"business": "taobao", "capability": "coupons",
    ...     "since": "2025-05-01", "until": "2025-04-01"}, errors,
    ...     today=dt.date(2025, 6, 1))["since"]
    datetime.date(2025, 5, 1)
    >>> dict(errors)
    {'until': ['Until must not be before since (2025-05-01).']}
    """
    out = fields.check(fields.AdoptionInput, data, errors)
    for field in ("business", "capability"):
        out[field] = out[field] or ""
    since = _not_after(out["since"], today, errors, "since", "Since")
    out["since"] = since if since is not None or "since" in errors else today
    if out["until"] is not None and "since" not in errors and out["until"] < out["since"]:
        errors.add("until", f"Until must not be before since ({out['since'].isoformat()}).")
    return out


MOMENT_MESSAGE = ("{field} must be an ISO 8601 date (2025-06-30) or a date and time in UTC "
                  "(2025-06-30T12:00:00Z).")


def check_moment(value: Any, errors: Errors, field: str, *,
                 end_of_day: bool = False) -> dt.datetime | None:
    """Return the moment (naive UTC) a date or date-and-time parameter names; None when blank.

    A date alone means the start of that day, or its end with ``end_of_day``
    (an ``until``, an ``as_of``); a date and time without an offset is read
    as UTC.

    >>> check_moment("2025-06-30", Errors(), "since")
    datetime.datetime(2025, 6, 30, 0, 0)
    >>> check_moment("2025-06-30T14:00:00+02:00", Errors(), "since")
    datetime.datetime(2025, 6, 30, 12, 0)
    """
    text = _text(value) if isinstance(value, str) else ("" if value is None else None)
    if text == "":
        return None
    moment = None
    if text is not None and DATE_RE.match(text):
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(text),
                                         dt.time.max if end_of_day else dt.time.min)
        except ValueError:
            moment = None
    elif text is not None and len(text) <= 40:
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None:
            moment = parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    if moment is None:
        errors.add(field, MOMENT_MESSAGE.format(field=field))
    return moment


def check_as_of(value: Any, errors: Errors, field: str = "as_of", *,
                now: dt.datetime | None = None) -> dt.datetime | None:
    """Return the moment an ``as_of`` parameter names (the catalog as it was then); None for now.

    A date means the end of that day; the future is refused; today's date
    means now.

    Examples
    --------
    >>> now = dt.datetime(2025, 7, 1, 10, 0)
    >>> check_as_of("2025-06-30", Errors(), now=now)
    datetime.datetime(2025, 6, 30, 23, 59, 59, 999999)
    >>> errors = Errors()
    >>> check_as_of("2025-07-02", errors, now=now), errors["as_of"]
    (None, ['as_of cannot be in the future (now is 2025-07-01 10:00 UTC).'])
    """
    moment = check_moment(value, errors, field, end_of_day=True)
    if moment is None:
        return None
    now = now or utcnow()
    if moment.date() > now.date() or (moment > now and moment.time() != dt.time.max):
        errors.add(field, f"{field} cannot be in the future (now is {now:%Y-%m-%d %H:%M} UTC).")
        return None
    return min(moment, now)


def check_view_as_of(value: Any, errors: Errors, field: str = "as_of") -> dt.datetime | None:
    """Return the moment a page is asked to show (:func:`check_as_of`); None for now.

    Today's date, or any moment from now on, is the live catalog: the page
    shows no "as of" banner for it.
    """
    now = utcnow()
    moment = check_as_of(value, errors, field, now=now)
    return None if moment is None or moment >= now else moment


def as_of_text(moment: dt.datetime | None) -> str | None:
    """Return how a URL names ``moment``: its date for the end of a day, else its time.

    >>> as_of_text(dt.datetime(2025, 6, 30, 23, 59, 59, 999999))
    '2025-06-30'
    >>> as_of_text(dt.datetime(2025, 6, 30, 14, 5))
    '2025-06-30T14:05:00'
    """
    if moment is None:
        return None
    if moment.time() == dt.time.max:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def check_until(value: Any, since: dt.date | None, errors: Errors, *,
                required: bool = True) -> dt.date | None:
    """Return the end date of an adoption: a date not before ``since``.

    Examples
    --------
    >>> errors = Errors()
    >>> check_until("2024-01-01", dt.date(2024, 3, 1), errors), errors["until"]
    (datetime.date(2024, 1, 1), ['Until must not be before since (2024-03-01).'])
    """
    until = check_date(value, errors, "until", "Until", required=required)
    if until is not None and since is not None and until < since:
        errors.add("until", f"Until must not be before since ({since.isoformat()}).")
    return until


def check_paging(args: Mapping[str, Any], errors: Errors) -> tuple[int, int]:
    """Return ``(page, per_page)`` from list parameters (defaults 1 and 20, at most 100).

    Examples
    --------
    >>> errors = Errors()
    >>> check_paging({"page": "2"}, errors), check_paging({"per_page": "500"}, errors)
    ((2, 20), (1, 20))
    >>> sorted(errors)
    ['per_page']
    """
    return (check_page(args.get("page"), errors),
            check_page(args.get("per_page"), errors, "per_page", high=PER_PAGE_MAX,
                       default=PER_PAGE_DEFAULT))


def check_page(value: Any, errors: Errors, field: str = "page", *, high: int = PAGE_MAX,
               default: int = 1) -> int:
    """Return a page number (1 to ``high``; blank: ``default``), recording why it is not one.

    Examples
    --------
    >>> errors = Errors()
    >>> check_page("3", errors), check_page("0", errors, "teams_page"), dict(errors)
    (3, 1, {'teams_page': ['teams_page must be a whole number from 1 to 100,000.']})
    """
    return check_whole(value, errors, field, low=1, high=high, default=default)


def check_whole(value: Any, errors: Errors, field: str, *, low: int, high: int,
                default: int) -> int:
    """Return a whole-number parameter (``low`` to ``high``; blank: ``default``).

    The one rule (and message) of every page, per-page and count parameter
    of the pages and the API.

    Examples
    --------
    >>> errors = Errors()
    >>> check_whole("12", errors, "top", low=1, high=50, default=20)
    12
    >>> check_whole("1e3", errors, "top", low=1, high=50, default=20), dict(errors)
    (20, {'top': ['top must be a whole number from 1 to 50.']})
    """
    raw = _text(value)
    number = int(raw) if raw.isascii() and raw.isdigit() else None if raw else default
    if number is None or not low <= number <= high:
        errors.add(field, f"{field} must be a whole number from {low:,} to {high:,}.")
        number = default
    return number


def check_flag(value: Any, errors: Errors, field: str) -> bool | None:
    """Return a yes/no query parameter as a bool (blank: None).

    Examples
    --------
    >>> check_flag("true", Errors(), "open"), check_flag("", Errors(), "open")
    (True, None)
    """
    text = _text(value).lower() if not isinstance(value, bool) else str(value).lower()
    if not text:
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    errors.add(field, f"{field} must be true or false.")
    return None


def check_dismissal(data: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """Return a "not a duplicate" dismissal's fields (:class:`catalog.fields.DismissalInput`).

    Examples
    --------
    >>> errors = Errors()
    >>> check_dismissal({"capability": "a", "other": "a", "reason": " "}, errors)["capability"]
    'a'
    >>> sorted(errors)
    ['other', 'reason']
    """
    clean = fields.check(fields.DismissalInput, data, errors)
    if clean["capability"] and clean["capability"] == clean["other"]:
        errors.add("other", "Other must be another capability than capability.")
    return clean
