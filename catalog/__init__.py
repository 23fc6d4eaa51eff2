"""The catalog domain: models, validation, services and queries.

Nothing here knows about HTTP requests, templates or plotly; the portal and
the command line call these functions and map :mod:`catalog.errors` onto
responses.
"""
