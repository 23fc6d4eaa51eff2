"""The blueprint every insights view registers on."""

from flask import Blueprint

bp = Blueprint("insights", __name__)
