"""Database tooling: applying and rolling back migrations, the static and in-database lints."""

from __future__ import annotations

from typing import TypeVar

import psycopg

_Row = TypeVar("_Row")


def one(cursor: psycopg.Cursor[_Row]) -> _Row:
    """The row a statement returned: for queries that always return exactly one.

    Raises:
        LookupError: the statement returned no row.
    """
    row = cursor.fetchone()
    if row is None:
        raise LookupError("the statement returned no row")
    return row
