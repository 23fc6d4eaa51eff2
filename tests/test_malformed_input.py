"""Malformed input is a 400 or a 422 naming the problem, never a 500.

Regressions: JSON nested 1,000+ deep crashed the request screen (RecursionError);
``"tier": 1e400`` (infinity once parsed) crashed the tier rule (OverflowError).
The Backstage YAML half (3,000+ levels) is in test_hostile_yaml.py.
"""

import pytest


@pytest.fixture
def writer(make, db):
    make.team("trade")
    make.domain("transaction")
    make.capability("order-service")
    return {"Authorization": f"Bearer {make.admin_token()}",
            "Content-Type": "application/json"}


@pytest.mark.parametrize("depth", [40, 1_000, 5_000, 100_000])
def test_deeply_nested_json_is_a_400(client, writer, unchanged, depth):
    body = '{"slug": "deep", "name": "Deep", "tags": ' + "[" * depth + "]" * depth + "}"
    unchanged()
    response = client.post("/api/v1/capabilities", data=body, headers=writer)
    assert response.status_code == 400 and response.is_json
    assert "nested more than 32 levels" in response.get_json()["error"]
    unchanged.check()


def test_json_of_ordinary_depth_still_goes_through(client, writer):
    response = client.post("/api/v1/capabilities", headers=writer, data=(
        '{"slug": "fine", "name": "Fine", "domain": "transaction", "team": "trade", '
        '"apis": [{"name": "A", "spec": "openapi: 3.0.0"}], "dependencies": '
        '[{"provider": "order-service"}]}'))
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
def test_an_infinite_tier_is_a_422_naming_the_field(client, writer, unchanged, number):
    body = ('{"slug": "huge", "name": "Huge", "domain": "transaction", "team": "trade", '
            f'"tier": {number}, "sla_availability": {number}, "sla_p99_ms": {number}}}')
    unchanged()
    response = client.post("/api/v1/capabilities", data=body, headers=writer)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert {"tier", "sla_availability", "sla_p99_ms"} <= set(errors)
    unchanged.check()


def test_an_infinite_version_is_a_422(client, writer):
    response = client.patch("/api/v1/capabilities/order-service", headers=writer,
                            data='{"summary": "x", "version": 1e400}')
    assert response.status_code == 422 and "version" in response.get_json()["errors"]
