"""Static files (and plotly.js), compressed once per file version and kept in memory.

Static URLs carry their version (``?v=<mtime>``, plotly's own version), so
browsers keep them for a year; each worker compresses a file the first time
a client asks for it in an encoding (brotli or gzip) and answers from memory
afterwards. Pages and data answers are compressed by Flask-Compress instead
(:data:`portal.config.COMPRESSION`).
"""

import functools
import gzip
import mimetypes
import os

import brotli
from flask import Flask, Response, abort, request, send_from_directory
from werkzeug.security import safe_join

__all__ = ["init_assets", "send_asset"]

YEAR = 365 * 24 * 3600
#: Best first; brotli at quality 9 packs plotly.js (4.8 MB) to 1.2 MB in about 0.4 s.
ENCODINGS = {"br": lambda data: brotli.compress(data, quality=9),
             "gzip": lambda data: gzip.compress(data, compresslevel=9, mtime=0)}
COMPRESSIBLE = ("text/css", "text/javascript", "application/javascript", "image/svg+xml")


def init_assets(app: Flask) -> None:
    """Serve the app's static folder through :func:`send_asset`."""
    app.view_functions["static"] = lambda filename: send_asset(app.static_folder, filename)


def send_asset(folder: str, filename: str, *, max_age: int = YEAR) -> Response:
    """Answer with the file ``filename`` of ``folder``, compressed when the client accepts it."""
    path = safe_join(folder, filename)
    if path is None or not os.path.isfile(path):
        abort(404)
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    encoding = next((name for name in ENCODINGS if request.accept_encodings[name] > 0), None)
    if encoding is None or mimetype not in COMPRESSIBLE:
        return send_from_directory(folder, filename, max_age=max_age)
    stat = os.stat(path)
    response = Response(_compressed(path, stat.st_mtime_ns, encoding), mimetype=mimetype)
    response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.set_etag(f"{stat.st_mtime_ns:x}-{stat.st_size:x}-{encoding}")
    return response.make_conditional(request)


@functools.lru_cache(maxsize=64)
def _compressed(path: str, version: int, encoding: str) -> bytes:
    """Return the file at ``path`` compressed; ``version`` (its mtime) keys the cache."""
    with open(path, "rb") as handle:
        return ENCODINGS[encoding](handle.read())
