"""Business deliveries: record them, list them, and CSV in and out.

A delivery is a business feature shipped: when it was requested, when it
was delivered (blank while it is still open) and the capabilities it reused.
Lead time is ``delivered_on - requested_on`` in days (see
:mod:`catalog.metrics`). Every delivery recorded leaves a change in history
(:mod:`catalog.history`); deliveries do not change the dependency graph, so
they do not bump the catalog revision.

The form, the JSON API, the CSV import and the command line all check a
delivery with :func:`catalog.validation.check_delivery`.

CSV format (:data:`CSV_COLUMNS`, UTF-8, a header line first, columns in any
order)::

    business,title,requested_on,delivered_on,capabilities,external_ref
    taobao,Gift cards at checkout,2025-03-02,2025-04-11,payment-gateway;coupon-center,TB-1042

``business``, ``title`` and ``requested_on`` are required columns;
``delivered_on`` (blank: open), ``capabilities`` (slugs separated by ``;`` or
``|``) and ``external_ref`` are optional columns; ``lead_time_days``, which
the export writes, is accepted and ignored (it is recomputed).
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO, TextIO

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from catalog import history
from catalog.db import db, scalar_or_not_found, transaction
from catalog.errors import Conflict, ValidationFailed
from catalog.models import Business, Capability, Delivery, User, delivery_capability
from catalog.models._time import today
from catalog.paging import FilteredPage, ListFilters, date_filter, flag_filter, slug_filter
from catalog.permissions import ensure_can_act_for
from catalog.snapshots import delivery_snapshot
from catalog.spreadsheet import neutralise, restore
from catalog.validation import Errors, check_delivery, check_not_before

__all__ = [
    "CSV_COLUMNS",
    "EXPORT_COLUMNS",
    "CsvImportFailed",
    "CsvReport",
    "DeliveryFilters",
    "DeliveryPage",
    "RowProblem",
    "deliveries_query",
    "delivery_dict",
    "export_deliveries_csv",
    "filter_deliveries",
    "get_delivery",
    "import_deliveries_csv",
    "list_deliveries",
    "record_delivery",
]

CSV_COLUMNS = ("business", "title", "requested_on", "delivered_on", "capabilities",
               "external_ref")
EXPORT_COLUMNS = (*CSV_COLUMNS, "lead_time_days")
REQUIRED_COLUMNS = ("business", "title", "requested_on")
#: Columns the export writes that an import accepts and ignores.
COMPUTED_COLUMNS = ("lead_time_days",)
MAX_ROWS = 200_000
PREVIEW_ROWS = 100
IN_CHUNK = 500
INSERT_CHUNK = 1000
REF_TAKEN = "Business {business!r} already has a delivery with external ref {ref!r}."


# -- one delivery ---------------------------------------------------------------


def record_delivery(data: Mapping[str, Any], actor: User | None, *,
                    source: str = "form") -> Delivery:
    """Validate ``data`` and record one delivery.

    Parameters
    ----------
    data : mapping
        ``business`` (slug), ``title``, ``requested_on``, ``delivered_on``
        (optional: still open), ``capabilities`` (slugs reused),
        ``source`` and ``external_ref``, as
        :func:`catalog.validation.check_delivery` takes them.
    actor : User or None
        Who records it (None: the system).
    source : {"form", "csv", "api"}
        The source recorded when ``data`` names none.

    Returns
    -------
    Delivery
        The new, committed delivery.

    Raises
    ------
    ValidationFailed
        A bad field, an unknown business, an unknown capability (as
        ``capabilities.<i>``, ``i`` counting from 0); nothing is written.
    Forbidden
        ``actor`` may not record deliveries for that business.
    Conflict
        The business already has a delivery with that ``external_ref``.

    Examples
    --------
    >>> try:
    ...     record_delivery({"title": "Gift cards", "requested_on": "2025-02-30"}, None)
    ... except ValidationFailed as exc:
    ...     sorted(exc.errors)
    ['business', 'requested_on']
    """
    errors = Errors()
    cleaned = check_delivery(data, errors, today=today(), source=source)
    business = None
    if cleaned["business"]:
        business = _by_slug(Business, [cleaned["business"]]).get(cleaned["business"])
        if business is None:
            errors.add("business", f"Unknown business {cleaned['business']!r}.")
    known = _by_slug(Capability, cleaned["capabilities"])
    for i, message in _capability_problems(cleaned["capabilities"], known):
        errors.add(f"capabilities.{i}", message)
    errors.raise_if_any()
    ensure_can_act_for(actor, business, "deliveries")
    if cleaned["external_ref"] and _ref_taken(business.id, cleaned["external_ref"]):
        raise Conflict({"external_ref": [REF_TAKEN.format(business=business.slug,
                                                          ref=cleaned["external_ref"])]},
                       "That delivery already exists.")
    with transaction():
        delivery = Delivery(business=business, title=cleaned["title"],
                            requested_on=cleaned["requested_on"],
                            delivered_on=cleaned["delivered_on"], source=cleaned["source"],
                            external_ref=cleaned["external_ref"],
                            capabilities=[known[slug] for slug in _unique(cleaned["capabilities"])])
        db.session.add(delivery)
        try:
            db.session.flush()
        except IntegrityError as exc:
            raise Conflict({"external_ref": [REF_TAKEN.format(business=cleaned["business"],
                                                              ref=cleaned["external_ref"])]},
                           "That delivery already exists.") from exc
        history.record(actor, "delivery", str(delivery.id), delivery_snapshot(
            delivery.id, business.slug, cleaned, _unique(cleaned["capabilities"])))
    return delivery


def get_delivery(delivery_id: int) -> Delivery:
    """Return the delivery with this id; raise NotFound when there is none."""
    return scalar_or_not_found(_loaded(sa.select(Delivery).where(Delivery.id == delivery_id)),
                               f"No delivery has the id {delivery_id}.")


def delivery_dict(delivery: Delivery) -> dict[str, Any]:
    """Return a delivery as JSON-ready data (with its lead time, or its age while open)."""
    age = None if delivery.delivered_on else (today() - delivery.requested_on).days
    return {
        "id": delivery.id,
        "business": delivery.business.slug,
        "business_name": delivery.business.name,
        "title": delivery.title,
        "requested_on": delivery.requested_on.isoformat(),
        "delivered_on": _iso(delivery.delivered_on),
        "lead_time_days": delivery.lead_time_days,
        "open": delivery.delivered_on is None,
        "age_days": age,
        "capabilities": sorted(c.slug for c in delivery.capabilities),
        "source": delivery.source,
        "external_ref": delivery.external_ref,
    }


# -- lists and filters ------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFilters(ListFilters):
    """Which deliveries a list, an export or a metric is about.

    ``business`` and ``capability`` are slugs (a delivery that reused that
    capability); ``since`` and ``until`` bound the *delivered* date,
    inclusive (so they leave open deliveries out); ``open`` True keeps only
    open deliveries, False only delivered ones. ``page`` and ``per_page``
    matter to lists only.
    """

    business: str = slug_filter("Business")
    capability: str = slug_filter("Capability")
    since: dt.date | None = date_filter("Since", "Delivered on or after.")
    until: dt.date | None = date_filter("Until", "Delivered on or before.")
    open: bool | None = flag_filter("true: open only (no since/until); false: delivered only.")

    @classmethod
    def filters_from(cls, args: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
        """Return the filters ``args`` ask for: ``until`` not before ``since``, and no dates
        with ``open=true``.

        Examples
        --------
        >>> DeliveryFilters.from_args({"since": "2025-01-01", "open": "false"}).since
        datetime.date(2025, 1, 1)
        >>> DeliveryFilters.from_args({"since": "2025-06-01", "until": "2025-01-01"})
        Traceback (most recent call last):
        ...
        catalog.errors.ValidationFailed: Some fields are not valid.
        """
        filters = super().filters_from(args, errors)
        check_not_before(filters["until"], filters["since"], errors)
        if filters["open"] and (filters["since"] or filters["until"]):
            errors.add("open", "since and until bound the delivered date; open deliveries "
                               "have none, so leave them out with open=true.")
        return filters


DeliveryPage = FilteredPage[Delivery, DeliveryFilters]


def filter_deliveries(query: sa.Select, filters: DeliveryFilters) -> sa.Select:
    """Add the conditions of ``filters`` to ``query`` (a select reading ``delivery``)."""
    if filters.business:
        query = query.where(Delivery.business_id.in_(
            sa.select(Business.id).where(Business.slug == filters.business)))
    if filters.capability:
        query = query.where(Delivery.id.in_(
            sa.select(delivery_capability.c.delivery_id)
            .join(Capability, Capability.id == delivery_capability.c.capability_id)
            .where(Capability.slug == filters.capability)))
    if filters.since is not None:
        query = query.where(Delivery.delivered_on >= filters.since)
    if filters.until is not None:
        query = query.where(Delivery.delivered_on <= filters.until)
    if filters.open is not None:
        query = query.where(Delivery.delivered_on.is_(None) if filters.open
                            else Delivery.delivered_on.is_not(None))
    return query


def deliveries_query(filters: DeliveryFilters) -> sa.Select:
    """Return the select of the deliveries ``filters`` asks for, latest request first."""
    return filter_deliveries(sa.select(Delivery), filters).order_by(
        Delivery.requested_on.desc(), Delivery.id.desc())


def list_deliveries(filters: DeliveryFilters) -> DeliveryPage:
    """Return one page of deliveries and how many match in all."""
    total = db.session.scalar(
        filter_deliveries(sa.select(sa.func.count(Delivery.id)), filters)) or 0
    items = db.session.scalars(_loaded(deliveries_query(filters)).limit(filters.per_page)
                               .offset((filters.page - 1) * filters.per_page)).all()
    return DeliveryPage(list(items), total, filters)


# -- CSV import -------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with a CSV file.

    Attributes
    ----------
    row : int or None
        1-based number of the data row (the header is not counted, blank
        lines are skipped); None for a problem with the file or its header.
    line : int or None
        Line of the file on which that row starts (the header is line 1).
    column : str
        The column at fault ("" for the whole row or file).
    message : str
        What is wrong.
    """

    row: int | None
    line: int | None
    column: str
    message: str

    @property
    def location(self) -> str:
        """Return ``row 3 (line 4), delivered_on``, ``header`` or ``file``."""
        if self.row is None:
            return self.column or "file"
        where = f"row {self.row} (line {self.line})"
        return f"{where}, {self.column}" if self.column else where

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class CsvReport:
    """What a delivery CSV import read, would write or wrote, and every problem.

    Attributes
    ----------
    source : str
        What was imported (a file name), for messages.
    dry_run : bool
        True when nothing was to be written.
    written : bool
        True when the deliveries were committed.
    rows : int
        Data rows read.
    deliveries : int
        Deliveries written (or that a dry run would write); 0 on errors.
    open : int
        Of those, the ones without a delivered date.
    reused : int
        Capability links of those deliveries.
    businesses : dict
        Deliveries per business slug.
    errors : list of RowProblem
        Every problem; when any, nothing is written.
    preview : list of dict
        The first 100 deliveries as they would be written (``CSV_COLUMNS``
        plus ``row`` and ``lead_time_days``), for an upload page.
    """

    source: str = ""
    dry_run: bool = False
    written: bool = False
    rows: int = 0
    deliveries: int = 0
    open: int = 0
    reused: int = 0
    businesses: dict[str, int] = field(default_factory=dict)
    errors: list[RowProblem] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem stops the import."""
        return not self.errors

    @property
    def bad_rows(self) -> list[int]:
        """The numbers of the data rows with a problem, in order."""
        return sorted({p.row for p in self.errors if p.row is not None})

    def add(self, row: int | None, line: int | None, column: str, message: str) -> None:
        self.errors.append(RowProblem(row, line, column, message))

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (what the import endpoint returns)."""
        data = asdict(self)
        data["ok"] = self.ok
        data["errors"] = [{**asdict(p), "location": p.location} for p in self.errors]
        return data

    def as_error(self) -> "CsvImportFailed":
        """Return the problems as a :class:`CsvImportFailed` (a ``ValidationFailed``)."""
        return CsvImportFailed(self)

    def __str__(self) -> str:
        source = self.source or "the upload"
        if not self.ok:
            rows = len(self.bad_rows)
            lines = [f"Delivery import of {source} failed with {len(self.errors)} error(s)"
                     + (f" in {rows} row(s)" if rows else "") + "; nothing was written."]
            return "\n".join([*lines, *(f"  {p}" for p in self.errors)])
        what = (f"{self.deliveries:,} deliveries ({self.open:,} open, "
                f"{self.reused:,} capability links)")
        if self.dry_run:
            head = (f"Dry run of the delivery import of {source}: {what} would be written; "
                    "nothing was written.")
        else:
            head = f"Imported {what} from {source}."
        per = ", ".join(f"{slug} {n:,}" for slug, n in sorted(self.businesses.items()))
        return head + (f"\n  per business: {per}" if per else "")


