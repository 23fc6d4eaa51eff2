"""The kinds of column the models share, each declared once.

SQLAlchemy maps an ``Annotated`` type to a whole column declaration: a model
writes ``slug: Mapped[Slug]`` and gets the column type, length, constraints
and default declared here. Arguments a model still passes to
``mapped_column()`` are added to the kind's (``mapped_column(index=True)``,
another ``default=``), and ``Mapped[Name | None]`` makes the column nullable.

The lengths are the database's limits; what a user may submit must fit them.
"""

import datetime as dt
from typing import Annotated

import sqlalchemy as sa
from sqlalchemy.orm import mapped_column

from catalog.models._time import utcnow

#: The longest slug (the name in a URL) of a team, domain, business or capability.
SLUG_LENGTH = 63
#: The longest username; rows record who acted by username.
USERNAME_LENGTH = 63
#: The longest name of a thing the catalog lists (a team, an API, a token, ...).
NAME_LENGTH = 120
#: The longest way to reach someone (an email address, a chat channel).
CONTACT_LENGTH = 200
#: The longest one-word value: a status, lifecycle, kind, role, decision or action.
WORD_LENGTH = 20

#: An integer primary key, numbered by the database.
IntPk = Annotated[int, mapped_column(primary_key=True)]

#: The unique slug that names a row in URLs and imports.
Slug = Annotated[str, mapped_column(sa.String(SLUG_LENGTH), unique=True)]

#: A name people read.
Name = Annotated[str, mapped_column(sa.String(NAME_LENGTH))]

#: A username: a user's own, or, kept as text so it outlives the account, who acted.
Username = Annotated[str, mapped_column(sa.String(USERNAME_LENGTH))]

#: Free text of any length (a description, a comment, a spec), empty unless given.
LongText = Annotated[str, mapped_column(sa.Text, default="")]

#: How to reach someone (an email address, a chat channel), empty unless given.
Contact = Annotated[str, mapped_column(sa.String(CONTACT_LENGTH), default="")]

#: One word from a small vocabulary (the tuples beside the models): a status, a kind, a role.
Word = Annotated[str, mapped_column(sa.String(WORD_LENGTH))]

#: The indexed id of the capability a row belongs to; the row goes when the capability does.
CapabilityId = Annotated[int, mapped_column(sa.ForeignKey("capability.id", ondelete="CASCADE"),
                                            index=True)]

#: The indexed id of the business a row belongs to; the row goes when the business does.
BusinessId = Annotated[int, mapped_column(sa.ForeignKey("business.id", ondelete="CASCADE"),
                                          index=True)]

#: The id of the API a row names; it becomes NULL when the API goes.
ApiId = Annotated[int, mapped_column(sa.ForeignKey("api.id", ondelete="SET NULL"))]

#: The id of the team a row names.
TeamId = Annotated[int, mapped_column(sa.ForeignKey("team.id"))]

#: When the row was made (the catalog's clock).
CreatedAt = Annotated[dt.datetime, mapped_column(default=utcnow)]

#: When the row was last written (the catalog's clock).
UpdatedAt = Annotated[dt.datetime, mapped_column(default=utcnow, onupdate=utcnow)]
