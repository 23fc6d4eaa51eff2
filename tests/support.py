"""Assertions shared by several test modules (the fixtures live in conftest.py)."""


def assert_only_field_error(response, field: str, words: str, status: int = 422) -> None:
    """Assert a ``status`` (422) naming ``field`` alone, its first message containing ``words``."""
    assert response.status_code == status
    errors = response.get_json()["errors"]
    assert list(errors) == [field]
    assert words in errors[field][0]
