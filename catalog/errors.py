"""Domain errors. The portal maps each onto an HTTP status in one place."""

from collections.abc import Mapping


class CatalogError(Exception):
    """Base class of every error the catalog raises on purpose."""

    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__doc__ or "")
        self.message = message or (self.__class__.__doc__ or "").strip()


class NotFound(CatalogError):
    """Not found."""

    status = 404


class Forbidden(CatalogError):
    """You are not allowed to do that."""

    status = 403


class ValidationFailed(CatalogError):
    """Some fields are not valid.

    ``errors`` maps a field name (``"slug"``, ``"apis.0.name"``) to its
    messages, so a form can show each message beside its field and the API
    can return it as ``{"errors": {...}}``.
    """

    status = 422

    def __init__(self, errors: Mapping[str, list[str]], message: str = "") -> None:
        super().__init__(message or "Some fields are not valid.")
        self.errors = {field: list(msgs) for field, msgs in errors.items()}


class Conflict(ValidationFailed):
    """That already exists."""

    status = 409


class StaleVersion(CatalogError):
    """Someone else changed this record since you loaded it."""

    status = 412
