"""HTML forms. They carry CSRF and render fields; the rules live in catalog.

No validators here on purpose: a submitted form is turned into plain data
and handed to the same service the JSON API calls.
"""

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import Choice, SelectChoice

from catalog.capabilities import API_FIELDS
from catalog.models import Capability, Team
from catalog.models.capability import API_KINDS, API_STATUSES, LIFECYCLES
from catalog.snapshots import capability_snapshot
from portal.markup import LAYER_LABELS

CAPABILITY_FIELDS = (
    "slug", "name", "summary", "description", "domain", "team", "lifecycle", "tier",
    "tags", "docs_url", "repo_url", "sla_availability", "sla_p99_ms", "sunset_on", "replacement",
)


#: The API kinds the form offers; any other kind an import or the API gave is kept as given.
FORM_API_KINDS = (*API_KINDS, "thrift")


class KeepingSelectField(SelectField):
    """A choice of known values that also offers the value it holds when that is not one."""

    def iter_choices(self):
        choices = list(super().iter_choices())
        if self.data and all(choice.value != self.data for choice in choices):
            choices.append(Choice(value=self.data, label=self.data, selected=True))
        return choices


class ApiForm(Form):
    """One API row of the capability form (no CSRF of its own)."""

    name = StringField("API name")
    kind = KeepingSelectField("Kind", choices=[SelectChoice(k) for k in FORM_API_KINDS],
                              default="openapi", validate_choice=False)
    version = StringField("Version")
    status = SelectField("Status", choices=[SelectChoice(s) for s in API_STATUSES], default="beta",
                         validate_choice=False)
    description = TextAreaField("Description")
    spec = TextAreaField("Spec (OpenAPI / AsyncAPI, YAML or JSON)")


class CapabilityForm(FlaskForm):
    slug = StringField("Slug", description="kebab-case, unique, used in URLs: order-service")
    name = StringField("Name")
    summary = StringField("Summary", description="One line: what it does for a business.")
    description = TextAreaField("Description", description="Markdown.")
    domain = SelectField("Domain", validate_choice=False)
    team = SelectField("Owner team", validate_choice=False)
    lifecycle = SelectField("Lifecycle", choices=[SelectChoice(s) for s in LIFECYCLES],
                            default="proposed", validate_choice=False)
    tier = SelectField("Tier", choices=[SelectChoice("1", "1 (critical)"), SelectChoice("2"),
                                        SelectChoice("3")],
                       default="3", validate_choice=False)
    tags = StringField("Tags", description="Comma-separated: payments, checkout")
    sunset_on = StringField("Sunset date", description="Required when deprecating: the last day "
                                                       "it runs (YYYY-MM-DD, in the future).")
    replacement = StringField("Replacement", description="Slug of the capability its consumers "
                                                         "move to (optional).")
    docs_url = StringField("Docs link")
    repo_url = StringField("Repository link")
    sla_availability = StringField("Availability SLA (%)")
    sla_p99_ms = StringField("p99 latency SLA (ms)")
    apis = FieldList(FormField(ApiForm), min_entries=0)
    version = HiddenField()

    def set_choices(self, domains, teams: list[Team]) -> None:
        """Offer ``domains`` (grouped by layer) and ``teams``."""
        self.domain.choices = [SelectChoice("", "Choose a domain")] + [
            SelectChoice(d.slug, d.name, optgroup=LAYER_LABELS.get(d.layer, d.layer))
            for d in domains]
        self.team.choices = [SelectChoice("", "Choose a team")] + [
            SelectChoice(t.slug, t.name) for t in teams]

    def to_data(self, form: MultiDict) -> dict[str, Any]:
        """Return the submission as the plain mapping the catalog services take."""
        data: dict[str, Any] = {name: self[name].data for name in CAPABILITY_FIELDS}
        # Blank API rows are skipped; remember which row each API came from so
        # an error on "apis.<i>" lands beside the row the user typed it in.
        self.submitted_api_rows = [
            entry for entry in self.apis
            if any((entry.form[name].data or "").strip() for name in ("name", "version", "description", "spec"))
        ]
        data["apis"] = [{name: entry.form[name].data for name in API_FIELDS}
                        for entry in self.submitted_api_rows]
        data["dependencies"] = [
            {"provider": provider, "kind": kind}
            for provider, kind in zip(form.getlist("dep_provider"), form.getlist("dep_kind"), strict=False)
        ]
        return data

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Attach each message to its field; return those that have none."""
        rest = []
        for field, messages in errors.items():
            target = self._field_for(field)
            if target is None:
                rest.extend(messages)
            else:
                target.errors = list(target.errors or []) + messages
        return rest

    def _field_for(self, key: str):
        parts = key.split(".")
        if parts[0] in CAPABILITY_FIELDS and len(parts) == 1:
            return self[parts[0]]
        rows = getattr(self, "submitted_api_rows", self.apis.entries)
        if parts[0] == "apis" and len(parts) == 3 and parts[1].isdecimal():
            index = int(parts[1])
            if index < len(rows) and parts[2] in API_FIELDS:
                return rows[index].form[parts[2]]
        return None


def capability_form_data(capability: Capability) -> dict[str, Any]:
    """Return the values that prefill the edit form: the capability as history keeps it
    (:func:`catalog.snapshots.capability_snapshot`), written as form text."""
    snapshot = capability_snapshot(capability)
    data = {name: "" if snapshot[name] is None else str(snapshot[name])
            for name in (*CAPABILITY_FIELDS, "version")}
    sla = capability.sla_availability
    return {**data, "tags": ", ".join(snapshot["tags"]),
            "sla_availability": "" if sla is None else f"{sla.normalize():f}",
            "apis": [{name: getattr(api, name) for name in API_FIELDS} for api in capability.apis]}