class CsvImportFailed(ValidationFailed):
    """The delivery CSV has problems; nothing was written.

    ``errors`` maps each problem's location (``row 3 (line 4), delivered_on``,
    ``header``, ``file``) to its messages; ``report`` is the whole
    :class:`CsvReport`.
    """

    def __init__(self, report: CsvReport) -> None:
        errors: dict[str, list[str]] = {}
        for problem in report.errors:
            errors.setdefault(problem.location, []).append(problem.message)
        super().__init__(errors, f"{len(report.errors)} error(s) in the delivery CSV "
                                 f"{report.source or ''}; nothing was written.".replace("  ", " "))
        self.report = report


@dataclass
class _Row:
    number: int
    line: int
    values: dict[str, Any]
    business: Business | None = None
    capability_ids: list[int] = field(default_factory=list)


def import_deliveries_csv(source: str | bytes | TextIO | BinaryIO, *, dry_run: bool = False,
                          actor: User | None = None, name: str = "",
                          progress: Callable[[int, int], None] | None = None) -> CsvReport:
    """Import deliveries from CSV text, all or nothing.

    Parameters
    ----------
    source : str, bytes or file object
        The CSV (UTF-8, a byte-order mark is fine): a header line naming the
        columns (see the module docstring), then one delivery per line.
    dry_run : bool
        Check everything and report what would be written, writing nothing.
    actor : User, optional
        Who imports (None: the system); a user must be allowed to record
        deliveries for every business in the file.
    name : str
        What to call the source in messages (a file name).
    progress : callable, optional
        Called as ``progress(done, total)`` after each batch of rows written
        (total: the deliveries to write), so a long import can say how far it is.

    Returns
    -------
    CsvReport
        Counts, a preview and every problem, each naming its data row (1-based,
        header not counted), the line it starts on and its column. When
        ``report.errors`` is not empty nothing was written;
        ``report.as_error()`` turns it into a ``ValidationFailed``.

    Raises
    ------
    Forbidden
        ``actor`` may not record deliveries for a business in the file.

    Notes
    -----
    Every row is checked by :func:`catalog.validation.check_delivery`.
    Businesses, capabilities and existing external refs are looked up with
    a few queries for the whole file, and the deliveries and their links are
    written with two bulk inserts in one transaction, so 50,000 rows import
    in seconds. A repeated ``(business, external_ref)``, within the file or
    against the database, is a row error. Each delivery gets the change a
    form would give it, with the source ``import``; deliveries do not
    change the catalog revision.

    Examples
    --------
    >>> report = import_deliveries_csv("")
    >>> report.ok, str(report.errors[0])
    (False, 'file: The file is empty: expected a header line business,title,requested_on,delivered_on,capabilities,external_ref.')
    """
    report = CsvReport(source=name, dry_run=dry_run)
    rows = _read(source, report)
    if not report.ok:
        return report
    day = today()
    for row in rows:
        errors = Errors()
        row.values = check_delivery(row.values, errors, today=day, source="csv")
        for field_name, messages in errors.items():
            for message in messages:
                report.add(row.number, row.line, field_name.split(".")[0], message)
    _resolve_rows(rows, report)
    if not report.ok:
        report.errors.sort(key=lambda problem: problem.row or 0)  # each row's problems together
        return report
    cleaned = rows
    for business in {id(row.business): row.business for row in cleaned}.values():
        ensure_can_act_for(actor, business, "deliveries")
    _count(cleaned, report)
    if dry_run:
        return report
    try:
        with history.importing(), transaction():
            _write(cleaned, report, actor, progress)
    except Conflict:
        report.written = False
        report.add(None, None, "file", "The catalog changed while importing (a delivery "
                   "with one of these external refs was recorded meanwhile); nothing was "
                   "written. Run the import again.")
    return report


