"""Apply and roll back storepulse's migrations with yoyo, and prepare databases for them."""

from __future__ import annotations

from pathlib import Path

import psycopg
from yoyo import get_backend, read_migrations
from yoyo.migrations import MigrationList

from storepulse.db import one
from storepulse.db.binaries import find_bindir

ROOT = Path(__file__).resolve().parents[3]
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


YOYO_TABLES = ("_yoyo_log", "_yoyo_migration", "_yoyo_version", "yoyo_lock")
# Tables whose rows are configuration written by migrations: their data is part of what a
# migration changes (and a rollback restores), so dumps compare it too.
REFERENCE_TABLES = ("private.inbound_source", "private.inbound_topic", "private.inbound_resource",
                    "private.inbound_field", "private.inbound_pii_key",
                    "private.change_subscriber", "private.carrier_alias_default",
                    "private.carrier_service_sla_default")


def _pg_dump() -> str:
    """pg_dump from the server binaries we start, or from PATH."""
    import shutil  # noqa: PLC0415

    bindir = find_bindir()
    if bindir is not None and (bindir / "pg_dump").exists():
        return str(bindir / "pg_dump")
    found = shutil.which("pg_dump")
    if not found:
        raise RuntimeError("pg_dump not found: install postgresql-client-15")
    return found


def dump_schema(url: str) -> str:
    """A normalised schema dump: pg_dump --schema-only without yoyo's tables, plus cron jobs.

    Comments, SET lines and blank lines are dropped, so two databases built the same way
    dump the same text.
    """
    import subprocess  # noqa: PLC0415

    args = [_pg_dump(), "--schema-only", "--no-tablespaces", "--dbname", url]
    for t in YOYO_TABLES:
        args += ["--exclude-table", f"*.{t}"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603 - argv of our own pg_dump
    lines = [
        line for line in out.splitlines()
        if line.strip() and not line.startswith(
            ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict"))
    ]
    with psycopg.connect(url) as conn:
        # yoyo's own tables are left out above (their rows change), but not who may use them
        # once a migration is applied (yoyo creates them before the first, and keeps them)
        has_log = one(conn.execute("select to_regclass('_yoyo_migration') is not null"))[0]
        applied = has_log and one(conn.execute("select exists (select from _yoyo_migration)"))[0]
        acls = [] if not applied else conn.execute(
            "select c.relname, c.relrowsecurity, coalesce(c.relacl::text, '') "
            "from pg_catalog.pg_class as c "
            "where c.relnamespace = pg_catalog.current_schema()::regnamespace "
            "and c.relname = any (%s) order by 1", (list(YOYO_TABLES),)).fetchall()
        lines += [f"YOYO TABLE {t} rls={rls} acl={acl}" for t, rls, acl in acls]
        for table in REFERENCE_TABLES:
            if one(conn.execute("select to_regclass(%s) is not null", (table,)))[0]:
                rows = conn.execute(f"select t::text from {table} as t order by 1").fetchall()  # noqa: S608
                lines += [f"DATA {table} {r[0]}" for r in rows]
        if one(conn.execute("select to_regclass('cron.job') is not null"))[0]:
            jobs = conn.execute(
                "select jobname, schedule, command, username, active from cron.job "
                "where database = current_database() order by jobname"
            ).fetchall()
            lines += [f"CRON JOB {j!r}" for j in jobs]
    return "\n".join(lines) + "\n"


def normalise_url(url: str) -> str:
    """A URL psycopg accepts: yoyo's `postgresql+psycopg://` becomes `postgresql://`."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"
