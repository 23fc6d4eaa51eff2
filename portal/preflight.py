"""What a production start refuses: the checks ``make serve`` (gunicorn) runs first.

A deployment must not run with the demo logins' published passwords, nor
without a ``SECRET_KEY`` of its own (a key made up per host would sign each
host's sessions differently behind one load balancer, and change on every new
machine). ``PORTAL_DEMO=true`` says it is a demo: then both are allowed.
"""

import sqlalchemy as sa
from flask import Flask

from catalog.db import db
from catalog.models import User
from catalog.seed import DEMO_LOGINS

SECRET_KEY_MIN = 32


def problems(app: Flask) -> list[str]:
    """Return why ``app`` must not serve production traffic (empty: it may).

    Only production (``PORTAL_ENV=production``) that is not a demo is checked.
    Reads the users table, so the schema must be migrated first.
    """
    config = app.config
    if config["PORTAL_ENV"] != "production" or config["PORTAL_DEMO"]:
        return []
    found = []
    key = config.get("SECRET_KEY") or ""
    if not key:
        found.append("SECRET_KEY is not set: set it in the environment to a long random "
                     "value, the same on every host (python3 -c 'import secrets; "
                     "print(secrets.token_hex(32))').")
    elif len(key) < SECRET_KEY_MIN:
        found.append(f"SECRET_KEY is {len(key)} characters; use at least {SECRET_KEY_MIN} "
                     "random ones.")
    with app.app_context():
        try:
            demo = demo_logins_in_use()
        finally:
            db.session.remove()
            db.engine.dispose()  # no connection is carried into forked workers
    if demo:
        found.append("These accounts still have the demo passwords printed by seed-demo: "
                     f"{', '.join(demo)}. Change them (flask --app app set-password NAME) or "
                     "deactivate them, or set PORTAL_DEMO=true if this is a demo.")
    return found


def demo_logins_in_use() -> list[str]:
    """Return the usernames of active accounts whose password is still the demo one."""
    passwords = {username: password for username, password, _, _ in DEMO_LOGINS}
    users = db.session.scalars(sa.select(User).where(User.username.in_(passwords),
                                                     User.active.is_(True)))
    return sorted(u.username for u in users if u.check_password(passwords[u.username]))
