"""The Flask application of the training and mentoring platform."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import BASE_DIR, Config, get_config


def create_app(config: Config | None = None, **overrides: object) -> Flask:
    config = config or get_config()
    app = Flask(
        __name__,
        instance_path=str(Path(config.INSTANCE_PATH).resolve()),
        template_folder=str(BASE_DIR / "templates"),
        static_folder="static",
    )
    app.config.from_object(config)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    hops = app.config["PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from lms import errors, i18n, security, templating
    from lms.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)

    with app.app_context():
        from lms.db import configure_sqlite

        if db.engine.dialect.name == "sqlite":
            configure_sqlite(
                db.engine, app.config["SQLITE_SYNCHRONOUS"], app.config["SQLITE_BUSY_TIMEOUT_MS"]
            )

    _import_models()
    from lms.accounts import session

    session.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    _register_blueprints(app)

    from lms.cli import register_commands

    register_commands(app)
    return app


def _import_models() -> None:
    """Import every model module so metadata (and migrations) see all tables."""
    import assessments.models  # noqa: F401
    import courses.models  # noqa: F401
    import lms.accounts.models  # noqa: F401
    import lms.career.models  # noqa: F401
    import lms.certificates.models  # noqa: F401
    import lms.certification.models  # noqa: F401
    import lms.mentorship.models  # noqa: F401
    import lms.notifications.models  # noqa: F401
    import lms.organisation.models  # noqa: F401
    import lms.scheduler.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from lms.accounts.views import bp as accounts_bp
    from lms.api import bp as api_bp
    from lms.main.views import bp as main_bp
    from lms.organisation.views import bp as organisation_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(organisation_bp)
    app.register_blueprint(api_bp)

    from courses import init_app as init_courses

    init_courses(app)

    from assessments import init_app as init_assessments

    init_assessments(app)

    from lms.notifications import init_app as init_notifications

    init_notifications(app)

    from lms.mentorship import init_app as init_mentorship

    init_mentorship(app)

    from lms.certification import init_app as init_certification

    init_certification(app)

    from lms.certificates import init_app as init_certificates

    init_certificates(app)

    from lms.career import init_app as init_career

    init_career(app)

    from lms.scheduler import init_app as init_scheduler

    init_scheduler(app)
