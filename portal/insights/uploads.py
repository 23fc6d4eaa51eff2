"""Deliveries CSV in and out: upload with a dry-run preview, and export."""

import base64
import binascii
import hashlib

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from catalog import deliveries
from portal.auth import current_actor
from portal.insights.blueprint import bp
from portal.insights.records import ensure_may_record


@bp.route("/deliveries/import", methods=["GET", "POST"])
@login_required
def import_deliveries():
    """Upload a CSV: a dry run shows the preview and every problem; confirming imports it."""
    ensure_may_record(current_actor(), "deliveries")  # 403 before anything is read
    if request.method == "GET":
        return render_template("insights/import.html", report=None)
    name, data, problem = _uploaded()
    if problem:
        return render_template("insights/import.html", report=None, problem=problem), 400
    digest = hashlib.sha256(data).hexdigest()
    confirmed = request.form.get("confirm") == digest
    report = deliveries.import_deliveries_csv(data, dry_run=not confirmed,
                                              actor=current_actor(), name=name)
    if report.written:
        flash(str(report).splitlines()[0], "success")
        return redirect(url_for(".delivery"))
    changed = bool(request.form.get("confirm")) and not confirmed
    return render_template("insights/import.html", report=report, name=name, digest=digest,
                           carried=_carried(data), changed=changed), 200 if report.ok else 422


@bp.get("/deliveries/export.csv")
def export_csv():
    """The deliveries (filters business, capability, since, until, open) as CSV."""
    filters = deliveries.DeliveryFilters.from_args(request.args)
    return Response(deliveries.export_deliveries_csv(filters), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=deliveries.csv"})


def _uploaded() -> tuple[str, bytes, str]:
    """Return the file's name, its bytes and a problem: a new upload, or the previewed one."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.filename, upload.read(), ""
    carried = request.form.get("content", "")
    if carried:
        try:
            return request.form.get("name", ""), base64.b64decode(carried, validate=True), ""
        except binascii.Error:
            return "", b"", "The previewed file did not come back intact; upload it again."
    return "", b"", "Choose a CSV file to upload."


def _carried(data: bytes) -> str:
    """Return the file as base64 for the confirm form, or "" when it is too big to carry.

    Form fields are capped at ``MAX_FORM_MEMORY_SIZE``; a larger file is
    chosen again on confirmation (its digest must match the preview's).
    """
    encoded = base64.b64encode(data).decode("ascii")
    limit = current_app.config.get("MAX_FORM_MEMORY_SIZE")
    return encoded if limit is None or len(encoded) < limit - 4096 else ""
