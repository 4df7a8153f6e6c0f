"""A migrated PostgreSQL for tests and the demo: one main database and a template to clone.

The main database (`postgres`, as on Supabase, where pg_cron lives) gets the Supabase
stand-in (applied as the superuser) and every migration (applied as `Server.migrator`:
on the native cluster `postgres`, not a superuser, as on Supabase). Tests connect as the
superuser and run in the main database inside a transaction that is rolled back.
Tests that must commit, or use several connections, get a fresh database cloned from
`storepulse_template`, which is migrated the same way (pg_cron jobs are skipped there:
pg_cron runs in one database only, and that database cannot serve as a template).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from storepulse.db import migrate
from storepulse.testkit import supabase_standin
from storepulse.testkit.server import Server, start_server

TEMPLATE_DB = "storepulse_template"


@dataclass
class Stack:
    """A server with a migrated main database and a migrated template database."""

    server: Server
    ready_seconds: float
    migrate_seconds: float
    standin_applied: bool
    _counter: Iterator[int] = field(default_factory=itertools.count)

    @property
    def main_url(self) -> str:
        """URL of the fully migrated main database, as the admin (superuser) role."""
        return self.server.url()

    @property
    def owner_url(self) -> str:
        """URL of the main database as the role the migrations ran as (`postgres`)."""
        return self.server.owner_url()

    def connect(self, **kwargs: object) -> psycopg.Connection:
        """A connection to the main database as the admin user."""
        return self.server.connect(None, **kwargs)

    def has_extension(self, name: str) -> bool:
        """Whether the main database's server can create or already has `name`."""
        with self.connect(autocommit=True) as conn:
            row = conn.execute(
                "select exists (select from pg_catalog.pg_available_extensions where name = %s)",
                (name,),
            ).fetchone()
        return bool(row and row[0])

    @contextlib.contextmanager
    def fresh_database(self) -> Iterator[str]:
        """A new database cloned from the migrated template; dropped afterwards."""
        name = f"storepulse_t{os.getpid()}_{next(self._counter)}"
        with self.connect(autocommit=True) as admin:
            admin.execute(sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE_DB)))
        try:
            yield self.server.url(name)
        finally:
            with self.connect(autocommit=True) as admin:
                admin.execute(sql.SQL("drop database if exists {} with (force)").format(
                    sql.Identifier(name)))

    def stop(self) -> None:
        """Stop the server if this process started it."""
        self.server.stop()


def prepare_database(server: Server, dbname: str | None = None) -> bool:
    """The Supabase stand-in (unless Supabase), as the superuser; True if it was applied."""
    return supabase_standin.prepare(server.url(dbname), owner_password=server.owner_password)


def migrate_database(server: Server, dbname: str | None = None, *, quiet: bool = True) -> bool:
    """Stand-in (unless Supabase) plus every migration; True if the stand-in was applied.

    The migrations are applied as `server.migrator`.
    """
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        standin = prepare_database(server, dbname)
        migrate.apply(server.owner_url(dbname))
    return standin


def create_database(server: Server, name: str, *, replace: bool = True) -> str:
    """Create an empty database on the server (dropping a leftover one); return its admin URL.

    The superuser owns it, as supabase_admin owns Supabase's; the stand-in grants `postgres`
    what it needs there.
    """
    with server.connect(autocommit=True) as admin:
        if replace:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(
                sql.Identifier(name)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return server.url(name)


def build_stack(*, allow_embedded: bool = False, with_template: bool = True) -> Stack:
    """Start (or reach) a server, migrate its main database, and build the template."""
    t0 = time.monotonic()
    server = start_server(allow_embedded=allow_embedded)
    ready = time.monotonic() - t0
    t1 = time.monotonic()
    try:
        standin = migrate_database(server)
        if with_template:
            create_database(server, TEMPLATE_DB)
            migrate_database(server, TEMPLATE_DB)
    except BaseException:
        server.stop()
        raise
    return Stack(server, ready, time.monotonic() - t1, standin)
