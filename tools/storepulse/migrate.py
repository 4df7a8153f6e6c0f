"""Apply and roll back storepulse's migrations with yoyo, and prepare databases for them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import psycopg
from yoyo import get_backend, read_migrations
from yoyo.migrations import MigrationList

ROOT = Path(__file__).resolve().parents[2]
# The order yoyo reads them in; ids are globally ordered and chained by `-- depends:`.
SOURCE_DIRS = ("migrations", "policies", "functions", "views", "cron")


def sources(root: Path = ROOT) -> list[str]:
    """The folders yoyo reads migrations from, as yoyo.ini lists them."""
    return [str(root / d) for d in SOURCE_DIRS]


def all_migrations(root: Path = ROOT) -> MigrationList:
    """Every migration, in the order yoyo applies them."""
    from yoyo.migrations import topological_sort  # noqa: PLC0415

    ms = read_migrations(*sources(root))
    return MigrationList(topological_sort(ms), ms.post_apply)


def standin_sql() -> str:
    """The Supabase stand-in script (roles, auth schema and functions, extensions)."""
    return resources.files("storepulse").joinpath("sql/supabase_standin.sql").read_text()


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
        conn.execute(standin_sql())  # type: ignore[arg-type]
    return True


def apply(url: str, *, upto: int | None = None, root: Path = ROOT) -> list[str]:
    """Apply pending migrations (only the first `upto` of all, if given); return their ids."""
    backend = get_backend(url)
    try:
        migrations = all_migrations(root)
        if upto is not None:
            migrations = MigrationList(migrations[:upto], migrations.post_apply)
        with backend.lock():
            todo = backend.to_apply(migrations)
            backend.apply_migrations(todo)
        return [m.id for m in todo]
    finally:
        backend.connection.close()


def rollback(url: str, *, count: int | None = None, root: Path = ROOT) -> list[str]:
    """Roll back the last `count` applied migrations (all if None); return their ids."""
    backend = get_backend(url)
    try:
        with backend.lock():
            todo = backend.to_rollback(all_migrations(root))
            if count is not None:
                todo = MigrationList(todo[:count], todo.post_apply)
            backend.rollback_migrations(todo)
        return [m.id for m in todo]
    finally:
        backend.connection.close()


def applied(url: str) -> list[str]:
    """Ids of the applied migrations, in applied order."""
    backend = get_backend(url)
    try:
        return [m.id for m in all_migrations() if m.hash in backend.get_applied_migration_hashes()]
    finally:
        backend.connection.close()
