"""Flask extensions, created unbound and initialised by the factory."""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from catalog.db import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()

__all__ = ["csrf", "db", "htmx", "login_manager", "migrate"]
