"""Migrations: apply, roll back and re-apply give the same schema at every prefix,
and applying onto a database that holds data loses no rows.

Migrations are applied and rolled back as `Server.migrator` (on the native cluster
`postgres`, not a superuser, as on Supabase); the stand-in, the seeding and the dumps run
as the superuser. The round trip runs in its own throwaway cluster, in the database
pg_cron lives in, so cron jobs are part of what must come back exactly.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import psycopg
import pytest

from storepulse.db import migrate
from storepulse.testkit import seed
from storepulse.testkit import supabase_standin
from storepulse.testkit.harness import (
    Stack, create_database, migrate_database, prepare_database,
)
from storepulse.testkit.server import Server, start_native

ALL = migrate.all_migrations()


@pytest.fixture(scope="module")
def cron_cluster(stack: Stack) -> Iterator[Server]:
    """A second throwaway cluster whose `postgres` database is empty (pg_cron's home)."""
    server = start_native() if stack.server.kind == "native" else stack.server
    yield server
    if server is not stack.server:
        server.stop()


def _diff(a: str, b: str) -> str:
    return "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), n=2))


def test_every_prefix_rolls_back_to_the_same_schema(cron_cluster: Server) -> None:
    """Apply one by one, roll back one by one, apply again: dumps match at every step."""
    dbname = None if cron_cluster.kind == "native" else "storepulse_roundtrip"
    if dbname:
        create_database(cron_cluster, dbname)
    prepare_database(cron_cluster, dbname)
    url, owner = cron_cluster.url(dbname), cron_cluster.owner_url(dbname)
    dumps = [migrate.dump_schema(url)]
    for k in range(1, len(ALL) + 1):
        assert migrate.apply(owner, upto=k) == [ALL[k - 1].id]
        dumps.append(migrate.dump_schema(url))
    assert len(set(dumps)) == len(dumps), "some migration changed nothing in the schema"
    for k in range(len(ALL), 0, -1):
        assert migrate.rollback(owner, count=1) == [ALL[k - 1].id]
        now = migrate.dump_schema(url)
        assert now == dumps[k - 1], (
            f"rolling back {ALL[k - 1].id} did not restore the schema:\n{_diff(dumps[k - 1], now)}")
    migrate.apply(owner)
    again = migrate.dump_schema(url)
    assert again == dumps[-1], _diff(dumps[-1], again)


def _seed_what_exists(conn: psycopg.Connection) -> None:
    """Write rows into every table the schema has at this prefix."""
    users = [seed.create_user(conn) for _ in range(3)]
    if conn.execute("select to_regclass('app.shop_member') is not null").fetchone()[0]:
        for i in range(2):
            shop = conn.execute(
                "insert into app.shop (shopify_domain, name, currency, iana_timezone) "
                "values (%s, 'Data shop', 'USD', 'America/Chicago') returning shop_id",
                (f"data-{i}.myshopify.com",)).fetchone()[0]
            seed.add_member(conn, shop, users[i], "owner")
            seed.add_member(conn, shop, users[2], "viewer")


def _row_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = conn.execute(
        "select format('%I.%I', n.nspname, c.relname) from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p') and n.nspname in ('app', 'auth') order by 1"
    ).fetchall()
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for (t,) in tables}


@pytest.mark.parametrize("k", range(len(ALL) + 1), ids=lambda k: f"prefix{k}")
def test_applying_onto_data_loses_no_rows(stack: Stack, k: int) -> None:
    """Data written after the first k migrations survives applying the rest."""
    name = f"storepulse_data_{k}"
    url = create_database(stack.server, name)
    try:
        prepare_database(stack.server, name)
        migrate.apply(stack.server.owner_url(name), upto=k)
        with psycopg.connect(url) as conn:
            _seed_what_exists(conn)
            conn.commit()
            before = _row_counts(conn)
        migrate_database(stack.server, name)
        with psycopg.connect(url) as conn:
            after = _row_counts(conn)
        assert {t: after[t] for t in before} == before
        assert sum(before.values()) > 0
    finally:
        with stack.connect(autocommit=True) as admin:
            admin.execute(f'drop database "storepulse_data_{k}" with (force)')


