"""Places and their access facts, corrected once for every offering there."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.database import utcnow
from app.extensions import db
from app.management import places, policy
from app.management.access import allowed_if
from app.management.forms import PlaceForm
from app.models import Location


@allowed_if(policy.can_manage_places)
def places_list():
    """Every place, its access facts and how many offerings meet there."""
    return render_template("management/places.html", rows=places.places_with_use())


@allowed_if(policy.can_manage_places)
def new_place():
    form = PlaceForm()
    if form.validate_on_submit():
        places.create_place(form.to_details())
        flash(_("The place is added. Offerings can now choose it."), "success")
        return redirect(url_for("management.places_list"))
    return render_template("management/place_form.html", form=form, place=None), (
        400 if form.errors else 200
    )


@allowed_if(policy.can_manage_places)
def edit_place(location_id: int):
    """Correct a place: every offering and date there shows the change at once."""
    place = db.session.get(Location, location_id)
    if place is None:
        abort(404)
    if request.method == "GET":
        form = PlaceForm(formdata=None, obj=places.details_of(place))
    else:
        form = PlaceForm()
    if form.validate_on_submit():
        places.update_place(place, form.to_details(), now=utcnow())
        flash(_("The place is saved, for every offering that meets there."), "success")
        return redirect(url_for("management.places_list"))
    return render_template("management/place_form.html", form=form, place=place), (
        400 if form.errors else 200
    )
