"""The Supabase stand-in: what a Supabase project provides before our migrations run.

`sql/supabase_standin.sql` creates Supabase's API roles and its non-superuser `postgres`
(if missing), the `auth` schema and functions and the `extensions` schema, enables pg_cron
where the server preloads it, and grants `postgres` what Supabase grants it. The test kit
and the demo apply it as the cluster's superuser, only where the target is not Supabase;
it is never a migration and never runs against Supabase.
"""

from __future__ import annotations

from importlib import resources

import psycopg
from psycopg import sql


def standin_sql() -> str:
    """The stand-in script (roles, auth schema and functions, extensions)."""
    return resources.files("storepulse.testkit").joinpath("sql/supabase_standin.sql").read_text()


def is_supabase(conn: psycopg.Connection) -> bool:
    """Whether the database is a Supabase one (its superuser `supabase_admin` exists).

    Neither the stand-in nor the test kit ever creates that role: the native cluster's
    superuser is `storepulse_admin` (server.NATIVE_ADMIN).
    """
    row = conn.execute(
        "select exists (select from pg_catalog.pg_roles where rolname = 'supabase_admin')"
    ).fetchone()
    return bool(row and row[0])


def prepare(url: str, *, owner_password: str | None = None) -> bool:
    """Apply the Supabase stand-in unless the target is Supabase; True if applied.

    `url` reaches the database as a superuser. With `owner_password`, `postgres` (created
    by the stand-in if missing) logs in with that password.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        if is_supabase(conn):
            return False
        conn.execute(standin_sql())
        if owner_password is not None:
            conn.execute(sql.SQL("alter role postgres with login password {}").format(
                sql.Literal(owner_password)))
    return True