def _read(source: str | bytes | TextIO | BinaryIO, report: CsvReport) -> list[_Row]:
    """Parse the CSV into rows of ``{column: text}``, checking the header."""
    data = source if isinstance(source, (str, bytes)) else source.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            report.add(None, None, "file", f"The file is not UTF-8 text (byte {exc.start:,} "
                                           "cannot be decoded). Save it as UTF-8 CSV.")
            return []
    reader = csv.reader(io.StringIO(data.removeprefix("\ufeff"), newline=""))
    header: list[str] | None = None
    rows: list[_Row] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                if not _header_ok(header, report):
                    return []
                continue
            if len(rows) == MAX_ROWS:
                report.add(None, None, "file", f"The file has more than {MAX_ROWS:,} "
                                               "deliveries; split it into smaller files.")
                return []
            number = len(rows) + 1
            if len(cells) > len(header):
                report.add(number, start, "", f"The row has {len(cells)} values; the header "
                                              f"has {len(header)} columns.")
                continue
            rows.append(_Row(number, start, dict(zip(header, map(restore, cells), strict=False))))
    except csv.Error as exc:
        report.add(None, None, "file", f"Line {reader.line_num}: not valid CSV ({exc}).")
        return []
    if header is None:
        report.add(None, None, "file", "The file is empty: expected a header line "
                                       f"{','.join(CSV_COLUMNS)}.")
    elif not rows and report.ok:
        report.add(None, None, "file", "The file has a header but no deliveries.")
    report.rows = len(rows) + len(report.bad_rows)
    return rows


