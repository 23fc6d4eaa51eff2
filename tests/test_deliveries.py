"""Deliveries: the API, the CSV import and export, and their commands."""

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from catalog import deliveries
from catalog.deliveries import DeliveryFilters, export_deliveries_csv, import_deliveries_csv
from catalog.errors import Conflict, Forbidden
from catalog.history import current_revision
from catalog.models import Delivery, delivery_capability
from catalog.models._time import today
from tests.support import assert_only_field_error

HEADER = "business,title,requested_on,delivered_on,capabilities,external_ref\n"


@pytest.fixture
def org(make):
    make.taobao_and_tmall()
    make.capability("order-center", lifecycle="production")
    make.capability("coupon-center", lifecycle="production")
    make.capability("payment-gateway", lifecycle="production")
    return make


@pytest.fixture
def token(token, org):
    """The shared token fixture (conftest), once the test's org exists."""
    return token


GOOD = {"business": "taobao", "title": "Gift cards at checkout", "requested_on": "2025-01-10",
        "delivered_on": "2025-02-19", "capabilities": ["order-center", "coupon-center"],
        "external_ref": "TB-1"}


def count(db, table=Delivery) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(table))


# -- the API ---------------------------------------------------------------------


def test_record_via_api_is_201_with_the_lead_time(client, token, db):
    revision = current_revision()

    response = client.post("/api/v1/deliveries", json=GOOD, headers=token())

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body | {"id": 0} == {
        "id": 0, "business": "taobao", "business_name": "Taobao",
        "title": "Gift cards at checkout", "requested_on": "2025-01-10",
        "delivered_on": "2025-02-19", "lead_time_days": 40, "open": False, "age_days": None,
        "capabilities": ["coupon-center", "order-center"], "source": "api",
        "external_ref": "TB-1"}
    assert response.headers["Location"].endswith(f"/api/v1/deliveries/{body['id']}")
    assert client.get(response.headers["Location"]).get_json() == body
    assert current_revision() == revision  # deliveries do not change the graph


def test_an_open_delivery_has_an_age(client, token):
    requested = today() - dt.timedelta(days=12)
    body = client.post("/api/v1/deliveries", headers=token(), json={
        "business": "tmall", "title": "Open one", "requested_on": requested.isoformat(),
    }).get_json()

    assert body["open"] is True and body["age_days"] == 12 and body["lead_time_days"] is None


@pytest.mark.parametrize("changes, field, words", [
    ({"business": "nope"}, "business", "Unknown business"),
    ({"business": None}, "business", "required"),
    ({"title": ""}, "title", "required"),
    ({"title": "x" * 201}, "title", "at most 200"),
    ({"requested_on": "10/01/2025"}, "requested_on", "YYYY-MM-DD"),
    ({"requested_on": None}, "requested_on", "required"),
    ({"delivered_on": "2025-01-09"}, "delivered_on", "not be before requested on"),
    ({"delivered_on": "3000-01-01"}, "delivered_on", "future"),
    ({"capabilities": ["order-center", "nope"]}, "capabilities.1", "Unknown capability 'nope'"),
    ({"capabilities": [3]}, "capabilities.0", "slug"),
    ({"capabilities": {"a": 1}}, "capabilities", "list"),
    ({"source": "fax"}, "source", "form, csv, api"),
    ({"external_ref": "r" * 121}, "external_ref", "at most 120"),
])
def test_bad_deliveries_are_422_naming_the_field(client, token, unchanged, changes, field,
                                                  words):
    headers = token()
    unchanged()

    response = client.post("/api/v1/deliveries", json={**GOOD, **changes}, headers=headers)

    assert_only_field_error(response, field, words)
    unchanged.check()


def test_an_external_ref_is_unique_per_business(client, token, unchanged):
    headers = token()
    assert client.post("/api/v1/deliveries", json=GOOD, headers=headers).status_code == 201
    unchanged()

    response = client.post("/api/v1/deliveries", json=GOOD, headers=headers)

    assert response.status_code == 409
    assert "TB-1" in response.get_json()["errors"]["external_ref"][0]
    unchanged.check()
    other = client.post("/api/v1/deliveries", json={**GOOD, "business": "tmall"}, headers=headers)
    assert other.status_code == 201
    no_ref = {**GOOD, "external_ref": ""}
    assert client.post("/api/v1/deliveries", json=no_ref, headers=headers).status_code == 201
    assert client.post("/api/v1/deliveries", json=no_ref, headers=headers).status_code == 201


