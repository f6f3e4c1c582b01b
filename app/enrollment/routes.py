"""Sign-up, the manage link and "my bookings"."""

from flask import Blueprint

bp = Blueprint("enrollment", __name__, cli_group=None)
