"""`storepulse migrate`: check DATABASE_URL and the database it names, then run yoyo.

`yoyo apply` reads yoyo.ini, whose `database = %(DATABASE_URL)s` makes configparser fail
with a traceback when DATABASE_URL is unset, and a bad URL or an unreachable server ends
in another one. The command checks, in order, and stops at the first problem with one
message saying what to fix:

1. DATABASE_URL (or --database) is set;
2. it is a URL yoyo reads: `postgresql://` (or `postgres://`, `postgresql+psycopg://`),
   a host, a port that is a number, no placeholder left from the README or the Supabase
   dashboard (`<password>`, `[YOUR-PASSWORD]`), nothing after a `#` (an unencoded `#` in the
   password), and not Supabase's transaction pooler (port 6543);
3. it connects, parsed as yoyo parses it (yoyo.connections.parse_uri);
4. for `apply`: the database has what Supabase provides (roles anon, authenticated,
   service_role; auth.uid()), and pg_cron is enabled when cron jobs are still to apply
   (a job skipped then is not scheduled by a later apply).

Then it runs yoyo with this clone's yoyo.ini, from any folder, as `yoyo <command> <args>`;
a failing migration or a held lock ends in yoyo's message without a traceback.
"""

from __future__ import annotations

import configparser
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from yoyo import connections, exceptions
from yoyo.scripts import main as yoyo_main

from storepulse.db import migrate, one

URL_ENV = "DATABASE_URL"
# Supabase's transaction pooler (the session pooler is 5432): yoyo needs a session
TRANSACTION_POOLER_PORT = 6543
SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "psql")
SESSION_POOLER_HINT = ("use the session pooler (port 5432) or the direct connection: "
                       "yoyo holds a lock and runs DDL across statements, which the "
                       "transaction pooler (port 6543) does not keep on one connection")
ENCODE_HINT = ("\n  Special characters in the password must be percent-encoded: "
               "@ -> %40, : -> %3A, / -> %2F, # -> %23, ? -> %3F, % -> %25.")
# The dashboard's password placeholder, and the README's <ref>, <password>, <region>.
PLACEHOLDER_RE = re.compile(r"\[YOUR-PASSWORD\]|<[A-Za-z-]+>")
# yoyo commands that write migrations, and so need the Supabase roles and pg_cron.
APPLYING = ("apply", "reapply", "develop")
API_ROLES = ("anon", "authenticated", "service_role")


class PreflightError(Exception):
    """A problem with DATABASE_URL or its database, with what to do about it."""


@dataclass(frozen=True)
class Target:
    """A checked URL: what yoyo will connect to, without the password."""

    url: str
    scheme: str
    user: str | None
    host: str
    port: int
    database: str

    def __str__(self) -> str:
        """user@host:port/database, as messages name the target (never the password)."""
        return f"{self.user or '(default user)'}@{self.host}:{self.port}/{self.database}"


def database_url(given: str | None = None) -> str:
    """The URL to check: `given` (--database), else $DATABASE_URL."""
    url = (given if given is not None else os.environ.get(URL_ENV, "")).strip()
    if not url:
        raise PreflightError(
            f"{URL_ENV} is not set. Export the connection string first, as Supabase gives "
            "it (Dashboard -> Connect -> Session pooler), in the shell you run this from:\n"
            "    export DATABASE_URL='postgresql://postgres.<ref>:<password>@"
            "aws-0-<region>.pooler.supabase.com:5432/postgres'")
    return url


def check_url(url: str) -> Target:
    """Check the URL's form as yoyo will read it; no connection yet."""
    mark = PLACEHOLDER_RE.search(url)
    if mark:
        raise PreflightError(
            f"{URL_ENV} still holds the placeholder {mark.group()}: replace it with your "
            "project's value (the password is the database password set when the project "
            f"was created: Dashboard -> Project Settings -> Database).{ENCODE_HINT}")
    if "#" in url:
        raise PreflightError(f"{URL_ENV} has a '#', which ends a URL: everything after it "
                             f"is ignored.{ENCODE_HINT}")
    try:
        parsed = connections.parse_uri(url)
        port = parsed.port
    except (connections.BadConnectionURI, ValueError) as exc:
        raise PreflightError(f"{URL_ENV} is not a URL yoyo can read ({exc}): it must look "
                             "like postgresql://user:password@host:5432/postgres."
                             f"{ENCODE_HINT}") from None
    scheme = parsed.scheme.lower()
    if scheme not in SCHEMES:
        raise PreflightError(f"{URL_ENV} starts with {parsed.scheme}://: use postgresql:// "
                             "(or postgresql+psycopg://), as Supabase gives it")
    host = parsed.args.get("host") or parsed.hostname
    if not host:
        raise PreflightError(f"{URL_ENV} names no host: postgresql://user:password@HOST:5432/"
                             "postgres")
    port = int(parsed.args.get("port") or port or 5432)
    if port == TRANSACTION_POOLER_PORT and "pooler.supabase.com" in host:
        raise PreflightError(f"{URL_ENV} is Supabase's transaction pooler (port 6543): "
                             f"{SESSION_POOLER_HINT}")
    return Target(url=url, scheme=scheme, user=parsed.username, host=host, port=port,
                  database=parsed.database or parsed.username or "postgres")


