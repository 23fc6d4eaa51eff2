"""gunicorn settings for ``make serve`` (production); every value can be set from the environment.

    WEB_CONCURRENCY   worker processes (default: one per CPU core, at least 2)
    PORTAL_THREADS    threads per worker (default 4)
    HOST, PORT        where to listen (default 127.0.0.1:8000; 0.0.0.0 behind a load balancer)
    PORTAL_TIMEOUT    seconds before a stuck worker is restarted (default 60)
    PORTAL_WARM_UP    each worker computes the heavy figures ahead (default true)

Before the first worker starts, the deployment is checked (portal.preflight): no
SECRET_KEY, or accounts with the demo passwords, and gunicorn refuses to start
unless PORTAL_DEMO=true. Logs are JSON lines on standard error, one per request
(with its X-Request-ID) and one per error.
"""

import os
import sys

os.environ.setdefault("PORTAL_ENV", "production")
# Each worker computes the graph and the heavy pages' figures ahead (portal.warmup).
os.environ.setdefault("PORTAL_WARM_UP", "true")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("PORTAL_THREADS", "4"))
timeout = int(os.environ.get("PORTAL_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 500
accesslog = None  # portal.requestlog writes one richer line per request
errorlog = "-"
loglevel = "info"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.requestlog.RequestIdFilter"}},
    "formatters": {"json": {"()": "portal.requestlog.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                            "formatter": "json", "filters": ["request_id"]}},
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
    },
}


def on_starting(server):
    """Refuse to start with the demo passwords or without SECRET_KEY (see portal.preflight)."""
    from portal import create_app, preflight

    found = preflight.problems(create_app({"WARM_UP": False}))  # the master serves nothing
    for problem in found:
        server.log.error("Refusing to start: %s", problem)
    if found:
        sys.exit(1)
