"""What the Shopify benchmarks share: databases at two revisions, loading, and timing.

A benchmark compares the code as it is ("after", every migration) with the code before a
change ("before", the chain up to a baseline migration) in one run, on one server, with
the same pages and the same deliveries, so the machine's noise is the same for both.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from storepulse.db import migrate, one
from storepulse.load.shopify import PROGRESS_EVERY_S, PageBody, ingest_backfill, webhook_args
from storepulse.synth import Delivery, HotRodAN
from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.harness import Stack, create_database, prepare_database

# The last migration before the shared inbound pipeline: what "before" means by default.
BASELINE = "20261125_61_move-row-audit-to-stores"
WARM_UP = 20  # tile calls run before any is timed
PAGE_SIZE = 250  # resources per backfill page, as the Admin API pages them


def pct(values: list[float], q: float) -> float:
    """The q-quantile of the values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Target:
    """A database the benchmark loads: its name, how to reach it, and its revision."""

    label: str
    url: str
    revision: str


def baseline_database(stack: Stack, revision: str, name: str = "bench_before") -> Target:
    """A database migrated (as the migrating role) up to and including `revision`."""
    ids = [m.id for m in migrate.all_migrations()]
    if revision not in ids:
        raise SystemExit(f"--baseline {revision}: no such migration (see migrations/ ...)")
    url = create_database(stack.server, name)
    prepare_database(stack.server, name)
    with contextlib.redirect_stdout(io.StringIO()):  # the migrations' own select output
        migrate.apply(stack.server.owner_url(name), upto=ids.index(revision) + 1)
    return Target("before", url, revision)


def pages_of(store: HotRodAN) -> list[list[dict[str, Any]]]:
    """The store's backfill pages (catalog, customers, orders), made once, in memory."""
    return list(store.backfill_resources(PAGE_SIZE))


def backfill(conns: dict[str, psycopg.Connection], pages: list[list[dict[str, Any]]],
             domain: str, *, progress: bool = True) -> dict[str, dict[str, float]]:
    """Backfill the pages into the shop of `domain` on each database, page by page in turn.

    Each page goes to every database before the next page goes anywhere, the first
    database alternating, so drift in the machine's speed falls on all alike. Serializing
    the pages is not timed.
    """
    bodies = [PageBody.of(domain, page) for page in pages]
    seconds = dict.fromkeys(conns, 0.0)
    counts: dict[str, Counter[str]] = {label: Counter() for label in conns}
    labels = list(conns)
    last = time.monotonic()
    for i, body in enumerate(bodies):
        for label in labels[i % len(labels):] + labels[:i % len(labels)]:
            t0 = time.perf_counter()
            counts[label] += ingest_backfill(conns[label], [body], domain)
            seconds[label] += time.perf_counter() - t0
        if progress and time.monotonic() - last > PROGRESS_EVERY_S:
            last = time.monotonic()
            print(f"  backfilled {i + 1}/{len(bodies)} pages", file=sys.stderr, flush=True)
    return {label: {"orders": float(counts[label]["orders"]), "seconds": seconds[label],
                    "orders_per_s": counts[label]["orders"] / seconds[label],
                    "dead_lettered": float(counts[label]["dead_lettered"])}
            for label in conns}


def webhook_shop(conn: psycopg.Connection, store: HotRodAN, domain: str) -> str:
    """A second shop of the same store, for webhooks onto a loaded database."""
    owner = seed.create_user(conn)
    shop_id = seed.create_shop(conn, owner, domain, iana_timezone=store.shop["iana_timezone"])
    postgrest_standin.rpc(conn, "set_shopify_webhook_secret",
                          {"shop_id": str(shop_id), "secret": store.shop["secret"]},
                          identity=postgrest_standin.service_role()).raise_for_status()
    return domain


