"""The staff area under /manage."""

from flask import Blueprint

bp = Blueprint("management", __name__, url_prefix="/manage", cli_group=None)
