"""Benchmark Shopify ingestion and the Sales Pulse tile; prints figures with their scale.

    python -m storepulse.bench.shopify [--scale large|default|season] [--seed 7]

1. Webhook latency: one api.ingest_shopify_webhook call each, over a stream of the
   store's deliveries (server-side: the function's own run time; and round trip
   through the PostgREST stand-in).
2. Backfill throughput in orders per second (api.ingest_shopify_backfill, pages of 250,
   made and serialized to JSON text before the clock runs), and its ratio to binary COPY
   of the same normalised rows into the same tables of a database cloned from the
   migrated template (same indexes and foreign keys). Goal: 0.5. Then the floor: order
   pages only received (sent and parsed as jsonb, as json, and as json with the order
   fields and lines extracted), the same rows written by INSERT from typed staging
   tables, and the highest ratio receiving plus writing leaves,
   t_copy / (t_receive + t_copy).
3. Sales Pulse latency, warm and server-side, p50 and p95, as an authenticated member,
   after the whole scale is loaded. Goal: p95 at most 20 ms at "large" (3 years of a
   store growing to $10M a year).
Timings on a shared 2-core machine are noisy: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections.abc import Iterator

import psycopg

from storepulse.db import one
from storepulse.load.shopify import PageBody, create_store_shop, ingest_backfill, webhook_args
from storepulse.synth import HotRodAN, Scale
from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.harness import build_stack

NORMALISED = ("shopify_product", "shopify_variant", "shopify_inventory_item", "shopify_customer",
              "shopify_customer_pii", "shopify_order", "shopify_order_line",
              "shopify_order_discount_code", "shopify_refund", "shopify_refund_line",
              "shopify_order_adjustment", "shopify_transaction")
SAMPLE_PAGES = 40  # order pages kept from the backfill for bench_receive
WARM_UP = 20  # tile calls run before bench_tile measures


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_webhooks(conn: psycopg.Connection, store: HotRodAN, n: int) -> dict[str, float]:
    """Single-webhook latency on a second shop (fresh orders, tables already full).

    Half the calls go through the PostgREST stand-in (round trip); half are timed by the
    server's own clock around the function call (server-side).
    """
    domain = "bench-webhooks.myshopify.com"
    owner = seed.create_user(conn)
    shop_id = seed.create_shop(conn, owner, domain, iana_timezone=store.shop["iana_timezone"])
    postgrest_standin.rpc(conn, "set_shopify_webhook_secret",
                  {"shop_id": str(shop_id), "secret": store.shop["secret"]},
                  identity=postgrest_standin.service_role()).raise_for_status()
    server_ms, round_ms = [], []
    ident = postgrest_standin.service_role()
    for i, d in enumerate(store.events()):
        if i >= n:
            break
        a = webhook_args(d) | {"shop_domain": domain}
        if i % 2 == 0:
            t0 = time.perf_counter()
            postgrest_standin.rpc(conn, "ingest_shopify_webhook", a,
                                  identity=ident).raise_for_status()
            round_ms.append((time.perf_counter() - t0) * 1000)
            continue
        row = one(conn.execute(
            "select extract(epoch from clock_timestamp() - s.t0) * 1000 from "
            "(select clock_timestamp() as t0) as s, lateral (select api.ingest_shopify_webhook("
            "topic => %s, shop_domain => %s, webhook_id => %s, event_id => %s, "
            "triggered_at => %s::timestamptz, api_version => %s, raw_body => %s, hmac => %s)) as c",
            (a["topic"], a["shop_domain"], a["webhook_id"], a["event_id"], a["triggered_at"],
             a["api_version"], a["raw_body"], a["hmac"])))
        server_ms.append(float(row[0]))
    return {"p50_round_trip_ms": _pct(round_ms, 0.5), "p95_round_trip_ms": _pct(round_ms, 0.95),
            "p50_server_ms": _pct(server_ms, 0.5), "p95_server_ms": _pct(server_ms, 0.95),
            "webhooks": float(n)}


def bench_backfill(conn: psycopg.Connection, store: HotRodAN, copy_target: psycopg.Connection,
                   insert_target: psycopg.Connection) -> dict[str, float]:
    """Backfill the whole scale; then COPY the same normalised rows into a fresh database.

    `copy_target` is a database cloned from the migrated template (same tables, indexes and
    foreign keys), holding only the shop's row: binary COPY there is the baseline.
    `insert_target`, a second such clone, measures INSERT ... SELECT of the same rows from
    typed staging tables: how fast a SQL function could write them at best. The
    pages are made and serialized to JSON text before the clock runs, as an Edge Function
    forwards the Admin API's bytes; the time for that is left out.
    """
    domain = store.shop["domain"]
    preparing = 0.0
    samples: list[PageBody] = []

    def pages() -> Iterator[PageBody]:
        """The store's backfill pages as request bodies, leaving their making out."""
        nonlocal preparing
        source = iter(store.backfill_resources(250))
        while True:
            t = time.perf_counter()
            page = next(source, None)
            body = PageBody.of(domain, page) if page is not None else None
            preparing += time.perf_counter() - t
            if body is None:
                return
            if body.orders and len(samples) < SAMPLE_PAGES:
                samples.append(body)
            yield body

    t0 = time.perf_counter()
    counts = ingest_backfill(conn, pages(), domain, progress=True)
    backfill_s = time.perf_counter() - t0 - preparing
    orders = counts["orders"]
    shop = one(conn.execute("select to_jsonb(s) from app.shop as s where shopify_domain = %s",
                            (domain,)))[0]
    dumps: dict[str, bytes] = {}
    for t in NORMALISED:
        buf = io.BytesIO()
        with conn.cursor().copy(f"copy app.{t} to stdout (format binary)") as cp:
            for chunk in cp:
                buf.write(chunk)
        dumps[t] = buf.getvalue()
    for target in (copy_target, insert_target):
        target.execute("insert into app.shop "
                       "select * from jsonb_populate_record(null::app.shop, %s)",
                       (json.dumps(shop),))
    t1 = time.perf_counter()
    with copy_target.transaction():
        for t in NORMALISED:
            with copy_target.cursor().copy(f"copy app.{t} from stdin (format binary)") as cp:
                cp.write(dumps[t])
    copy_s = time.perf_counter() - t1
    insert_s = bench_insert(insert_target, dumps)
    receive = bench_receive(conn, samples)
    return {"orders": float(orders), "backfill_s": backfill_s, "copy_s": copy_s,
            "backfill_orders_per_s": orders / backfill_s, "copy_orders_per_s": orders / copy_s,
            "ratio": (orders / backfill_s) / (orders / copy_s),
            "insert_orders_per_s": orders / insert_s,
            "dead_lettered": float(counts["dead_lettered"]), "preparing_s": preparing,
            **receive}


