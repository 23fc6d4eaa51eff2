"""One declaration per field: the rule, its message and the OpenAPI schema come from it."""

import json
import re

import pytest

from catalog import accounts, fields
from catalog.validation import Errors

#: Components of the OpenAPI document that are an input model's own JSON Schema.
MODELS = {"CapabilityCreate": fields.CapabilityInput, "ApiInput": fields.ApiInput,
          "DependencyInput": fields.DependencyInput, "DeliveryCreate": fields.DeliveryInput,
          "AdoptionCreate": fields.AdoptionInput, "DismissalCreate": fields.DismissalInput}
#: A valid value of every required field, to vary one field at a time.
VALID = {
    fields.CapabilityInput: {"slug": "orders", "name": "Orders", "domain": "trade",
                             "team": "trade"},
    fields.DeliveryInput: {"business": "taobao", "title": "Gift cards",
                           "requested_on": "2025-01-01"},
    fields.AdoptionInput: {"business": "taobao", "capability": "orders"},
    fields.DismissalInput: {"capability": "a", "other": "b", "reason": "Not alike."},
    fields.TeamInput: {"slug": "trade", "name": "Trade"},
    fields.DomainInput: {"slug": "trade", "name": "Trade", "layer": "frontend"},
    fields.BusinessInput: {"slug": "taobao", "name": "Taobao"},
}


def _errors(model, data):
    errors = Errors()
    fields.check(model, data, errors)
    return dict(errors)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_document_states_the_models_own_schema(client, name):
    document = client.get("/api/v1/openapi.json").get_json()
    schema = json.loads(json.dumps(fields.json_schema(MODELS[name])[0]))
    assert document["components"]["schemas"][name] == schema


def test_a_new_declaration_gives_its_check_message_and_schema():
    class Probe(fields.Input):
        """A probe."""

        motto: fields.text("Motto", 5, required=True)
        level: fields.choice("Level", ("low", "high"), "low") = "low"

    schema = fields.json_schema(Probe)[0]
    assert schema["properties"]["motto"]["maxLength"] == 5
    assert schema["properties"]["level"]["enum"] == ["low", "high"]
    assert schema["required"] == ["motto"] and schema["description"] == "A probe."
    assert _errors(Probe, {"motto": "x" * 6, "level": "mid"}) == {
        "motto": ["Motto must be at most 5 characters (got 6)."],
        "level": ["Level must be one of: low, high."]}
    assert _errors(Probe, {"motto": " ok "}) == {}


def _limits(model):
    """(field, maxLength) of every text field whose schema a run of 'a' can fill."""
    schema = fields.json_schema(model)[0]["properties"]
    for name, rule in schema.items():
        pattern = rule.get("pattern")
        if rule.get("type") == "string" and "maxLength" in rule and (
                pattern is None or re.search(pattern, "a" * rule["maxLength"])):
            yield name, rule["maxLength"]


@pytest.mark.parametrize("model, field, limit", [
    (model, field, limit) for model in VALID for field, limit in _limits(model)])
def test_every_length_in_the_schema_is_the_length_the_rule_enforces(model, field, limit):
    assert field not in _errors(model, {**VALID[model], field: "a" * limit})
    assert field in _errors(model, {**VALID[model], field: "a" * (limit + 1)})


@pytest.mark.parametrize("model, field", [
    (model, field) for model in VALID for field, rule in
    fields.json_schema(model)[0]["properties"].items() if "enum" in rule])
def test_every_enum_in_the_schema_is_the_choice_the_rule_enforces(model, field):
    choices = fields.json_schema(model)[0]["properties"][field]["enum"]
    for value in choices:
        assert field not in _errors(model, {**VALID[model], field: value})
    assert field in _errors(model, {**VALID[model], field: "none-of-these"})


def test_a_required_field_of_the_schema_is_required_by_the_rule():
    for model, valid in VALID.items():
        for field in fields.json_schema(model)[0].get("required", []):
            assert field in _errors(model, {k: v for k, v in valid.items() if k != field})


# -- hostile values through the API: a 422 naming the field, never a 500 ----------------

DEEP = {"a": 1}
for _ in range(25):
    DEEP = {"a": DEEP}
HOSTILE = {"huge": "x" * 300_000, "deep": DEEP, "rows": [DEEP, [DEEP]]}


@pytest.fixture
def writer(make, db):
    make.team("trade")
    make.domain("trade")
    user = make.user("boss", role="admin", team="")
    return {"Authorization": f"Bearer {accounts.issue_token(user, 'ci', 'write')}"}


@pytest.mark.parametrize("kind", ["huge", "deep", "rows"])
@pytest.mark.parametrize("field", list(fields.CapabilityInput.model_fields))
def test_a_hostile_value_is_a_422_naming_the_field(client, writer, unchanged, field, kind):
    unchanged()
    response = client.post("/api/v1/capabilities", headers=writer,
                           json={**VALID[fields.CapabilityInput], field: HOSTILE[kind]})
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert any(name == field or name.startswith(f"{field}.")
               for name in response.get_json()["errors"])
    unchanged.check()


@pytest.mark.parametrize("row, field", [
    ({"name": DEEP}, "apis.0.name"), ({"name": "A", "spec": "x" * 1_000_001}, "apis.0.spec"),
    ({"name": "A", "kind": ["grpc"]}, "apis.0.kind"), ("just text", "apis.0"),
])
def test_a_hostile_api_row_names_its_field(client, writer, row, field):
    response = client.post("/api/v1/capabilities", headers=writer,
                           json={**VALID[fields.CapabilityInput], "apis": [row]})
    assert response.status_code == 422 and field in response.get_json()["errors"]
