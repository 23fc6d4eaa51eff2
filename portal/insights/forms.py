"""Adoption and delivery forms: fields only, the rules live in catalog."""

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField


class _ServiceForm(FlaskForm):
    """A form whose fields are handed to a catalog service as plain data."""

    FIELDS: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        """Return the submitted fields as the mapping the service takes."""
        return {name: self[name].data for name in self.FIELDS}

    def show_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Attach each message to its field; return those that have none."""
        rest = []
        for field, messages in errors.items():
            if field in self.FIELDS:
                self[field].errors = list(self[field].errors or []) + messages
            else:
                rest.extend(messages)
        return rest


class AdoptionForm(_ServiceForm):
    FIELDS = ("business", "capability", "api", "purpose", "since")

    business = SelectField("Business", validate_choice=False)
    capability = StringField("Capability", description="Its slug: type a name to search.")
    api = StringField("API", description="Optional: the API it calls, by name.")
    purpose = StringField("Purpose", description="What the business uses it for.")
    since = StringField("Since", description="The day it started using it.")
    return_to = HiddenField(default="capability")


class DeliveryForm(_ServiceForm):
    FIELDS = ("business", "title", "requested_on", "delivered_on", "external_ref")

    business = SelectField("Business", validate_choice=False)
    title = StringField("Title", description="The feature, as the business calls it.")
    requested_on = StringField("Requested on")
    delivered_on = StringField("Delivered on", description="Leave blank while it is open.")
    external_ref = StringField("External reference", description="Your ticket id (optional).")

    def to_data(self) -> dict[str, Any]:
        return {**super().to_data(), "capabilities": request.form.getlist("capabilities")}


class EndAdoptionForm(FlaskForm):
    until = StringField("Last day")
    return_to = HiddenField(default="business")
