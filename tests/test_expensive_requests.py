"""One request cannot carry unbounded work; long imports say how far they are.

Regression: a capability form post with 100,000 dependency rows was parsed,
looked up and drawn back in full (the form's row cap came only after the work).
"""

import pytest
import sqlalchemy as sa

from catalog.models import Delivery
from tests.conftest import csrf_token


@pytest.fixture
def catalog(make):
    make.team("trade")
    make.domain("transaction")
    make.capability("order-service")


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_form_with_too_many_rows_is_refused_before_any_work(client, login, catalog, unchanged,
                                                              encoding):
    login("architect")
    fields = {"csrf_token": csrf_token(client, "/capabilities/new"), "slug": "flood",
              "name": "Flood", "domain": "transaction", "team": "trade",
              "dep_provider": [f"cap-{i}" for i in range(1_500)], "dep_kind": "sync"}
    unchanged()
    response = client.post("/capabilities/new", data=fields,
                           content_type=("multipart/form-data" if encoding == "multipart"
                                         else "application/x-www-form-urlencoded"))
    assert response.status_code == 413
    if encoding == "urlencoded":
        assert "more than 1,000 fields" in response.get_data(as_text=True)
    unchanged.check()


def test_a_full_form_still_goes_through(client, login, catalog, make):
    for i in range(30):
        make.capability(f"provider-{i}")
    login("architect")
    response = client.post("/capabilities/new", data={
        "csrf_token": csrf_token(client, "/capabilities/new"), "slug": "busy", "name": "Busy",
        "summary": "Uses many.", "domain": "transaction", "team": "trade",
        "lifecycle": "proposed", "tier": "3",
        "dep_provider": [f"provider-{i}" for i in range(30)], "dep_kind": ["sync"] * 30})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_a_long_csv_import_reports_progress(runner, make, db, tmp_path):
    from catalog.models import Business

    make.team("trade")
    db.session.add(Business(slug="taobao", name="Taobao"))
    db.session.commit()
    rows = "".join(f"taobao,Feature {i},2025-01-02,2025-02-03,,ref-{i}\n" for i in range(2_500))
    csv_file = tmp_path / "deliveries.csv"
    csv_file.write_text("business,title,requested_on,delivered_on,capabilities,external_ref\n"
                        + rows)
    result = runner.invoke(args=["import-deliveries", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "written 1000/2500" in result.stderr and "written 2500/2500" in result.stderr
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 2_500