def _header_ok(header: list[str], report: CsvReport) -> bool:
    allowed = (*CSV_COLUMNS, *COMPUTED_COLUMNS)
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c or "(blank)" for c in header if c not in allowed]
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    parts = []
    if missing:
        parts.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown column(s): {', '.join(unknown)}")
    if repeated:
        parts.append(f"repeated column(s): {', '.join(repeated)}")
    if parts:
        report.add(None, 1, "header",
                   f"The header line has {'; '.join(parts)}. Expected the columns "
                   f"{','.join(CSV_COLUMNS)} (the first three required, any order).")
    return not parts


def _resolve_rows(rows: list[_Row], report: CsvReport) -> None:
    """Look up businesses and capabilities; check external refs against file and database."""
    businesses = _by_slug(Business, {row.values["business"] for row in rows})
    capability_ids = {slug: cap.id for slug, cap in _by_slug(
        Capability, {slug for row in rows for slug in row.values["capabilities"]}).items()}
    taken = _refs_taken([b.id for b in businesses.values()])
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        values = row.values
        row.business = businesses.get(values["business"])
        if row.business is None:
            report.add(row.number, row.line, "business",
                       f"Unknown business {values['business']!r}.")
        for i, message in _capability_problems(values["capabilities"], capability_ids):
            report.add(row.number, row.line, "capabilities",
                       f"{message[:-1]} (item {i + 1} of the list).")
        row.capability_ids = [capability_ids[s] for s in _unique(values["capabilities"])
                              if s in capability_ids]
        ref = values["external_ref"]
        if not ref:
            continue
        key = (values["business"], ref)
        if key in seen:
            report.add(row.number, row.line, "external_ref",
                       f"External ref {ref!r} of {values['business']!r} is already used by "
                       f"row {seen[key]} of this file.")
        elif row.business is not None and (row.business.id, ref) in taken:
            report.add(row.number, row.line, "external_ref",
                       REF_TAKEN.format(business=values["business"], ref=ref))
        seen.setdefault(key, row.number)


