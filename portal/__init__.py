"""The Flask web app: factory, blueprints, API and command line."""

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import (
    account,
    api,
    assets,
    auth,
    backstage_api,
    boards,
    capabilities,
    cli,
    deprecation,
    directory,
    errors,
    governance,
    governance_api,  # noqa: F401 - its routes join the API blueprint
    graph,
    history,
    incubation,
    insights,
    markup,
    openapi,
    pages,
    requestlog,
    reviews,
    security,
    warmup,
)
from portal.config import load_config
from portal.extensions import compress, csrf, db, htmx, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the portal: settings, extensions, blueprints, commands, errors."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_error_handlers(app)
    if app.config["WARM_UP"]:
        warmup.start_warm_up(app)
    return app


def register_extensions(app: Flask) -> None:
    if app.config["PROXY_HOPS"]:  # behind a load balancer: its client address and scheme
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    requestlog.init_request_log(app)  # first: every request gets its id, refused ones too
    errors.init_screen(app)  # then size and shape limits, before anything reads a body
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    auth.init_login(app)
    markup.init_templates(app)
    assets.init_assets(app)
    security.init_security(app)


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(pages.bp)
    app.register_blueprint(auth.bp, url_prefix="/auth")
    app.register_blueprint(capabilities.bp, url_prefix="/capabilities")
    app.register_blueprint(directory.bp)
    app.register_blueprint(reviews.bp)
    app.register_blueprint(deprecation.bp)
    app.register_blueprint(governance.bp)
    app.register_blueprint(boards.bp)
    app.register_blueprint(graph.bp)
    app.register_blueprint(incubation.bp)
    app.register_blueprint(insights.bp)
    app.register_blueprint(history.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")  # with governance_api's routes
    app.register_blueprint(openapi.bp)
    app.register_blueprint(account.bp, url_prefix="/account")
    app.register_blueprint(backstage_api.bp, url_prefix="/api/catalog")
    csrf.exempt(api.bp)
    csrf.exempt(backstage_api.bp)


def register_cli(app: Flask) -> None:
    cli.init_cli(app)


def register_error_handlers(app: Flask) -> None:
    errors.init_errors(app)