def bench_insert(target: psycopg.Connection, dumps: dict[str, bytes]) -> float:
    """Seconds to INSERT ... SELECT the normalised rows from typed staging tables.

    The rows are first copied, untimed, into temporary tables without indexes; then one
    INSERT per table, in one transaction, writes them into the real tables.
    """
    with target.transaction():
        for t in NORMALISED:
            target.execute(f"create temp table stage_{t} (like app.{t})")
            with target.cursor().copy(f"copy stage_{t} from stdin (format binary)") as cp:
                cp.write(dumps[t])
            target.execute(f"analyze stage_{t}")
    t0 = time.perf_counter()
    with target.transaction():
        for t in NORMALISED:
            target.execute(f"insert into app.{t} overriding system value "  # noqa: S608
                           f"select * from stage_{t}")
    return time.perf_counter() - t0


RECEIVE = {
    "jsonb": "select jsonb_typeof(%s::jsonb)",
    "json": "select json_typeof(%s::json)",
    # the orders' fields and line items pulled out of json text, the json argument's cost
    "json_fields": """
        select count(*)
        from json_array_elements((%s::json) -> 'resources') as e,
            json_to_record(e -> 'resource') as o (id bigint, name text, created_at timestamptz,
                updated_at timestamptz, cancelled_at timestamptz, financial_status text,
                currency text, total_price numeric, subtotal_price numeric, total_tax numeric,
                total_discounts numeric, test boolean, customer json, line_items json,
                refunds json, discount_codes json, shipping_lines json),
            json_to_recordset(o.line_items) as l (id bigint, product_id bigint,
                variant_id bigint, sku text, quantity integer, price numeric,
                discount_allocations json, tax_lines json)
    """,
}


def bench_receive(conn: psycopg.Connection, samples: list[PageBody]) -> dict[str, float]:
    """Orders/s of only receiving order pages: sending the body and parsing it, nothing stored.

    The floor under any JSON backfill: as jsonb (what api.ingest_shopify_backfill's
    argument type makes the server build), as plain json (validated text, the cheapest
    JSON a function could take), and as json with the orders' fields and lines extracted
    (json stays text, so every extraction parses it again). Each page is timed three
    times; the fastest counts.
    """
    out: dict[str, float] = {}
    orders = sum(p.orders for p in samples)
    for kind, query in RECEIVE.items():
        total = 0.0
        for p in samples:
            best = float("inf")
            for _ in range(3):
                t = time.perf_counter()
                conn.execute(query, (p.text,)).fetchone()
                best = min(best, time.perf_counter() - t)
            total += best
        out[f"receive_{kind}_orders_per_s"] = orders / total
    out["receive_sample_orders"] = float(orders)
    return out


