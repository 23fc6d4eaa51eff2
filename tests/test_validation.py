"""The field rules of catalog.validation, as tables."""

import pytest

from catalog.errors import ValidationFailed
from catalog.validation import clean_capability

VALID = {"slug": "order-service", "name": "Order service", "summary": "Orders.",
         "domain": "transaction", "team": "trade"}


def errors_for(**changes):
    with pytest.raises(ValidationFailed) as info:
        clean_capability({**VALID, **changes})
    return info.value.errors


def test_valid_input_is_cleaned():
    cleaned = clean_capability({**VALID, "name": "  Order service ", "tags": "Checkout, core, core",
                                "tier": "1", "sla_availability": "99.95%", "sla_p99_ms": "120"})
    assert cleaned["name"] == "Order service"
    assert cleaned["tags"] == ["checkout", "core"]
    assert cleaned["tier"] == 1
    assert str(cleaned["sla_availability"]) == "99.950"
    assert cleaned["sla_p99_ms"] == 120
    assert cleaned["lifecycle"] == "proposed"


@pytest.mark.parametrize("field, value, message", [
    ("slug", "", "Slug is required."),
    ("slug", "Order Service", "kebab-case"),
    ("slug", "order--service", "kebab-case"),
    ("slug", "-order", "kebab-case"),
    ("slug", "a" * 64, "at most 63"),
    ("name", "", "Name is required."),
    ("name", "   ", "Name is required."),
    ("name", "x" * 121, "at most 120"),
    ("name", "two\nlines", "single line"),
    ("summary", "s" * 281, "at most 280"),
    ("description", "d" * 20_001, "at most 20,000"),
    ("domain", "", "Domain is required."),
    ("team", "", "Owner team is required."),
    ("lifecycle", "alive", "Lifecycle must be one of"),
    ("tier", "0", "Tier must be 1"),
    ("tier", "high", "Tier must be 1"),
    ("tier", True, "Tier must be 1"),
    ("tags", "ok, Not OK!", "lowercase letters"),
    ("tags", 12, "list or a comma-separated"),
    ("tags", [f"t{i}" for i in range(21)], "At most 20 tags."),
    ("docs_url", "javascript:alert(1)", "http(s) URL"),
    ("repo_url", "ftp://example.com/x", "http(s) URL"),
    ("sla_availability", "101", "percentage"),
    ("sla_availability", "0", "percentage"),
    ("sla_availability", "NaN", "percentage"),
    ("sla_p99_ms", "-5", "milliseconds"),
    ("sla_p99_ms", "1.5", "milliseconds"),
    ("name", {"nested": "object"}, "must be text"),
])
def test_bad_field_is_named_with_a_message(field, value, message):
    errors = errors_for(**{field: value})
    assert list(errors) == [field]
    assert message in " ".join(errors[field])


@pytest.mark.parametrize("apis, field, message", [
    ([{"name": ""}], "apis.0.name", "API name is required."),
    ([{"name": "A"}, {"name": "a"}], "apis.1.name", "listed twice"),
    ([{"name": "A", "status": "gold"}], "apis.0.status", "beta, stable, deprecated"),
    ([{"name": "A", "kind": "has space"}], "apis.0.kind", "short word"),
    ([{"name": "A", "kind": "openapi", "spec": "- just\n- a list"}], "apis.0.spec", "mapping"),
    ("not a list", "apis", "Must be a list."),
    ([{"name": f"A{i}"} for i in range(51)], "apis", "At most 50"),
])
def test_bad_apis(apis, field, message):
    errors = errors_for(apis=apis)
    assert message in " ".join(errors[field])


def test_api_kind_is_kept_as_given():
    cleaned = clean_capability({**VALID, "apis": [{"name": "Legacy", "kind": "thrift"}]})
    assert cleaned["apis"][0]["kind"] == "thrift"


@pytest.mark.parametrize("deps, field, message", [
    (["a", "a"], "dependencies.1", "listed twice"),
    ([{"provider": ""}], "dependencies.0", "needs a provider"),
    ([{"provider": "a", "kind": "telepathy"}], "dependencies.0", "sync, async, data"),
    ([42], "dependencies.0", "provider slug"),
])
def test_bad_dependencies(deps, field, message):
    errors = errors_for(dependencies=deps)
    assert message in " ".join(errors[field])


def test_every_bad_field_is_reported_at_once():
    errors = errors_for(slug="Bad", name="", tier="9")
    assert set(errors) == {"slug", "name", "tier"}


def test_partial_checks_only_what_is_given():
    assert clean_capability({"tier": 2}, partial=True) == {"tier": 2}