def test_the_database_refuses_a_duplicate_ref_too(org, db):
    """A race past the service's check ends as the same 409, not a 500."""
    deliveries.record_delivery(GOOD, None)
    db.session.add(Delivery(business_id=1, title="dup", requested_on=dt.date(2025, 1, 1),
                            external_ref="TB-1"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(Conflict):
        deliveries.record_delivery(GOOD, None)


@pytest.mark.parametrize("role, team, scopes, status", [
    ("viewer", "", "write", 403), ("architect", "", "read", 403),
    ("contributor", "trade", "write", 403), ("contributor", "taobao-team", "write", 201),
    ("admin", "", "write", 201),
])
def test_who_may_record_a_delivery(client, token, role, team, scopes, status):
    response = client.post("/api/v1/deliveries", json=GOOD, headers=token(role, team, scopes))
    assert response.status_code == status


def test_without_a_token_it_is_401(client, org, unchanged):
    unchanged()
    assert client.post("/api/v1/deliveries", json=GOOD).status_code == 401
    unchanged.check()


@pytest.fixture
def recorded(org):
    day = dt.date(2025, 1, 1)
    rows = [("taobao", 0, 30, ["order-center"]), ("taobao", 10, 50, []),
            ("tmall", 20, 45, ["coupon-center", "order-center"]), ("tmall", 40, None, [])]
    for i, (business, start, end, caps) in enumerate(rows):
        deliveries.record_delivery({
            "business": business, "title": f"Feature {i}",
            "requested_on": day + dt.timedelta(days=start),
            "delivered_on": day + dt.timedelta(days=end) if end is not None else None,
            "capabilities": caps, "external_ref": f"R-{i}"}, None)
    return rows


def test_list_filters(client, recorded):
    def titles(query=""):
        body = client.get(f"/api/v1/deliveries{query}").get_json()
        assert body["total"] == len(body["items"])
        return sorted(d["title"] for d in body["items"])

    assert titles() == ["Feature 0", "Feature 1", "Feature 2", "Feature 3"]
    assert titles("?business=tmall") == ["Feature 2", "Feature 3"]
    assert titles("?open=true") == ["Feature 3"]
    assert titles("?open=false&business=tmall") == ["Feature 2"]
    # delivered on 2025-01-31, 2025-02-20 and 2025-02-15; both ends are inclusive
    assert titles("?since=2025-02-15&until=2025-02-20") == ["Feature 1", "Feature 2"]
    assert titles("?capability=order-center") == ["Feature 0", "Feature 2"]


def test_list_pages_with_a_next_link(client, recorded):
    body = client.get("/api/v1/deliveries?per_page=3").get_json()
    assert body["total"] == 4 and len(body["items"]) == 3
    # latest request first
    assert [d["title"] for d in body["items"]] == ["Feature 3", "Feature 2", "Feature 1"]
    second = client.get(body["next"]).get_json()
    assert [d["title"] for d in second["items"]] == ["Feature 0"] and second["next"] is None


@pytest.mark.parametrize("query, field", [
    ("since=2025-13-01", "since"), ("since=2025-03-01&until=2025-02-01", "until"),
    ("open=perhaps", "open"), ("open=true&since=2025-01-01", "open"), ("page=0", "page"),
])
def test_bad_list_parameters_are_422(client, recorded, query, field):
    response = client.get(f"/api/v1/deliveries?{query}")
    assert response.status_code == 422 and field in response.get_json()["errors"]


# -- CSV import ------------------------------------------------------------------


def csv_text(*rows: str, header: str = HEADER) -> str:
    return header + "".join(row + "\n" for row in rows)


def test_import_writes_every_row(org, db):
    text = csv_text("taobao,Gift cards,2025-01-10,2025-02-19,order-center;coupon-center,TB-1",
                    "tmall,Brand day,2025-02-01,,payment-gateway|order-center,",
                    'taobao,"Returns, faster",2025-03-01,2025-03-11,,TB-2')

    report = import_deliveries_csv(text, name="deliveries.csv")

    assert report.ok and report.written, report.errors
    assert (report.rows, report.deliveries, report.open, report.reused) == (3, 3, 1, 4)
    assert report.businesses == {"taobao": 2, "tmall": 1}
    assert count(db) == 3 and count(db, delivery_capability) == 4
    first = db.session.scalar(sa.select(Delivery).where(Delivery.external_ref == "TB-1"))
    assert first.lead_time_days == 40 and first.source == "csv"
    assert {c.slug for c in first.capabilities} == {"order-center", "coupon-center"}
    assert "Imported 3 deliveries (1 open, 4 capability links) from deliveries.csv" in str(report)


def test_a_dry_run_previews_and_writes_nothing(org, unchanged):
    unchanged()

    report = import_deliveries_csv(
        csv_text("taobao,Gift cards,2025-01-10,2025-02-19,order-center,TB-1"), dry_run=True)

    assert report.ok and not report.written
    assert report.deliveries == 1
    assert report.preview == [{
        "row": 1, "business": "taobao", "title": "Gift cards", "requested_on": "2025-01-10",
        "delivered_on": "2025-02-19", "capabilities": ["order-center"], "external_ref": "TB-1",
        "lead_time_days": 40}]
    assert "would be written" in str(report)
    unchanged.check()


@pytest.mark.parametrize("row, column, words", [
    ("taobao,Late,2025-03-01,2025-02-01,,", "delivered_on", "not be before requested on"),
    ("nope,Who,2025-03-01,2025-03-05,,", "business", "Unknown business 'nope'"),
    ("taobao,What,2025-03-01,2025-03-05,order-center;nope,", "capabilities",
     "Unknown capability 'nope' (item 2"),
    ("taobao,When,2025-02-30,,,", "requested_on", "YYYY-MM-DD"),
    ("taobao,When,01/03/2025,,,", "requested_on", "YYYY-MM-DD"),
    ("taobao,,2025-03-01,,,", "title", "required"),
    ("taobao,Future,2025-03-01,3000-01-01,,", "delivered_on", "future"),
    ("taobao,Again,2025-03-01,,,TB-1", "external_ref", "already used by row 1"),
])
def test_a_bad_row_is_named_by_row_line_and_column_and_nothing_is_written(
        org, unchanged, row, column, words):
    unchanged()

    report = import_deliveries_csv(csv_text("taobao,Fine,2025-01-01,2025-01-05,,TB-1", row))

    assert not report.ok and not report.written
    assert len(report.errors) == 1, report.errors
    problem = report.errors[0]
    assert (problem.row, problem.line, problem.column) == (2, 3, column)
    assert words in problem.message
    assert str(problem).startswith(f"row 2 (line 3), {column}: ")
    unchanged.check()


def test_a_ref_already_in_the_database_is_a_row_error(org, unchanged):
    deliveries.record_delivery(GOOD, None)
    unchanged()

    report = import_deliveries_csv(csv_text("taobao,Again,2025-03-01,,,TB-1"))

    assert [(p.row, p.column) for p in report.errors] == [(1, "external_ref")]
    assert "already has a delivery" in report.errors[0].message
    unchanged.check()


def test_the_report_lists_every_bad_row(org, unchanged):
    unchanged()
    report = import_deliveries_csv(csv_text(
        "taobao,One,2025-01-01,2025-01-05,,",
        "nope,Two,2025-01-01,2024-12-01,,",
        "",  # a blank line is skipped: not a row, but still a line
        "taobao,Three,2025-01-01,,ghost,",
        "taobao,Four,2025-01-01,2025-01-02,,",
        "tmall,Five,someday,,,"))

    assert [(p.row, p.line, p.column) for p in report.errors] == [
        (2, 3, "delivered_on"), (2, 3, "business"), (3, 5, "capabilities"),
        (5, 7, "requested_on")]
    assert report.bad_rows == [2, 3, 5]
    assert "failed with 4 error(s) in 3 row(s); nothing was written" in str(report)
    unchanged.check()


def test_a_quoted_value_over_two_lines_keeps_the_line_numbers_right(org):
    report = import_deliveries_csv(csv_text('taobao,"Two\nlines",2025-01-01,,,',
                                            "taobao,Bad,2025-01-01,x,,"))

    assert [(p.row, p.line, p.column) for p in report.errors] == [
        (1, 2, "title"), (2, 4, "delivered_on")]


@pytest.mark.parametrize("header, words", [
    ("business,title,requested,delivered_on\n",
     "missing column(s): requested_on; unknown column(s): requested"),
    ("title,requested_on\n", "missing column(s): business"),
    ("business,title,requested_on,title\n", "repeated column(s): title"),
    ("taobao,Gift cards,2025-01-01,,,\n", "missing column(s): business, title, requested_on"),
])
def test_wrong_columns_are_one_clear_error(org, unchanged, header, words):
    unchanged()

    report = import_deliveries_csv(header + "taobao,Gift cards,2025-01-01\n")

    assert len(report.errors) == 1
    assert report.errors[0].location == "header"
    assert words in report.errors[0].message
    assert "business,title,requested_on,delivered_on,capabilities,external_ref" in \
        report.errors[0].message
    unchanged.check()


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out(org, db):
    report = import_deliveries_csv("Requested_On,Business,Title\n2025-01-01,tmall,Short\n")

    assert report.ok and count(db) == 1


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("\n\n", "empty"), (HEADER, "no deliveries"), (b"\xff\xfe\x00x", "UTF-8"),
])
def test_an_empty_or_unreadable_file_is_an_error(org, unchanged, text, words):
    unchanged()
    report = import_deliveries_csv(text)
    assert [p.location for p in report.errors] == ["file"] and words in report.errors[0].message
    unchanged.check()