def webhooks(conns: dict[str, psycopg.Connection], deliveries: Iterable[Delivery],
             domain: str, n: int) -> dict[str, dict[str, float]]:
    """Single-webhook latency on each database, the same delivery to each in turn.

    Odd calls are timed by the server's own clock around the function call (server-side),
    even ones as a round trip through the PostgREST stand-in; each database sees the same
    deliveries, interleaved, which one first alternating, so drift in the machine's speed
    falls on both alike.
    """
    server: dict[str, list[float]] = {k: [] for k in conns}
    round_trip: dict[str, list[float]] = {k: [] for k in conns}
    ident = postgrest_standin.service_role()
    for i, d in enumerate(deliveries):
        if i >= n:
            break
        a = webhook_args(d) | {"shop_domain": domain}
        labels = list(conns)
        turn = (i // 2) % len(labels)  # who goes first alternates too
        for label in labels[turn:] + labels[:turn]:
            conn = conns[label]
            if i % 2 == 0:
                t0 = time.perf_counter()
                postgrest_standin.rpc(conn, "ingest_shopify_webhook", a,
                                      identity=ident).raise_for_status()
                round_trip[label].append((time.perf_counter() - t0) * 1000)
                continue
            row = one(conn.execute(
                "select extract(epoch from clock_timestamp() - s.t0) * 1000 from "
                "(select clock_timestamp() as t0) as s, lateral (select "
                "api.ingest_shopify_webhook(topic => %s, shop_domain => %s, webhook_id => %s, "
                "event_id => %s, triggered_at => %s::timestamptz, api_version => %s, "
                "raw_body => %s, hmac => %s)) as c",
                (a["topic"], a["shop_domain"], a["webhook_id"], a["event_id"],
                 a["triggered_at"], a["api_version"], a["raw_body"], a["hmac"])))
            server[label].append(float(row[0]))
    return {label: {"p50_server_ms": pct(server[label], 0.5),
                    "p95_server_ms": pct(server[label], 0.95),
                    "p50_round_trip_ms": pct(round_trip[label], 0.5),
                    "p95_round_trip_ms": pct(round_trip[label], 0.95),
                    "webhooks": float(min(n, len(server[label]) + len(round_trip[label])))}
            for label in conns}


def tile(conn: psycopg.Connection, shop_id: str, identity: postgrest_standin.Identity,
         as_of: str, runs: int, *, fn: str = "sales_pulse") -> list[float]:
    """Server-side times of a tile (planning + execution, ms) as `identity`, warm."""
    times = []
    query = sql.SQL("explain (analyze, format json) select {}(shop_id => %s, as_of => %s)"
                    ).format(sql.Identifier("api", fn))
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('request.jwt.claims', %s, true), "
                     "set_config('role', %s, true)",
                     (json.dumps(identity.claims), identity.role))
        for i in range(runs + WARM_UP):
            plan = one(conn.execute(query, (shop_id, as_of)))[0][0]
            if i >= WARM_UP:
                times.append(float(plan["Planning Time"]) + float(plan["Execution Time"]))
    return times