def test_rolling_back_the_audit_stores_keeps_every_recorded_change(stack: Stack) -> None:
    """Rolling back the move to per-table stores (the last migrations) puts every change
    the stores recorded into audit.row_change, ids and values unchanged."""
    move = next(i for i, m in enumerate(ALL) if m.id == "20261125_61_move-row-audit-to-stores")
    name = "storepulse_store_rollback"
    url = create_database(stack.server, name)
    try:
        prepare_database(stack.server, name)
        migrate.apply(stack.server.owner_url(name))
        with psycopg.connect(url, autocommit=True) as conn:
            owner = seed.create_user(conn)
            shop = seed.create_shop(conn, owner, "rollback-audit.myshopify.com")
            seed.add_member(conn, shop, seed.create_user(conn), "viewer")
            conn.execute("update app.shop set name = 'Renamed' where shop_id = %s", (shop,))
            query = ("select change_id, table_name, op, record_key, old_values, new_values "
                     "from audit.{} where shop_id = %s order by change_id")
            before = conn.execute(query.format("row_changes"), (shop,)).fetchall()
            assert {r[1] for r in before} == {"app.shop", "app.shop_member"}
        migrate.rollback(stack.server.owner_url(name), count=len(ALL) - move)
        with psycopg.connect(url, autocommit=True) as conn:
            after = conn.execute(query.format("row_change"), (shop,)).fetchall()
            assert conn.execute("select count(*) from pg_class where relname like "
                                "'row\\_change\\_\\_%%'").fetchone()[0] == 0
        assert after == before
    finally:
        with stack.connect(autocommit=True) as admin:
            admin.execute('drop database "storepulse_store_rollback" with (force)')


SCHEMAS = ("app", "api", "private", "audit")


def test_migrations_run_as_a_non_superuser_that_owns_every_object(stack: Stack) -> None:
    """As on Supabase, the migrating role is no superuser, and it owns every schema, table,
    view, index, sequence, function and type in app, api, private and audit."""
    server = stack.server
    with psycopg.connect(server.owner_url()) as conn:
        me, superuser = conn.execute(
            "select current_user, rolsuper from pg_roles where rolname = current_user").fetchone()
    assert me == server.migrator
    with stack.connect() as conn:
        on_supabase = supabase_standin.is_supabase(conn)
    if server.kind == "native":
        assert me == "postgres"
    if server.kind == "native" or on_supabase:  # a given plain Postgres may use a superuser
        assert not superuser, f"migrations ran as {me}, a superuser"
    with stack.connect() as conn:
        owned = conn.execute(
            """
            select kind, name, owner::regrole::text from (
                select 'schema' as kind, n.nspname::text as name, n.nspowner as owner
                from pg_namespace as n where n.nspname = any(%(schemas)s)
                union all
                select 'relation ' || c.relkind::text, format('%%I.%%I', n.nspname, c.relname),
                    c.relowner
                from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
                where n.nspname = any(%(schemas)s)
                union all
                select 'function', p.oid::regprocedure::text, p.proowner
                from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
                where n.nspname = any(%(schemas)s)
                union all
                select 'type', t.oid::regtype::text, t.typowner
                from pg_type as t join pg_namespace as n on n.oid = t.typnamespace
                where n.nspname = any(%(schemas)s)
            ) as o order by 1, 2
            """, {"schemas": list(SCHEMAS)}).fetchall()
    kinds = {kind.split()[0] for kind, _, _ in owned}
    assert {"schema", "relation", "function", "type"} <= kinds
    others = [row for row in owned if row[2] != me]
    assert not others, f"objects not owned by {me}: {others}"
