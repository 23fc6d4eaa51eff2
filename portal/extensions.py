"""Flask extensions, created unbound and initialised by the factory."""

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from catalog.db import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
compress = Compress()
#: Counters in Redis when REDIS_URL is set (shared by every worker and host),
#: else in this process's memory (see portal.config).
limiter = Limiter(key_func=get_remote_address)

__all__ = ["compress", "csrf", "db", "htmx", "limiter", "login_manager", "migrate"]
