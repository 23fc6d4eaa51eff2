"""Fuzz the JSON API from its own OpenAPI document with schemathesis; print cases and failures.

    .venv/bin/python -m bench.fuzz_api                 # 300 cases per operation (> 6,000 in all)
    .venv/bin/python -m bench.fuzz_api --examples 50 --database postgresql://...

Every operation of ``/api/v1/openapi.json`` gets ``--examples`` generated
requests (Hypothesis, derandomized: the same cases every run), sent in
process to the app over WSGI with an admin's write token, against the demo
catalog. Each response is checked by schemathesis: no 5xx, a documented
status, content type and headers, a body valid against the response schema,
writes refused without a token. About half of the cases name real rows (a
known slug or id in the path, known slugs in the body) so they get past
"not found" to the rules behind. The test suite runs the same loop with
fewer cases (tests/test_schemathesis.py).
"""

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.schemas import OpenApiSchema

DOCUMENT = "/api/v1/openapi.json"
#: Body fields that name other rows by slug (like path parameters): real ones half the time.
REFERENCE_FIELDS = ("domain", "team", "business", "capability", "consumer", "provider")


@dataclass
class Outcome:
    """What fuzzing one operation found."""

    operation: str
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def load_schema(app, token: str) -> OpenApiSchema:
    """Return the API's schema as schemathesis reads it from the app, sending ``token``.

    The token is schemathesis's own auth for the bearer scheme, so its
    ``ignored_auth`` check can take it off and expect a 401. Schema-valid data
    may still be refused by a rule the schema cannot state (an unknown domain,
    a date in the future): 422 is the documented answer, so the check that
    expects schema-valid data to pass is off.
    """
    config = schemathesis.Config.from_dict({
        "auth": {"openapi": {"bearerAuth": {"bearer": token}}},
        "checks": {"positive_data_acceptance": {"enabled": False}},
        # schemathesis reads a YAML response as one document; the export is a stream of
        # them, each checked against BackstageEntity by tests/test_backstage_roundtrip.py.
        "operations": [{"include-operation-id": "export_backstage",
                        "checks": {"response_schema_conformance": {"enabled": False}}}],
    })
    return schemathesis.openapi.from_wsgi(DOCUMENT, app, config=config)



def known_values(db) -> dict[str, list[Any]]:
    """Return real slugs and ids of the catalog, to aim part of the cases at existing rows."""
    from catalog.models import Adoption, Business, Capability, Delivery, Domain, Team

    def first(column, n=5):
        return list(db.session.scalars(sa.select(column).order_by(column).limit(n)))

    from catalog.backstage.entities import entity_uid

    capabilities = first(Capability.slug, 8)
    return {"domain": first(Domain.slug), "team": first(Team.slug),
            "business": first(Business.slug), "capability": capabilities,
            "consumer": capabilities, "provider": capabilities, "slug": capabilities,
            "adoption_id": first(Adoption.id), "delivery_id": first(Delivery.id),
            # Backstage's catalog API: entities by kind, namespace and name, or by uid.
            "kind": ["component"], "namespace": ["default"], "name": capabilities,
            "uid": [entity_uid(f"component:default/{slug}") for slug in capabilities]}


def operation_strategy(schema: OpenApiSchema, operation_id: str,
                       known: dict[str, list[Any]]) -> st.SearchStrategy:
    """Return the cases of one operation: generated ones, and ones aimed at real rows."""
    operation = schema.find_operation_by_id(operation_id)
    generated = operation.as_strategy()
    names = [p.name for p in operation.path_parameters]
    aimed = [operation.as_strategy(path_parameters=dict(zip(
        names, values, strict=True))) for values in _combinations(names, known)]
    return st.one_of(generated, *aimed) if aimed else generated


def _combinations(names: list[str], known: dict[str, list[Any]]) -> list[tuple]:
    if not names or not all(known.get(name) for name in names):
        return []
    return [tuple(known[name][i % len(known[name])] for name in names) for i in range(3)]


def aim_bodies(schema: OpenApiSchema, known: dict[str, list[Any]]) -> None:
    """Make half the generated JSON bodies name real rows in their reference fields."""

    @schema.hook
    def flatmap_body(context, body):
        if not isinstance(body, dict):
            return st.just(body)
        fields = {name: st.sampled_from([value, *known[name]])
                  for name, value in body.items() if name in REFERENCE_FIELDS and known.get(name)}
        if not fields:
            return st.just(body)
        return st.fixed_dictionaries(fields).map(lambda chosen: {**body, **chosen})


def fuzz_operation(schema: OpenApiSchema, operation_id: str, *,
                   known: dict[str, list[Any]], max_examples: int,
                   on_case: Callable[[], None] | None = None) -> Outcome:
    """Send ``max_examples`` generated requests to one operation and check every response.

    Failures are collected, not raised, so one run reports all it finds;
    Hypothesis is derandomized and keeps no example database.
    """
    outcome = Outcome(operation_id)
    strategy = operation_strategy(schema, operation_id, known)

    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        outcome.cases += 1
        try:
            # The in-process (WSGI) transport does not decode compressed answers.
            response = case.call(base_url=case.operation.base_url,
                                 headers={"Accept-Encoding": "identity"})
            outcome.statuses[response.status_code] = outcome.statuses.get(
                response.status_code, 0) + 1
            case.validate_response(response)
        except (Exception, BaseExceptionGroup) as exc:
            message = " ".join(str(exc).split())[:600]
            outcome.failures.append(f"{case.method} {case.formatted_path}: "
                                    f"{type(exc).__name__}: {message}")
        if on_case is not None:
            on_case()

    run()
    return outcome


def operation_ids(schema: OpenApiSchema) -> list[str]:
    """Return the operation ids of the document, in document order."""
    return [operation.ok().definition.raw["operationId"]
            for operation in schema.get_all_operations()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300, help="cases per operation")
    parser.add_argument("--database", default="", help="database URL (default: a temporary "
                                                        "SQLite file)")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from catalog import accounts, seed
    from catalog.db import db
    from portal import create_app

    folder = tempfile.mkdtemp(prefix="fuzz-api-")
    uri = args.database or f"sqlite:///{Path(folder) / 'fuzz.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "fuzz", "SERVER_NAME": None})
    with app.app_context():
        upgrade()
        if seed.catalog_is_empty():
            seed.seed_demo()
        admin = accounts.create_user(f"fuzz-{int(time.time())}", "fuzz-password", role="admin")
        token = accounts.issue_token(admin, "fuzz", "write")
        known = known_values(db)
    schema = load_schema(app, token)
    aim_bodies(schema, known)
    started = time.perf_counter()
    outcomes = []
    for operation_id in operation_ids(schema):
        outcome = fuzz_operation(schema, operation_id, known=known, max_examples=args.examples)
        outcomes.append(outcome)
        statuses = " ".join(f"{code}:{n}" for code, n in sorted(outcome.statuses.items()))
        print(f"{operation_id:<26} {outcome.cases:>5} cases  {len(outcome.failures):>3} failures"
              f"  [{statuses}]", flush=True)
    cases = sum(o.cases for o in outcomes)
    failures = [failure for o in outcomes for failure in o.failures]
    elapsed = time.perf_counter() - started
    print(f"\n{cases:,} cases over {len(outcomes)} operations in {elapsed:.1f} s "
          f"({cases / elapsed:.0f}/s); {len(failures)} failures.")
    for failure in dict.fromkeys(failures):
        print(f"  {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
