"""Bad inputs shared by the JSON API's tests and the forms' tests: one rule, one message.

Every field rule is declared once (catalog.fields, catalog.validation), so a
bad value must get the same words from the API and from the form. Each row
is posted to both, and both must refuse it with its ``words``; a case only
one of them can send stays beside that layer's test.
"""

from collections import namedtuple
from typing import Any

#: A bad input: ``changes`` to a good body, the ``field`` the API names, the
#: ``words`` of its message and the ``status`` of the refusal.
Bad = namedtuple("Bad", "changes field words status", defaults=[422])

#: Changes to a new capability, as the JSON API takes them (``as_form`` for the form).
BAD_CAPABILITIES = [
    Bad({"name": ""}, "name", "Name is required."),
    Bad({"name": "n" * 121}, "name", "Name must be at most 120 characters"),
    Bad({"slug": "Bad Slug"}, "slug", "Slug must be kebab-case"),
    Bad({"slug": "order-service"}, "slug", "This slug is already taken", 409),
    Bad({"domain": "nowhere"}, "domain", "Unknown domain 'nowhere'."),
    Bad({"team": ""}, "team", "Owner team is required."),
    Bad({"team": "nobody"}, "team", "Unknown team 'nobody'."),
    Bad({"tier": "high"}, "tier", "Tier must be 1 (critical), 2 or 3."),
    Bad({"slug": "pricing", "dependencies": ["pricing"]}, "dependencies.0",
        "A capability cannot depend on itself."),
    Bad({"dependencies": ["search-engine", "search-engine"]}, "dependencies.1",
        "Dependency on 'search-engine' is listed twice."),
    Bad({"dependencies": ["old-ledger"]}, "dependencies.0", "'old-ledger' is retired"),
    Bad({"dependencies": ["ghost"]}, "dependencies.0", "Unknown capability 'ghost'."),
    # The form skips an API row left blank, so this one has a version.
    Bad({"apis": [{"name": "", "version": "v1"}]}, "apis.0.name", "API name is required."),
]

#: Changes to a new adoption; the form's fields are named as the API's.
BAD_ADOPTIONS = [
    Bad({"business": "nope"}, "business", "Unknown business 'nope'."),
    Bad({"business": ""}, "business", "Business is required"),
    Bad({"capability": ""}, "capability", "Capability is required"),
    Bad({"capability": "nope"}, "capability", "Unknown capability 'nope'."),
    Bad({"capability": "legacy-cart"}, "capability", "'legacy-cart' is retired"),
    Bad({"api": "Payments"}, "api", "has no API named 'Payments'"),
    Bad({"purpose": "x" * 281}, "purpose", "Purpose must be at most 280 characters"),
    Bad({"since": "2024-02-30"}, "since", "Since must be a date written YYYY-MM-DD"),
    Bad({"since": "3000-01-01"}, "since", "Since cannot be in the future"),
]


def as_form(changes: dict[str, Any]) -> dict[str, Any]:
    """Return a capability's ``changes`` as the register form's fields.

    >>> as_form({"name": "", "dependencies": ["a"], "apis": [{"name": "", "version": "v1"}]})
    {'name': '', 'dep_provider': ['a'], 'dep_kind': ['sync'], 'apis-0-name': '', 'apis-0-version': 'v1'}
    """
    fields = {key: value for key, value in changes.items() if key not in ("dependencies", "apis")}
    if "dependencies" in changes:
        fields["dep_provider"] = changes["dependencies"]
        fields["dep_kind"] = ["sync"] * len(changes["dependencies"])
    for index, api in enumerate(changes.get("apis", [])):
        fields.update({f"apis-{index}-{key}": value for key, value in api.items()})
    return fields
