"""Migrations: apply, roll back and re-apply give the same schema at every prefix.

Applying onto a database that holds data loses no rows.

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
from storepulse.testkit import seed, supabase_standin
from storepulse.testkit.harness import (
    Stack,
    create_database,
    prepare_database,
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
    return "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                        n=2))


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


def _seed_what_exists(conn: psycopg.Connection, k: int) -> None:
    """Write rows into every table the schema has at prefix k."""
    users = [seed.create_user(conn) for _ in range(3)]
    if conn.execute("select to_regclass('app.shop_member') is not null").fetchone()[0]:
        for i in range(2):
            shop = conn.execute(
                "insert into app.shop (shopify_domain, name, currency, iana_timezone) "
                "values (%s, 'Data shop', 'USD', 'America/Chicago') returning shop_id",
                (f"data-{k}-{i}.myshopify.com",)).fetchone()[0]
            seed.add_member(conn, shop, users[i], "owner")
            seed.add_member(conn, shop, users[2], "viewer")


def _row_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = conn.execute(
        "select format('%I.%I', n.nspname, c.relname) from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p') and n.nspname in ('app', 'auth') order by 1"
    ).fetchall()
    return {t: conn.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608 - catalog names
            for (t,) in tables}


# Tables a later migration moves into another, dropping them: their rows count there.
MOVED_INTO = {"app.shopify_event": "app.inbound_event",  # 20261201_15
              "app.shopify_dead_letter": "app.inbound_dead_letter"}


def _by_home(counts: dict[str, int]) -> dict[str, int]:
    """Row counts with each moved table's rows counted in the table it moved into."""
    out: dict[str, int] = {}
    for table, n in counts.items():
        home = MOVED_INTO.get(table, table)
        out[home] = out.get(home, 0) + n
    return out


def test_applying_onto_data_loses_no_rows(stack: Stack) -> None:
    """Data written at every prefix survives each migration after it.

    One database walks the chain: at each prefix rows go into every table the schema has
    then, and the next migration must keep every row already there (by induction, data
    written after any prefix survives all the rest).
    """
    name = "storepulse_data"
    url = create_database(stack.server, name)
    try:
        prepare_database(stack.server, name)
        for k in range(len(ALL) + 1):
            with psycopg.connect(url) as conn:
                _seed_what_exists(conn, k)
                conn.commit()
                before = _by_home(_row_counts(conn))
            if k == len(ALL):
                break
            assert migrate.apply(stack.server.owner_url(name), upto=k + 1) == [ALL[k].id]
            with psycopg.connect(url) as conn:
                after = _by_home(_row_counts(conn))
            assert {t: after[t] for t in before} == before, f"{ALL[k].id} lost rows"
        assert sum(before.values()) > 0
    finally:
        with stack.connect(autocommit=True) as admin:
            admin.execute(f'drop database "{name}" with (force)')


def test_rolling_back_the_audit_stores_keeps_every_recorded_change(stack: Stack) -> None:
    """Rolling back the move to per-table stores (the last migrations) loses no change.

    Every change the stores recorded goes into audit.row_change, ids and values unchanged.
    """
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
    """As on Supabase, the migrating role is no superuser, and it owns every object.

    Every schema, table, view, index, sequence, function and type in app, api, private and
    audit.
    """
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


BEFORE_PIPELINE = "20261125_61_move-row-audit-to-stores"
MOVED = {
    "events": "select shopify_event_id, source, topic, webhook_id, event_id, triggered_at, "
              "api_version, hmac_verified, payload, status, deliveries, received_at, "
              "last_received_at from app.shopify_event order by 1",
    "dead letters": "select dead_letter_id, shopify_event_id, topic, error_code, error_field, "
                    "payload, failed_at, replayed_at from app.shopify_dead_letter order by 1",
}
MODEL = ("shopify_order", "shopify_order_line", "shopify_refund", "shopify_refund_line",
         "shopify_customer", "shopify_customer_pii", "shopify_product", "shopify_variant",
         "shopify_order_deletion", "sales_daily", "sales_hourly", "sales_product_daily")


