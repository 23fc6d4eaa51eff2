"""Command-line commands: thin wrappers over catalog services."""

import sys

import click
from flask import Flask, current_app
from flask_migrate import upgrade

from catalog import accounts, backstage, deliveries, seed, timetravel
from catalog.backstage import export_catalog
from catalog.db import refresh_statistics
from catalog.errors import CatalogError, ValidationFailed
from catalog.models.org import ROLES
from portal import preflight


def init_cli(app: Flask) -> None:
    """Register the portal's commands on ``app``."""
    for command in (init_db, check_deploy, seed_demo, create_user, set_password, create_token,
                    import_backstage, export_backstage, import_deliveries, export_deliveries):
        app.cli.add_command(command)


def fail(exc: CatalogError) -> None:
    """Print a catalog error (with its fields) on stderr and exit 1."""
    click.echo(f"Error: {exc.message}", err=True)
    if isinstance(exc, ValidationFailed):
        for field, messages in exc.errors.items():
            for message in messages:
                click.echo(f"  {field}: {message}", err=True)
    sys.exit(1)


@click.command("init-db")
def init_db():
    """Create or upgrade the database schema to the latest migration; start history."""
    upgrade()
    started = timetravel.record_baseline()
    refresh_statistics()
    click.echo("Database is at the latest schema."
               + (f" History starts now for {started:,} entities." if started else ""))


@click.command("check-deploy")
def check_deploy():
    """Refuse (exit 1) what production must not run with: demo passwords, no SECRET_KEY."""
    found = preflight.problems(current_app._get_current_object())
    for problem in found:
        click.echo(f"Refusing to start: {problem}", err=True)
    if found:
        sys.exit(1)
    click.echo("Ready for production." if current_app.config["PORTAL_ENV"] == "production"
               else "Not production (PORTAL_ENV is not 'production'): nothing to check.")


@click.command("seed-demo")
@click.option("--scale", type=click.IntRange(1, 200_000), default=None,
              help="Generate N capabilities for benchmarks instead of the demo catalog.")
@click.option("--deliveries", "delivery_count", type=click.IntRange(0, 1_000_000), default=None,
              help="With --scale: how many deliveries to generate (default 5 per capability).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the catalog has capabilities.")
def seed_demo(scale, delivery_count, if_empty):
    """Fill the catalog with the demo organisation (or N generated capabilities)."""
    upgrade()
    if if_empty and not seed.catalog_is_empty():
        click.echo("The catalog already has data; left as it is.")
    else:
        try:
            report = seed.seed_scale(scale, delivery_count) if scale else seed.seed_demo()
        except CatalogError as exc:
            fail(exc)
        refresh_statistics()
        click.echo(report)
    if not scale:
        click.echo("Demo logins (username / password):")
        for username, password, role, team in seed.DEMO_LOGINS:
            click.echo(f"  {username:<11} {password:<20} {role}{' of ' + team if team else ''}")


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--team", default="", help="Team slug (required for contributors).")
@click.option("--email", default="")
@click.option("--display-name", default="")
@click.password_option(help="Asked for when not given.")
def create_user(username, role, team, email, display_name, password):
    """Create a user account."""
    try:
        user = accounts.create_user(username, password, role=role, team=team, email=email,
                                    display_name=display_name)
    except CatalogError as exc:
        fail(exc)
    click.echo(f"Created {user.username} ({user.role}).")


@click.command("set-password")
@click.argument("username")
@click.password_option(help="Asked for when not given.")
def set_password(username, password):
    """Set a user's password (e.g. a forgotten one); every session of theirs ends."""
    try:
        user = accounts.set_password(username, password)
    except CatalogError as exc:
        fail(exc)
    click.echo(f"Set the password of {user.username}; their sessions have ended.")


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--scope", type=click.Choice(accounts.TOKEN_SCOPES), default="read",
              show_default=True)
def create_token(username, name, scope):
    """Create a personal API token and print it (it is shown only once)."""
    try:
        secret = accounts.issue_token_for(username, name, scope)
    except CatalogError as exc:
        fail(exc)
    click.echo(secret)


def _progress(done: int, total: int) -> None:
    """Print an import's progress on stderr."""
    click.echo(f"  written {done}/{total}", err=True)


def _finish_import(report, *, analyze: bool = False) -> None:
    """Print an import's report, or fail with its errors (exit 1).

    ``analyze``: refresh the planner's statistics once the import has written.
    """
    if not report.ok:
        fail(report.as_error())
    if analyze and report.written:
        refresh_statistics()
    click.echo(report)


@click.command("import-backstage")
@click.argument("path", type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
def import_backstage(path, dry_run):
    """Import Backstage descriptors: a catalog-info.yaml or a folder of them."""
    _finish_import(backstage.import_catalog(path, dry_run=dry_run, progress=_progress),
                   analyze=True)


@click.command("export-backstage")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
def export_backstage(file):
    """Write the catalog as Backstage descriptors (catalog-info.yaml) to FILE (default: stdout)."""
    file.write(export_catalog())


@click.command("import-deliveries")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Check and report what would be written; write nothing.")
def import_deliveries(file, dry_run):
    """Import deliveries from a CSV file, all or nothing (columns: see README)."""
    _finish_import(deliveries.import_deliveries_csv(file, dry_run=dry_run, name=file.name,
                                                    progress=_progress))


@click.command("export-deliveries")
@click.argument("file", type=click.File("w", encoding="utf-8"), default="-")
@click.option("--business", default="", help="Only this business (slug).")
@click.option("--since", default="", help="Delivered on or after (YYYY-MM-DD).")
@click.option("--until", default="", help="Delivered on or before (YYYY-MM-DD).")
def export_deliveries(file, business, since, until):
    """Write deliveries as CSV to FILE (standard output when not given)."""
    try:
        filters = deliveries.DeliveryFilters.from_args(
            {"business": business, "since": since, "until": until})
    except CatalogError as exc:
        fail(exc)
    file.write(deliveries.export_deliveries_csv(filters))