def _count(rows: list[_Row], report: CsvReport) -> None:
    report.deliveries = len(rows)
    for row in rows:
        report.open += row.values["delivered_on"] is None
        report.reused += len(row.capability_ids)
        slug = row.business.slug
        report.businesses[slug] = report.businesses.get(slug, 0) + 1
        if len(report.preview) < PREVIEW_ROWS:
            values = row.values
            report.preview.append({
                "row": row.number, "business": slug, "title": values["title"],
                "requested_on": values["requested_on"].isoformat(),
                "delivered_on": _iso(values["delivered_on"]),
                "capabilities": _unique(values["capabilities"]),
                "external_ref": values["external_ref"],
                "lead_time_days": _lead(values["requested_on"], values["delivered_on"]),
            })


def _write(rows: list[_Row], report: CsvReport, actor: User | None,
           progress: Callable[[int, int], None] | None = None) -> None:
    """Insert the deliveries and their links in bulk, with one change each (not committed)."""
    connection = db.session.connection()
    insert = sa.insert(Delivery.__table__).returning(Delivery.__table__.c.id,
                                                     sort_by_parameter_order=True)
    inserted: list[int] = []
    for start in range(0, len(rows), INSERT_CHUNK):  # chunks: the driver's RETURNING is per batch
        inserted += connection.execute(insert, [
            {"business_id": row.business.id, "title": row.values["title"],
             "requested_on": row.values["requested_on"],
             "delivered_on": row.values["delivered_on"], "source": row.values["source"],
             "external_ref": row.values["external_ref"]}
            for row in rows[start:start + INSERT_CHUNK]]).scalars().all()
        if progress is not None:
            progress(len(inserted), len(rows))
    links = [{"delivery_id": delivery_id, "capability_id": capability_id}
             for delivery_id, row in zip(inserted, rows, strict=True)
             for capability_id in row.capability_ids]
    if links:
        connection.execute(sa.insert(delivery_capability), links)
    history.record_many(actor, [
        history.Entry("delivery", str(delivery_id), delivery_snapshot(
            delivery_id, row.business.slug, row.values, _unique(row.values["capabilities"])))
        for delivery_id, row in zip(inserted, rows, strict=True)])
    report.written = True