def test_a_byte_stream_with_a_bom_imports(org, db):
    data = ("\ufeff" + csv_text("taobao,Gift cards,2025-01-10,2025-02-19,,")).encode("utf-8")
    assert import_deliveries_csv(io.BytesIO(data)).ok and count(db) == 1


def test_a_row_with_too_many_values(org):
    report = import_deliveries_csv(csv_text("taobao,A,2025-01-01,,,,extra"))
    assert [(p.row, p.column) for p in report.errors] == [(1, "")]
    assert "7 values" in report.errors[0].message


def test_a_user_needs_the_right_to_record_for_every_business(org, unchanged):
    contributor = org.user("taobao-dev", role="contributor", team="taobao-team")
    unchanged()

    with pytest.raises(Forbidden):
        import_deliveries_csv(csv_text("taobao,A,2025-01-01,,,", "tmall,B,2025-01-01,,,"),
                              actor=contributor)
    unchanged.check()


def test_a_10_mb_file_with_one_bad_row_near_the_end_writes_nothing(org, unchanged, tmp_path):
    """~100,000 rows, 10 MB: read, checked and refused as a whole, naming the bad row."""
    path = tmp_path / "big.csv"
    rows = 100_000
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(1, rows + 1):
            business = "taobao" if i % 2 else "tmall"
            delivered = "2025-01-01" if i != rows - 3 else "2024-01-01"
            out.write(f"{business},Feature number {i:06d} of the big import file,2024-06-01,"
                      f"{delivered},order-center;coupon-center|payment-gateway,REF-{i:07d}\n")
    assert path.stat().st_size >= 10_000_000
    unchanged()

    with path.open("rb") as stream:
        report = import_deliveries_csv(stream, name=path.name)

    assert report.rows == rows
    assert [(p.row, p.line, p.column) for p in report.errors] == [
        (rows - 3, rows - 2, "delivered_on")]
    unchanged.check()


