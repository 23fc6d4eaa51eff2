"""The catalog revision counter, which every catalog write bumps."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalog.db import db
from catalog.models.columns import IntPk


class CatalogRevision(db.Model):
    """One row whose number is bumped by every catalog write."""

    id: Mapped[IntPk]
    revision: Mapped[int] = mapped_column(sa.BigInteger, default=0)
