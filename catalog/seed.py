"""Demo and benchmark data (being written)."""

DEMO_LOGINS: list[tuple[str, str, str, str]] = []


def catalog_is_empty() -> bool:
    raise NotImplementedError


def seed_demo() -> str:
    raise NotImplementedError


def seed_scale(n: int) -> str:
    raise NotImplementedError