# -- CSV export -------------------------------------------------------------------


def export_deliveries_csv(filters: DeliveryFilters | None = None) -> str:
    """Return the deliveries ``filters`` selects as CSV that imports back cleanly.

    Columns are :data:`EXPORT_COLUMNS`: the import columns plus
    ``lead_time_days`` (blank while open), which the import ignores.
    Capabilities are separated by ``;``. Rows come oldest request first.
    Paging in ``filters`` is ignored: every matching delivery is written.

    Examples
    --------
    >>> EXPORT_COLUMNS[-2:]
    ('external_ref', 'lead_time_days')
    """
    filters = filters or DeliveryFilters()
    selected = filter_deliveries(sa.select(Delivery.id), filters).subquery()
    reused: dict[int, list[str]] = {}
    for delivery_id, slug in db.session.execute(
        sa.select(delivery_capability.c.delivery_id, Capability.slug)
        .join(Capability, Capability.id == delivery_capability.c.capability_id)
        .where(delivery_capability.c.delivery_id.in_(sa.select(selected.c.id)))
        .order_by(delivery_capability.c.delivery_id, Capability.slug)
    ):
        reused.setdefault(delivery_id, []).append(slug)
    rows = db.session.execute(
        filter_deliveries(
            sa.select(Delivery.id, Business.slug, Delivery.title, Delivery.requested_on,
                      Delivery.delivered_on, Delivery.external_ref)
            .join(Business, Business.id == Delivery.business_id), filters)
        .order_by(Delivery.requested_on, Delivery.id))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for delivery_id, business, title, requested, delivered, ref in rows:
        lead = _lead(requested, delivered)
        writer.writerow([neutralise(cell) for cell in (
            business, title, requested.isoformat(), _iso(delivered) or "",
            ";".join(reused.get(delivery_id, [])), ref, "" if lead is None else lead)])
    return out.getvalue()


# -- helpers ----------------------------------------------------------------------


def _by_slug(model: type[Business] | type[Capability], slugs: Iterable[str]) -> dict[str, Any]:
    """Return ``{slug: row}`` for the slugs that exist, a query per 500 slugs."""
    wanted = sorted({slug for slug in slugs if slug})
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start:start + IN_CHUNK]
        found.update((row.slug, row) for row in db.session.scalars(
            sa.select(model).where(model.slug.in_(chunk))))
    return found


def _capability_problems(slugs: list[str], known: Mapping[str, Any]) -> list[tuple[int, str]]:
    """Return ``(index, message)`` for each unknown capability slug."""
    return [(i, f"Unknown capability {slug!r}.") for i, slug in enumerate(slugs)
            if slug and slug not in known]


def _refs_taken(business_ids: list[int]) -> set[tuple[int, str]]:
    if not business_ids:
        return set()
    return {(business_id, ref) for business_id, ref in db.session.execute(
        sa.select(Delivery.business_id, Delivery.external_ref)
        .where(Delivery.business_id.in_(business_ids), Delivery.external_ref != ""))}


def _ref_taken(business_id: int, ref: str) -> bool:
    return db.session.scalar(sa.select(Delivery.id).where(
        Delivery.business_id == business_id, Delivery.external_ref == ref).limit(1)) is not None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _lead(requested, delivered) -> int | None:
    return None if delivered is None else (delivered - requested).days


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _loaded(query: sa.Select) -> sa.Select:
    return query.options(joinedload(Delivery.business), selectinload(Delivery.capabilities))
