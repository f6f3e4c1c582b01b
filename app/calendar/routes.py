"""The iCal feeds."""

from flask import Blueprint

bp = Blueprint("calendar", __name__, cli_group=None)