def bench_tile(conn: psycopg.Connection, shop_id: str, owner: str, as_of: str,
               runs: int = 200) -> dict[str, float]:
    """Server-side Sales Pulse latency as an authenticated member, after warm-up."""
    claims = json.dumps(postgrest_standin.user(owner).claims)
    times = []
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('request.jwt.claims', %s, true), "
                     "set_config('role', 'authenticated', true)", (claims,))
        for i in range(runs + WARM_UP):
            plan = one(conn.execute(
                "explain (analyze, format json) select api.sales_pulse(shop_id => %s, as_of => %s)",
                (shop_id, as_of)))[0][0]
            if i >= WARM_UP:  # the server's own planning + execution time of the call
                times.append(float(plan["Planning Time"]) + float(plan["Execution Time"]))
    return {"p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95),
            "mean_ms": statistics.fmean(times), "runs": float(runs)}


def receive_report(b: dict[str, float]) -> str:
    """What receiving the pages alone costs, and the ratio to COPY that leaves at most.

    A backfill taking JSON must at least receive its pages and then write the rows, which
    no way of writing does faster than COPY: its ratio is at most
    t_copy / (t_receive + t_copy).
    """
    lines = [f"receiving order pages alone (send + parse, nothing stored; "
             f"{b['receive_sample_orders']:.0f} orders sampled), and writing the rows by "
             f"INSERT from typed rows ({b['insert_orders_per_s']:.0f} orders/s):"]
    t_copy = 1 / b["copy_orders_per_s"]
    t_insert = 1 / b["insert_orders_per_s"]
    for kind, what in (("jsonb", "as jsonb, the API's argument type"),
                       ("json", "as plain json text, the cheapest JSON argument"),
                       ("json_fields", "as json, with the orders' fields and lines extracted")):
        t_receive = 1 / b[f"receive_{kind}_orders_per_s"]
        lines.append(f"  {what}: {1 / t_receive:.0f} orders/s; ratio at most "
                     f"{t_copy / (t_receive + t_copy):.2f} with COPY's speed of writing, "
                     f"{t_copy / (t_receive + t_insert):.2f} with INSERT's")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the three benchmarks at one scale and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m storepulse.bench.shopify",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="large", help="season | default | large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--webhooks", type=int, default=2000)
    args = parser.parse_args(argv)
    store = HotRodAN(scale=args.scale, seed=args.seed, progress=True)
    scale = Scale.of(args.scale)
    print(f"scale: {scale.name}: {scale.days} days ending {scale.as_of:%Y-%m-%d}, "
          f"${scale.annual_revenue:,.0f}/year at the end, seed {args.seed}", flush=True)
    stack = build_stack()
    try:
        print(f"server: {stack.server.kind} PostgreSQL, ready in {stack.ready_seconds:.2f} s",
              flush=True)
        with stack.connect(autocommit=True) as conn, stack.fresh_database() as twin_url, \
                psycopg.connect(twin_url, autocommit=True) as twin, \
                stack.fresh_database() as twin2_url, \
                psycopg.connect(twin2_url, autocommit=True) as twin2:
            shop_id, owner = create_store_shop(conn, store)
            b = bench_backfill(conn, store, twin, twin2)
            print(f"backfill (making and serializing the pages, {b['preparing_s']:.1f} s, left "
                  f"out): {b['orders']:.0f} orders in {b['backfill_s']:.1f} s = "
                  f"{b['backfill_orders_per_s']:.0f} orders/s; COPY of the same normalised rows "
                  f"{b['copy_s']:.2f} s = {b['copy_orders_per_s']:.0f} orders/s; "
                  f"ratio {b['ratio']:.2f} (goal >= 0.5); dead-lettered {b['dead_lettered']:.0f}",
                  flush=True)
            print(receive_report(b), flush=True)
            conn.execute("analyze")
            t = bench_tile(conn, str(shop_id), str(owner), scale.as_of.isoformat())
            print(f"sales_pulse as a member, warm, server-side, {t['runs']:.0f} runs: "
                  f"p50 {t['p50_ms']:.2f} ms, p95 {t['p95_ms']:.2f} ms (goal p95 <= 20 ms)",
                  flush=True)
            w = bench_webhooks(conn, store, args.webhooks)
            print(f"webhook ingestion, {w['webhooks']:.0f} calls onto the loaded shop: server-side "
                  f"p50 {w['p50_server_ms']:.2f} ms, p95 {w['p95_server_ms']:.2f} ms; round trip "
                  f"through the PostgREST stand-in p50 {w['p50_round_trip_ms']:.2f} ms, "
                  f"p95 {w['p95_round_trip_ms']:.2f} ms", flush=True)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
