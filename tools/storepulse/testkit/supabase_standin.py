"""The Supabase stand-in: what a Supabase project provides before our migrations run.

`sql/supabase_standin.sql` creates Supabase's API roles, the `auth` schema and functions
and the `extensions` schema, and enables pg_cron where the server preloads it. The test
kit and the demo apply it, only where the target is not Supabase; it is never a
migration and never runs against Supabase.
"""

from __future__ import annotations

from importlib import resources

import psycopg


def standin_sql() -> str:
    """The stand-in script (roles, auth schema and functions, extensions)."""
    return resources.files("storepulse.testkit").joinpath("sql/supabase_standin.sql").read_text()


def is_supabase(conn: psycopg.Connection) -> bool:
    """Whether the database is a Supabase one (its admin role exists)."""
    row = conn.execute(
        "select exists (select from pg_catalog.pg_roles where rolname = 'supabase_admin')"
    ).fetchone()
    return bool(row and row[0])


def prepare(url: str) -> bool:
    """Apply the Supabase stand-in unless the target is Supabase; True if applied."""
    with psycopg.connect(url, autocommit=True) as conn:
        if is_supabase(conn):
            return False
        conn.execute(standin_sql())
    return True
