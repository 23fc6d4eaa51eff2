"""Backstage's own client reads the portal: ``@backstage/catalog-client`` against /api/catalog.

``tests/backstage-client/check-catalog.mjs`` runs under Node with the
client and ``@backstage/catalog-model`` from npm (installed with ``npm ci``
from the committed lock file the first time), against a live server over the
demo catalog plus Backstage's example catalog. What it reads is compared with
the export (the entities the API must serve) read independently here.
"""

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from catalog import accounts, seed
from catalog.backstage import export_catalog, import_catalog
from tests.conftest import BACKSTAGE_EXAMPLES

CLIENT = Path(__file__).resolve().parent / "backstage-client"
TERM = "pay"


@pytest.fixture(scope="session")
def node():
    """Node, with the client's packages installed from the lock file."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("Node 20 and npm are needed to run Backstage's catalog client "
                    "(tests/backstage-client); install them and run again.")
    if not (CLIENT / "node_modules" / "@backstage" / "catalog-client").is_dir():
        installed = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=CLIENT,
                                   capture_output=True, text=True, timeout=600)
        assert installed.returncode == 0, installed.stderr
    return node


def read_with_backstage_client(node: str, base_url: str, token: str | None = None) -> dict:
    done = subprocess.run([node, "check-catalog.mjs", base_url, *([token] if token else [])],
                          cwd=CLIENT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "FULL_TEXT_TERM": TERM})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def ref(kind: str, name: str) -> str:
    return f"{kind}:default/{name}".lower()


def full_ref(value: str, default_kind: str) -> str:
    kind, colon, rest = value.partition(":")
    if not colon:
        kind, rest = default_kind, value
    return (f"{kind}:{rest}" if "/" in rest else f"{kind}:default/{rest}").lower()


@pytest.fixture
def catalog(db):
    """The demo catalog and Backstage's example catalog; returns the export's entities."""
    seed.seed_demo()
    assert import_catalog(BACKSTAGE_EXAMPLES / "catalog-info.yaml").ok
    return list(yaml.safe_load_all(export_catalog()))


def test_backstage_catalog_client_reads_the_portal(node, live_server, catalog):
    read = read_with_backstage_client(node, live_server)

    assert read["invalid"] == {}
    assert read["count"] == len(catalog)
    kinds = Counter(entity["kind"] for entity in catalog)
    assert read["kinds"] == {kind: {"facet": n, "listed": n} for kind, n in kinds.items()}
    assert len(set(read["uids"].values())) == len(catalog) == len(set(read["etags"].values()))

    asked = read["byRefsAsked"]
    assert read["byRef"] is True and read["missingByRef"] is None
    assert read["byRefs"] == [asked[0], None, asked[2]]

    components = sorted((e["metadata"]["name"] for e in catalog if e["kind"] == "Component"),
                        key=str.lower)
    assert read["totalItems"] == read["streamed"] == len(components)
    assert all(0 < len(page) <= 7 for page in read["pages"])
    assert [name for page in read["pages"] for name in page] == components
    assert read["backToFirst"] == read["pages"][0] and read["firstHasPrev"] is False

    assert read["fullText"] == sorted(
        e["metadata"]["name"] for e in catalog if e["kind"] == "Component"
        and TERM in (e["metadata"]["name"] + " " + e["metadata"].get("title", "")).lower())
    assert read["fullText"]
    assert read["ownerFacets"] == Counter(e["spec"]["owner"] for e in catalog
                                          if e["kind"] == "Component")

    dependents: dict[str, set[str]] = {}
    for entity in catalog:
        for target in entity["spec"].get("dependsOn", []):
            dependents.setdefault(full_ref(target, "component"), set()).add(
                ref(entity["kind"], entity["metadata"]["name"]))
    most = max(len(refs) for refs in dependents.values())
    assert len(dependents[read["hub"]]) == most > 5
    hub = next(e for e in catalog if ref(e["kind"], e["metadata"]["name"]) == read["hub"])
    relations = read["hubRelations"]
    assert sorted(relations["dependencyOf"]) == sorted(dependents[read["hub"]])
    assert relations["ownedBy"] == [full_ref(hub["spec"]["owner"], "group")]
    assert relations["partOf"] == [full_ref(hub["spec"]["system"], "system")]
    assert sorted(relations.get("providesApi", [])) == sorted(
        full_ref(api, "api") for api in hub["spec"].get("providesApis", []))

    assert read["badFilter"]["status"] == 400 and read["badFilter"]["cause"] == "InputError"
    assert "Invalid filter" in read["badFilter"]["message"]
    assert read["badCursor"]["status"] == 400 and "Malformed cursor" in read["badCursor"]["message"]
    assert read["refresh"]["status"] == read["removeEntity"]["status"] == 405


def test_backstage_client_reads_with_a_token_when_login_is_required(node, live_server, app,
                                                                     catalog, monkeypatch):
    user = accounts.create_user("reader", "correct-horse-battery", role="viewer")
    token = accounts.issue_token(user, "backstage", "read")
    monkeypatch.setitem(app.config, "REQUIRE_LOGIN", True)
    read = read_with_backstage_client(node, live_server, token)
    assert read["count"] == len(catalog) and read["invalid"] == {}