def connect(target: Target, timeout: int = 10) -> psycopg.Connection:
    """Connect with the parameters yoyo's backend builds from this URL, plus a timeout."""
    parsed = connections.parse_uri(target.url)
    kwargs: dict[str, object] = {"connect_timeout": str(timeout), "dbname": parsed.database}
    kwargs.update((k, v) for k, v in parsed.args.items() if k != "schema")
    for key, value in (("user", parsed.username), ("password", parsed.password),
                       ("port", parsed.port), ("host", parsed.hostname)):
        if value is not None:
            kwargs[key] = value
    try:
        return psycopg.connect(autocommit=True, **kwargs)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise PreflightError(
            f"cannot connect to {target}:\n    {reason}\n  Check the host and port "
            "(Supabase: the session pooler, port 5432, or the direct connection), the user "
            "(on the pooler: postgres.<ref>) and the password." + ENCODE_HINT
            + "\n  To try the URL alone: psql \"$DATABASE_URL\" -c 'select 1'") from None


def applied_ids(conn: psycopg.Connection) -> set[str]:
    """Ids of the migrations yoyo has recorded as applied in this database."""
    if not one(conn.execute("select to_regclass('public._yoyo_migration') is not null"))[0]:
        return set()
    return {r[0] for r in conn.execute("select migration_id from public._yoyo_migration")}


def pending_cron_migrations(conn: psycopg.Connection) -> list[str]:
    """Ids of the cron/ migrations this database has not applied yet."""
    applied = applied_ids(conn)
    return [m.id for m in migrate.all_migrations()
            if Path(m.path).parent.name == "cron" and m.id not in applied]


def check_database(conn: psycopg.Connection, target: Target, *, without_pg_cron: bool) -> None:
    """Check the database has what the migrations expect (for apply)."""
    missing = [r for r in API_ROLES
               if not one(conn.execute("select exists (select from pg_catalog.pg_roles "
                                       "where rolname = %s)", (r,)))[0]]
    has_uid = one(conn.execute("select to_regprocedure('auth.uid()') is not null"))[0]
    if missing or not has_uid:
        what = ", ".join([*(f"role {r}" for r in missing), *([] if has_uid else ["auth.uid()"])])
        raise PreflightError(
            f"{target} is not a Supabase database: it has no {what}, which Supabase creates "
            "and the migrations grant to. Check that DATABASE_URL is your Supabase project's. "
            "For a local PostgreSQL, let the demo or the tests apply the Supabase stand-in "
            "and the migrations: STOREPULSE_DATABASE_URL=<url> bash tools/demo.sh")
    enabled = one(conn.execute("select exists (select from pg_catalog.pg_extension "
                               "where extname = 'pg_cron')"))[0]
    if enabled or without_pg_cron:
        return
    pending = pending_cron_migrations(conn)
    if pending:
        raise PreflightError(
            f"pg_cron is not enabled in {target.database}, so the {len(pending)} pg_cron job "
            "migration(s) still to apply would schedule nothing, and a later apply would not "
            "schedule them either. Enable it first (Supabase: Dashboard -> Database -> "
            "Extensions -> pg_cron, or `create extension pg_cron;`), or pass "
            "--without-pg-cron to apply without the jobs")


def run_yoyo(url: str, argv: list[str]) -> int:
    """Run `yoyo <argv>` with this clone's yoyo.ini and DATABASE_URL = url."""
    saved = os.environ.get(URL_ENV)
    os.environ[URL_ENV] = url
    try:
        return int(yoyo_main.main(["--config", str(migrate.ROOT / "yoyo.ini"), *argv]) or 0)
    except exceptions.LockTimeout as exc:
        print(f"yoyo: {exc}. If no other apply is running (a crashed run left the lock): "
              "storepulse migrate break-lock", file=sys.stderr)
        return 1
    except (exceptions.BadMigration, exceptions.MigrationConflict, configparser.Error) as exc:
        print(f"yoyo: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the driver's DatabaseError: psycopg2's or psycopg's
        if type(exc).__module__.split(".")[0] not in ("psycopg2", "psycopg"):
            raise
        print(f"yoyo: the database refused a migration: {str(exc).strip()}\n"
              "Nothing of that migration is applied (it ran in a transaction); "
              "`storepulse migrate list` shows what is.", file=sys.stderr)
        return 1
    finally:
        if saved is None:
            os.environ.pop(URL_ENV, None)
        else:
            os.environ[URL_ENV] = saved


def run(argv: list[str], *, database: str | None = None, without_pg_cron: bool = False,
        check_only: bool = False) -> int:
    """Check, then run yoyo; return the exit code (2 for a failed check)."""
    command = argv[0] if argv else "apply"
    try:
        target = check_url(database_url(database))
        with connect(target) as conn:
            version = one(conn.execute("show server_version"))[0]
            if command in APPLYING:
                check_database(conn, target, without_pg_cron=without_pg_cron)
    except PreflightError as exc:
        print(f"storepulse migrate: {exc}", file=sys.stderr)
        return 2
    print(f"storepulse migrate: {target} (PostgreSQL {version}) answers; "
          + ("checks passed" if check_only else f"running yoyo {' '.join(argv or ['apply'])}"),
          file=sys.stderr, flush=True)
    if check_only:
        return 0
    code = run_yoyo(target.url, argv or ["apply"])
    if code == 0 and command in (*APPLYING, "rollback", "mark", "unmark"):
        with connect(target) as conn:
            applied = applied_ids(conn)
        ours = {m.id for m in migrate.all_migrations()}
        print(f"storepulse migrate: {len(applied & ours)} of {len(ours)} migrations applied "
              f"in {target.database}", file=sys.stderr)
    return code

