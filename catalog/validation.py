"""Field rules for everything a user can submit, written once.

The fields of each entity are declared in :mod:`catalog.fields` (one
declaration gives the check, its message and the JSON Schema; the limits
are defined there too); the functions below run them and
add the rules that join fields. Each ``clean_*`` function takes raw input
(a form or a JSON body, as a mapping of plain values), returns cleaned values and raises
:class:`~catalog.errors.ValidationFailed` listing every bad field at once.
Rules that need the database (does this domain exist?) live in the
services, which add their findings to the same error mapping.
"""

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from catalog import fields, safe_yaml
from catalog.errors import ValidationFailed
from catalog.fields import (
    DATE_RE,
)
from catalog.models._time import today, utcnow

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


def check_optional_slug(value: Any, errors: Errors, field: str, label: str) -> str:
    """Return ``value`` as a slug, or "" when blank, recording why it is not one (a filter).

    >>> errors = Errors()
    >>> check_optional_slug(" trade ", errors, "team", "Team"), check_optional_slug("", errors, "team", "Team")
    ('trade', '')
    >>> check_optional_slug("Trade Team", errors, "team", "Team"), errors["team"][0][:26]
    ('', 'Team must be kebab-case: l')
    """
    return fields.check_value(fields.slug(label, optional=True), value, errors, field) or ""


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
    """Check the fields of a capability (:class:`catalog.fields.CapabilityInput`), adding problems.

    Returns what could be cleaned, so a service can go on checking against
    the database and report every problem at once. Launch, deprecation and
    sunset dates and the replacement are returned only when given.
    ``owner_required`` is False only for imported descriptors whose owner is
    not in the catalog.
    """
    found = Errors()
    out = fields.check(fields.CapabilityInput, data, found, partial=partial)
    ownerless = not owner_required and "team" in out and not _text(data.get("team"))
    for field, messages in found.items():
        if not (ownerless and field == "team"):
            errors[field].extend(messages)
    for field in ("domain", "team", "replacement"):
        if field in out:
            out[field] = out[field] or ""
    day = today()
    for field, label in (("launched_on", "Launch date"), ("deprecated_on", "Deprecation date")):
        _not_after(out.get(field), day, errors, field, label)
    for field in ("launched_on", "deprecated_on", "sunset_on", "replacement"):
        if field not in data:
            out.pop(field, None)
    seen: set[str] = set()
    for i, api in enumerate(out.get("apis", [])):
        if api["name"].lower() in seen:
            errors.add(f"apis.{i}.name", f"API name {api['name']!r} is listed twice.")
        seen.add(api["name"].lower())
        if api["spec"] and api["kind"].lower() in ("openapi", "rest", "asyncapi"):
            problem = read_spec(api["spec"])[1]
            if problem:
                errors.add(f"apis.{i}.spec", problem)
    seen.clear()
    for i, dependency in enumerate(out.get("dependencies", [])):
        if dependency["provider"] in seen:
            errors.add(f"dependencies.{i}",
                       f"Dependency on {dependency['provider']!r} is listed twice.")
        seen.add(dependency["provider"])
        _not_after(dependency.get("since"), day, errors, f"dependencies.{i}.since", "Since")
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
    """Return ``value`` as stripped text of at most ``limit`` characters (:func:`catalog.fields.text`).

    >>> errors = Errors()
    >>> check_text("x" * 5, errors, "name", "Name", 3), errors["name"]
    ('xxxxx', ['Name must be at most 3 characters (got 5).'])
    """
    kind = fields.text(label, limit, required=required, multiline=multiline)
    clean = fields.check_value(kind, value, errors, field)
    return clean if clean is not None else _text(value)


def check_words(value: Any, errors: Errors, field: str, label: str, limit: int, *,
                one_line: bool = False) -> str:
    """Return a review comment or migration note as stripped text; None is blank.

    Unlike :func:`check_text`, a number is refused: these are words a person wrote.

    >>> errors = Errors()
    >>> check_words(" moved ", errors, "note", "Note", 280), check_words(42, errors, "c", "C", 9)
    ('moved', '')
    >>> dict(errors)
    {'c': ['C must be text.']}
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, f"{label} must be text.")
        return ""
    value = value.strip()
    if len(value) > limit:
        errors.add(field, f"{label} must be at most {limit:,} characters.")
    elif one_line and ("\x00" in value or "\n" in value or "\r" in value):
        errors.add(field, f"{label} must be one line of text.")
    elif "\x00" in value:
        errors.add(field, f"{label} must not contain a NUL character.")
    return value


# -- helpers -----------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value).strip()
    if not isinstance(value, str):
        return ""
    return value.strip()


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
    if "since" not in errors:
        check_not_before(out["until"], out["since"], errors)
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
    """Return an end date (``until``): a date not before ``since``.

    Examples
    --------
    >>> errors = Errors()
    >>> check_until("2024-01-01", dt.date(2024, 3, 1), errors), errors["until"]
    (datetime.date(2024, 1, 1), ['Until must not be before since (2024-03-01).'])
    """
    return check_not_before(check_date(value, errors, "until", "Until", required=required),
                            since, errors)


def check_not_before(until: dt.date | None, since: dt.date | None,
                     errors: Errors) -> dt.date | None:
    """Return ``until``, recording a problem when it falls before ``since``."""
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