def test_a_large_import_is_written_in_bulk(org, db):
    rows = [f"taobao,Feature {i},2024-06-01,2025-01-01,order-center;coupon-center,R{i}"
            for i in range(5000)]

    report = import_deliveries_csv(csv_text(*rows))

    assert report.written and count(db) == 5000 and count(db, delivery_capability) == 10_000
    refs = db.session.execute(sa.select(Delivery.id, Delivery.external_ref)
                              .order_by(Delivery.id)).all()
    # ids come back in row order, so each delivery got its own links
    assert [ref for _, ref in refs[:3]] == ["R0", "R1", "R2"]


# -- CSV export ------------------------------------------------------------------


def test_export_then_import_gives_the_same_deliveries(org, db, recorded):
    exported = export_deliveries_csv()
    lines = exported.splitlines()
    assert lines[0] == ("business,title,requested_on,delivered_on,capabilities,external_ref,"
                        "lead_time_days")
    assert lines[1] == "taobao,Feature 0,2025-01-01,2025-01-31,order-center,R-0,30"
    assert lines[3] == "tmall,Feature 2,2025-01-21,2025-02-15,coupon-center;order-center,R-2,25"
    assert lines[4] == "tmall,Feature 3,2025-02-10,,,R-3,"
    db.session.execute(sa.delete(Delivery))
    db.session.commit()

    report = import_deliveries_csv(exported)

    assert report.written, report.errors
    assert export_deliveries_csv() == exported