def test_the_pipeline_moves_shopify_deliveries_in_and_its_rollback_moves_them_back(
        stack: Stack) -> None:
    """Shopify's deliveries move into the inbound store and back, nothing lost.

    Deliveries and dead letters stored before the shared pipeline keep their ids, bodies
    and outcomes in the inbound store, and come back as they were on rollback.
    """
    from tests import shopify_samples  # noqa: PLC0415

    upto = next(i for i, m in enumerate(ALL) if m.id == BEFORE_PIPELINE) + 1
    url = create_database(stack.server, "storepulse_pipeline_move")
    owner_url = stack.server.owner_url("storepulse_pipeline_move")
    try:
        prepare_database(stack.server, "storepulse_pipeline_move")
        migrate.apply(owner_url, upto=upto)
        with psycopg.connect(url, autocommit=True) as conn:
            owner = seed.create_user(conn)
            shop = seed.create_shop(conn, owner, "moved.myshopify.com")
            shopify_samples.seed_shop(conn, "moved.myshopify.com")
            before = {k: conn.execute(q).fetchall() for k, q in MOVED.items()}
            model = {t: conn.execute(f"select * from app.{t} order by 1, 2, 3").fetchall()  # noqa: S608
                     for t in MODEL}
        assert len(before["events"]) >= 6
        assert len(before["dead letters"]) == 1
        migrate.apply(owner_url)
        with psycopg.connect(url, autocommit=True) as conn:
            events = conn.execute(
                "select e.event_id, e.delivery, e.topic, e.delivery_id, e.external_id, "
                "e.triggered_at, e.api_version, e.signature_verified, p.body, e.status, "
                "e.deliveries, e.received_at, e.last_received_at "
                "from app.inbound_event as e join app.inbound_payload as p "
                "using (shop_id, event_id, received_at) order by 1").fetchall()
            assert events == before["events"]
            letters = conn.execute(
                "select d.dead_letter_id, d.event_id, d.topic, d.error_code, d.error_field, "
                "p.body, d.failed_at, d.replayed_at from app.inbound_dead_letter as d "
                "join app.inbound_payload as p using (shop_id, event_id) order by 1").fetchall()
            assert letters == before["dead letters"]
            # the stores go on numbering after the moved ids
            fresh = shopify_samples.webhook(conn, "moved.myshopify.com", "orders/create",
                                            shopify_samples.order(9010), "moved-new")
            assert fresh["event_id"] > max(e[0] for e in events)
            conn.execute("select private.rebuild_sales_rollups(%s)", (shop,))
        migrate.rollback(owner_url, count=len(ALL) - upto)
        with psycopg.connect(url, autocommit=True) as conn:
            after = {k: conn.execute(q).fetchall() for k, q in MOVED.items()}
            assert after["dead letters"] == before["dead letters"]
            assert after["events"][:len(before["events"])] == before["events"]
            assert [e[2] for e in after["events"][len(before["events"]):]] == ["orders/create"]
            conn.execute("delete from app.shopify_order where order_id = 9010")
            conn.execute("select private.rebuild_sales_rollups(%s)", (shop,))
            assert {t: conn.execute(f"select * from app.{t} order by 1, 2, 3").fetchall()  # noqa: S608
                    for t in MODEL} == model
    finally:
        with stack.connect(autocommit=True) as admin:
            admin.execute('drop database "storepulse_pipeline_move" with (force)')


def test_no_api_role_can_touch_yoyo_bookkeeping(db: psycopg.Connection) -> None:
    """No API role holds a privilege on yoyo's tables after a migrate.

    Supabase's default privileges on public grant anon, authenticated and service_role
    everything on a new table; the migrations revoke it from all three.
    """
    rows = db.execute(
        "select c.relname, r.rolname, p.privilege from pg_catalog.pg_class as c "
        "cross join unnest(array['anon', 'authenticated', 'service_role']) as r (rolname) "
        "cross join unnest(array['select', 'insert', 'update', 'delete', 'truncate']) "
        "as p (privilege) "
        "where c.relnamespace = 'public'::regnamespace and c.relname = any (%s) "
        "and has_table_privilege(r.rolname, c.oid, p.privilege)",
        (list(migrate.YOYO_TABLES),)).fetchall()
    found = db.execute("select count(*) from pg_catalog.pg_class "
                       "where relnamespace = 'public'::regnamespace and relname = any (%s)",
                       (list(migrate.YOYO_TABLES),)).fetchone()
    assert found is not None
    assert found[0] == len(migrate.YOYO_TABLES)
    assert rows == []
