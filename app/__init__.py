"""Holdplads: the application factory and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from app import (
    accounts,  # noqa: F401  (registers the login loader)
    errors,
    i18n,
    oidc,
    page_cache,
    security,
    transaction,
)
from app import config as config_module
from app.api.routes import bp as api_bp
from app.calendar.routes import bp as calendar_bp
from app.catalogue import cards as catalogue_cards
from app.catalogue.routes import bp as catalogue_bp
from app.certificates.routes import bp as certificates_bp
from app.database import SeatSource, install_sqlite_hooks, track_changes
from app.demo.commands import seed_demo
from app.enrollment.routes import bp as enrollment_bp
from app.evaluations.routes import bp as evaluations_bp
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.figures import pseudonym  # noqa: F401  (stamps each new enrollment's pseudonym)
from app.figures.routes import bp as figures_bp
from app.learning.routes import bp as learning_bp
from app.mail import courier
from app.management.routes import bp as management_bp
from app.models import PRIVATE_TABLES, UNSEEN_TABLES, ChangeMarker, SeatMarker
from app.notices.commands import send_digests_command
from app.ops import logs
from app.ops.commands import backup_command
from app.ops.health import bp as health_bp
from app.privacy.routes import bp as privacy_bp
from app.prospectus.routes import bp as prospectus_bp
from app.routing import IdConverter, SlugConverter
from app.suggestions.routes import bp as suggestions_bp
from app.wellbeing import routes as _wellbeing_routes  # noqa: F401  (its pages join enrollment's)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, then extensions, areas, errors, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config_module.from_env(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
        if "SQLALCHEMY_DATABASE_URI" in test_config:
            app.config["SQLALCHEMY_DATABASE_URI"] = config_module.normalise_database_url(
                test_config["SQLALCHEMY_DATABASE_URI"]
            )

    register_extensions(app)
    register_blueprints(app)

    errors.register(app)
    security.register(app)
    register_commands(app)

    courier.init_app(app)

    logs.init_app(app)  # the outermost layer but one: sees every answer, cached ones too
    security.trust_proxies(app)  # outermost: everything inside sees the visitor's address
    return app


def register_extensions(app: Flask) -> None:

    db.init_app(app)
    migrate.init_app(app, db, directory=migrations_directory(app))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    page_cache.init_app(app)
    catalogue_cards.init_app(app)
    transaction.init_app(app)  # after csrf and limiter: a refused request never takes the lock
    with app.app_context():
        install_sqlite_hooks(db.engine)
    track_changes(
        ChangeMarker.__table__,
        private=PRIVATE_TABLES,
        unseen=UNSEEN_TABLES,
        seats=SeatSource("enrollments", "offering_id", SeatMarker.__table__),
    )


def migrations_directory(app: Flask) -> str:
    """The checkout's `migrations/`, or the copy an installed package carries (see setup.py)."""
    packaged = Path(app.root_path) / "migrations"
    if packaged.is_dir():
        return str(packaged)
    return str(Path(app.root_path).parent / "migrations")


def register_blueprints(app: Flask) -> None:

    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["int"] = IdConverter
    # The calendar comes before the catalogue: /offerings/<slug>.ics is its URL.
    app.register_blueprint(calendar_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(enrollment_bp)
    app.register_blueprint(management_bp)
    app.register_blueprint(figures_bp)
    app.register_blueprint(suggestions_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(prospectus_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(health_bp)
    oidc.init_app(app)  # staff sign-in with the municipality's accounts, when configured


def register_commands(app: Flask) -> None:

    app.cli.add_command(seed_demo)
    app.cli.add_command(backup_command)
    app.cli.add_command(send_digests_command)