def test_export_takes_the_filters(org, recorded):
    text = export_deliveries_csv(DeliveryFilters(business="tmall", open=True))
    assert text.splitlines()[1:] == ["tmall,Feature 3,2025-02-10,,,R-3,"]


def test_export_endpoint_is_csv(client, recorded):
    response = client.get("/api/v1/export/deliveries?business=taobao")
    assert response.mimetype == "text/csv"
    assert len(response.get_data(as_text=True).splitlines()) == 3


def test_import_endpoint_dry_run_and_errors(client, token, unchanged):
    headers = {**token(), "Content-Type": "text/csv"}
    unchanged()
    body = csv_text("taobao,Gift cards,2025-01-10,2025-02-19,order-center,TB-9")

    dry = client.post("/api/v1/import/deliveries?dry_run=true", data=body, headers=headers)
    assert dry.status_code == 200 and dry.get_json()["deliveries"] == 1
    assert dry.get_json()["written"] is False
    unchanged.check()
    bad = client.post("/api/v1/import/deliveries", data=csv_text("nope,A,2025-01-01,,,"),
                      headers=headers)
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {"row 1 (line 2), business": ["Unknown business 'nope'."]}
    unchanged.check()
    done = client.post("/api/v1/import/deliveries", data=body, headers=headers)
    assert done.status_code == 201 and done.get_json()["written"] is True


# -- commands --------------------------------------------------------------------


def test_cli_imports_a_file(runner, org, db, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(csv_text("taobao,Gift cards,2025-01-10,2025-02-19,order-center,TB-1"))

    dry = runner.invoke(args=["import-deliveries", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "would be written" in dry.output and count(db) == 0
    result = runner.invoke(args=["import-deliveries", str(path)])

    assert result.exit_code == 0, result.output
    assert "Imported 1 deliveries" in result.output and count(db) == 1


def test_cli_import_with_bad_rows_exits_1_and_writes_nothing(runner, org, unchanged, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(csv_text("taobao,Fine,2025-01-10,2025-02-19,,",
                             "taobao,Late,2025-03-01,2025-02-01,,",
                             "ghost,Who,2025-03-01,,,"))
    unchanged()

    result = runner.invoke(args=["import-deliveries", str(path)])

    assert result.exit_code == 1
    assert "row 2 (line 3), delivered_on: Delivered on must not be before" in result.stderr
    assert "row 3 (line 4), business: Unknown business 'ghost'." in result.stderr
    assert "nothing was written" in result.stderr
    unchanged.check()


def test_cli_import_of_a_missing_file_fails(runner, org):
    result = runner.invoke(args=["import-deliveries", "/nonexistent.csv"])
    assert result.exit_code != 0


def test_cli_exports_to_stdout_or_a_file(runner, recorded, tmp_path):
    result = runner.invoke(args=["export-deliveries", "--business", "tmall"])
    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == [
        "tmall,Feature 2,2025-01-21,2025-02-15,coupon-center;order-center,R-2,25",
        "tmall,Feature 3,2025-02-10,,,R-3,"]
    path = tmp_path / "out.csv"
    assert runner.invoke(args=["export-deliveries", str(path)]).exit_code == 0
    assert path.read_text() == export_deliveries_csv()
    bad = runner.invoke(args=["export-deliveries", "--since", "yesterday"])
    assert bad.exit_code == 1 and "since" in bad.stderr
