"""Schemathesis over /api/v1/openapi.json: generated requests, no 5xx, every answer as documented.

Each operation gets :data:`EXAMPLES` derandomized cases (the same every run)
against a small catalog, with an admin's write token given to schemathesis
as the bearer scheme's credentials, so it also checks that writes without
one are refused. ``bench/fuzz_api.py`` runs the same loop with thousands of
cases against the demo catalog.
"""

import pytest

from bench.fuzz_api import aim_bodies, fuzz_operation, known_values, load_schema
from catalog import accounts
from catalog.adoptions import adopt
from catalog.deliveries import record_delivery
from catalog.models import User
from portal.openapi import OPERATIONS

EXAMPLES = 60
#: The document itself is loaded by schemathesis, not fuzzed.
FUZZED = sorted(endpoint.split(".", 1)[1] for endpoint in OPERATIONS
                if endpoint != "api.openapi_document")


@pytest.fixture
def fuzz_target(app, make, db):
    """A small catalog of every kind of row, and schemathesis loaded with an admin's token."""
    make.team("trade")
    make.team("growth", kind="business")
    make.domain("transaction")
    make.domain("search", layer="infrastructure")
    make.capability("search-engine", domain="search", team="growth", lifecycle="production",
                    apis=[{"name": "Query", "kind": "grpc", "status": "stable"}])
    make.capability("order-service", tags=["checkout"], lifecycle="production",
                    dependencies=[{"provider": "search-engine", "api": "Query"}])
    make.capability("coupon-engine", tier=1, dependencies=["order-service"])
    make.business("taobao")
    adopt({"business": "taobao", "capability": "order-service", "since": "2024-01-01"}, None)
    record_delivery({"business": "taobao", "title": "Gift cards", "requested_on": "2024-02-01",
                     "delivered_on": "2024-03-01", "capabilities": ["order-service"]}, None)
    admin = User(username="fuzz-admin", role="admin", password_hash="!")  # tokens only
    db.session.add(admin)
    db.session.commit()
    schema = load_schema(app, accounts.issue_token(admin, "schemathesis", "write"))
    known = known_values(db)
    aim_bodies(schema, known)
    return schema, known


@pytest.mark.parametrize("operation_id", FUZZED)
def test_operation_answers_as_documented(fuzz_target, operation_id):
    schema, known = fuzz_target
    outcome = fuzz_operation(schema, operation_id, known=known, max_examples=EXAMPLES)
    assert outcome.cases >= 1
    assert not outcome.failures, "\n\n".join(dict.fromkeys(outcome.failures))


def test_every_operation_is_fuzzed(app):
    """A new endpoint joins the run by being in the route table (and so in the document)."""
    documented = {op["operationId"] for item in
                  app.test_client().get("/api/v1/openapi.json").get_json()["paths"].values()
                  for method, op in item.items() if method != "servers"}
    assert set(FUZZED) == documented - {"openapi_document"}
