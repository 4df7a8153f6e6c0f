"""The harness itself: the server, isolation, cloning, and clean-up."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from storepulse.testkit import supabase_standin
from storepulse.testkit.harness import Stack


def test_server_is_postgres_15_or_newer_on_loopback(stack: Stack) -> None:
    """The server answers on 127.0.0.1 and is at least PostgreSQL 15."""
    with stack.connect() as conn:
        version = conn.execute("show server_version_num").fetchone()[0]
        addr = conn.execute("select inet_server_addr()").fetchone()[0]
    assert int(version) >= 150000
    if stack.server.kind == "native":
        assert str(addr) == "127.0.0.1"


def test_server_runs_unprivileged(stack: Stack) -> None:
    """As root, postgres runs as another OS user; otherwise as the caller."""
    if stack.server.kind != "native":
        return
    with stack.connect() as conn:
        datadir = conn.execute("show data_directory").fetchone()[0]
    owner = Path(datadir).stat().st_uid
    if os.geteuid() == 0:
        assert owner != 0
    else:
        assert owner == os.geteuid()


def test_native_cluster_is_not_mistaken_for_supabase(stack: Stack) -> None:
    """The native cluster's superuser is not supabase_admin, so the stand-in was applied.

    `postgres` is then the Supabase-like role the stand-in created.
    """
    if stack.server.kind != "native":
        return
    with stack.connect() as conn:
        assert conn.execute("select current_user").fetchone()[0] == "storepulse_admin"
        assert not supabase_standin.is_supabase(conn)
        role = conn.execute(
            "select rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, "
            "rolcanlogin from pg_roles where rolname = 'postgres'").fetchone()
    assert stack.standin_applied
    assert role == (False, True, True, True, True, True)


def test_postgres_has_what_supabase_grants_it_on_cron(
        stack: Stack, need_extension: Callable[[str], None]) -> None:
    """As on Supabase, postgres may use the cron schema, its functions and its tables.

    cron.job it may only read (cron.schedule writes it), and it has no TRIGGER on
    cron.job_run_details.
    """
    need_extension("pg_cron")
    if not stack.standin_applied:
        return
    with stack.connect() as conn:
        row = conn.execute(
            "select has_schema_privilege('postgres', 'cron', 'usage'),"
            " has_function_privilege('postgres', 'cron.schedule(text, text, text)', 'execute'),"
            " has_table_privilege('postgres', 'cron.job', 'select'),"
            " has_table_privilege('postgres', 'cron.job', 'insert, update, delete'),"
            " has_table_privilege('postgres', 'cron.job_run_details', 'select, delete'),"
            " has_table_privilege('postgres', 'cron.job_run_details', 'trigger')").fetchone()
    assert row == (True, True, True, False, True, False)


def test_native_cluster_trusts_no_one(stack: Stack) -> None:
    """Every role needs its password, over TCP and over the Unix socket.

    The URLs the server hands out carry it (scram-sha-256, random per cluster).
    """
    server = stack.server
    if server.kind != "native":
        return
    with stack.connect() as conn:
        socket_dir = conn.execute("show unix_socket_directories").fetchone()[0]
        methods = conn.execute("select distinct auth_method from pg_hba_file_rules").fetchall()
    assert methods == [("scram-sha-256",)]
    assert server.password
    assert server.owner_password
    assert server.password != server.owner_password
    for user, password in ((server.user, server.password), (server.owner, server.owner_password)):
        for host in ("127.0.0.1", socket_dir):
            dsn = f"host={host} port={server.port} user={user} dbname=postgres"
            with pytest.raises(psycopg.OperationalError, match="password"):
                psycopg.connect(dsn, connect_timeout=5).close()
            with psycopg.connect(f"{dsn} password={password}") as conn:
                assert conn.execute("select current_user").fetchone()[0] == user
    assert f":{server.password}@" in server.url()
    assert f":{server.owner_password}@" in server.owner_url()


def test_pg_cron_is_preloaded_when_installed(stack: Stack,
                                             need_extension: Callable[[str], None]) -> None:
    """pg_cron is in shared_preload_libraries and enabled in the main database."""
    need_extension("pg_cron")
    with stack.connect() as conn:
        libs = conn.execute("show shared_preload_libraries").fetchone()[0]
        ext = conn.execute("select extversion from pg_extension where extname = 'pg_cron'")
        assert "pg_cron" in libs
        assert ext.fetchone() is not None
        if stack.server.kind == "native":  # jobs need no password: no libpq connection
            assert conn.execute("show cron.use_background_workers").fetchone()[0] == "on"


def test_rolled_back_transaction_isolates_tests(stack: Stack) -> None:
    """What one `db` transaction writes, no later connection sees."""
    user_id = uuid.uuid4()
    with stack.connect() as conn:
        conn.execute("insert into auth.users (id, email) values (%s, 'x@example.test')",
                     (user_id,))
        conn.rollback()
    with stack.connect() as conn:
        assert conn.execute("select count(*) from auth.users where id = %s",
                            (user_id,)).fetchone()[0] == 0


def test_fresh_database_is_migrated_and_dropped(stack: Stack) -> None:
    """A cloned database has the whole schema, and is gone after the block."""
    with stack.fresh_database() as url, psycopg.connect(url) as conn:
        assert conn.execute("select to_regclass('app.shop_member') is not null").fetchone()[0]
        name = conn.execute("select current_database()").fetchone()[0]
    with stack.connect() as conn:
        gone = conn.execute("select count(*) from pg_database where datname = %s", (name,))
        assert gone.fetchone()[0] == 0


def test_server_is_stopped_and_removed_even_after_a_failure(tmp_path: Path) -> None:
    """A process that starts a cluster and dies on an exception leaves nothing running."""
    script = tmp_path / "crash.py"
    script.write_text(
        "from storepulse.testkit.server import start_native\n"
        "s = start_native()\n"
        "print(s.port, flush=True)\n"
        "with s.connect() as c:\n"
        "    print(c.execute('show data_directory').fetchone()[0], flush=True)\n"
        "raise RuntimeError('test failed')\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode != 0
    assert "test failed" in out.stderr
    port, datadir = out.stdout.split()
    assert not Path(datadir).exists()
    try:
        psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres",
                        connect_timeout=2).close()
        still_up = True
    except psycopg.OperationalError:
        still_up = False
    assert not still_up


def test_yoyo_bookkeeping_is_unreadable_by_api_roles(db: psycopg.Connection) -> None:
    """The yoyo tables sit in public, yet anon and authenticated can neither read nor write them."""
    from storepulse.db.migrate import YOYO_TABLES  # noqa: PLC0415
    from storepulse.testkit import postgrest_standin  # noqa: PLC0415

    found = db.execute("select count(*) from pg_class where relname = any(%s) and relkind = 'r'",
                       (list(YOYO_TABLES),)).fetchone()[0]
    assert found == len(YOYO_TABLES)
    for ident in (postgrest_standin.anon(), postgrest_standin.user(uuid.uuid4())):
        for table in YOYO_TABLES:
            for stmt in (f"select * from public.{table}",  # noqa: S608 - yoyo's table names
                         f"delete from public.{table}"):  # noqa: S608
                with postgrest_standin.acting_as(db, ident):
                    try:
                        rows = db.execute(stmt).rowcount
                    except psycopg.errors.InsufficientPrivilege:
                        continue
                    raise AssertionError(f"{ident.role} ran {stmt!r} ({rows} rows)")