def tiles(conn: psycopg.Connection, shop_id: str, owner: str, as_of: str,
          runs: int = 200, *, fn: str = "sales_pulse") -> dict[str, float]:
    """The tile as a member and as service_role, alternating in rounds; p50, p95, ratios."""
    member: list[float] = []
    service: list[float] = []
    rounds = 4
    for _ in range(rounds):  # alternate, so drift falls on both alike
        member += tile(conn, shop_id, postgrest_standin.user(owner), as_of, runs // rounds,
                       fn=fn)
        service += tile(conn, shop_id, postgrest_standin.service_role(), as_of,
                        runs // rounds, fn=fn)
    out = {"member_p50_ms": pct(member, 0.5), "member_p95_ms": pct(member, 0.95),
           "service_p50_ms": pct(service, 0.5), "service_p95_ms": pct(service, 0.95),
           "runs": float(len(member))}
    out["ratio_p50"] = out["member_p50_ms"] / out["service_p50_ms"]
    out["ratio_p95"] = out["member_p95_ms"] / out["service_p95_ms"]
    return out


def membership_checks(conn: psycopg.Connection, shop_id: str, owner: str, as_of: str) -> int:
    """How many times one member's tile call looks its memberships up (private.my_shop_ids)."""
    ident = postgrest_standin.user(owner)
    with conn.transaction(force_rollback=True):
        conn.execute("set local track_functions = 'all'")
        before = _helper_calls(conn)
        conn.execute("select set_config('request.jwt.claims', %s, true), "
                     "set_config('role', 'authenticated', true)", (json.dumps(ident.claims),))
        conn.execute("select api.sales_pulse(shop_id => %s, as_of => %s)", (shop_id, as_of))
        conn.execute("reset role")
        return _helper_calls(conn) - before


def _helper_calls(conn: psycopg.Connection) -> int:
    # the lookup itself (the no-argument form only forwards to it, adding a second call)
    row = one(conn.execute(
        "select coalesce(sum(calls), 0)::int from pg_stat_xact_user_functions "
        "where funcid = 'private.my_shop_ids(app.member_role[])'::regprocedure"))
    return int(row[0])


def sizes(conn: psycopg.Connection) -> dict[str, float]:
    """The database's size and how much of it raw payloads take, in bytes."""
    raw = one(conn.execute("""
        select coalesce(sum(pg_total_relation_size(t.relid)), 0)::bigint
        from (
            select relid from pg_partition_tree(to_regclass('app.inbound_payload'))
            union all
            select to_regclass(name) from unnest(array['app.shopify_event',
                'app.shopify_dead_letter']) as name
            where to_regclass(name) is not null
        ) as t"""))[0]
    total = one(conn.execute("select pg_database_size(current_database())"))[0]
    return {"database_bytes": float(total), "raw_bytes": float(raw),
            "raw_share": float(raw) / float(total) if total else 0.0}


def mib(n: float) -> str:
    """Bytes as MiB, for reading."""
    return f"{n / 2**20:,.0f} MiB"


def targets(stack: Stack, baseline: str | None) -> Iterator[Target]:
    """The databases to compare: "before" (if a baseline is given), then "after"."""
    if baseline:
        yield baseline_database(stack, baseline)
    yield Target("after", stack.main_url, migrate.all_migrations()[-1].id)


# Rows a copied shop gets through its own set-up (webhook_shop), or that belong to the source
# shop's history rather than its data: not copied.
_NOT_COPIED = frozenset({
    "app.shop", "app.shop_member", "private.shopify_webhook_secret", "app.inbound_dead_letter",
    "audit.row_change", "audit.decision", "audit.suggestion"})


def copy_shop(conn: psycopg.Connection, source: str, target: str) -> dict[str, int]:
    """Copy every row of every shop-keyed table from one shop to another, in SQL.

    The benchmark's quick way to put N same-sized shops in one database: the target (set up
    by webhook_shop) gets the source's rows with its own shop_id, as the pipeline would have
    built them from the same deliveries (every key includes shop_id, so identities may repeat
    across shops). Triggers are off for the copy (`session_replication_role = replica`, a
    superuser setting), so no subscriber or audit trigger runs twice. Tables the target
    already has rows in are left as they are. Returns the rows copied per table.
    """
    tables = conn.execute(
        "select c.oid::regclass::text, array_agg(a.attname::text order by a.attnum) "
        "from pg_class as c join pg_attribute as a on a.attrelid = c.oid "
        "where c.relkind in ('r', 'p') and not c.relispartition and a.attnum > 0 "
        "  and not a.attisdropped and a.attgenerated = '' "
        "  and c.relnamespace::regnamespace::text in ('app', 'audit', 'private') "
        "  and exists (select from pg_attribute as s where s.attrelid = c.oid "
        "              and s.attname = 'shop_id' and not s.attisdropped) "
        "group by c.oid order by 1").fetchall()
    copied: dict[str, int] = {}
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")
        for name, columns in tables:
            if name in _NOT_COPIED:
                continue
            table = sql.SQL(".").join(sql.Identifier(p) for p in name.split("."))
            if conn.execute(sql.SQL("select from {} where shop_id = %s limit 1").format(table),
                            (target,)).fetchone():
                continue
            cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
            values = sql.SQL(", ").join(
                sql.SQL("%(target)s::uuid") if c == "shop_id" else sql.Identifier(c)
                for c in columns)
            cur = conn.execute(
                sql.SQL("insert into {t} ({c}) overriding system value "
                        "select {v} from {t} where shop_id = %(source)s").format(
                    t=table, c=cols, v=values), {"source": source, "target": target})
            copied[name] = cur.rowcount
    return copied
