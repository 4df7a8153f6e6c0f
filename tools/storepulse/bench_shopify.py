"""Benchmark Shopify ingestion and the Sales Pulse tile; prints figures with their scale.

    python -m storepulse.bench_shopify [--scale large|default|season] [--seed 7]

1. Webhook latency: one api.ingest_shopify_webhook call each, over a stream of the
   store's deliveries (server-side: the function's own run time; and round trip
   through the PostgREST stand-in).
2. Backfill throughput in orders per second (api.ingest_shopify_backfill, pages of 250),
   and its ratio to binary COPY of the same normalised rows into the same tables of a
   database cloned from the migrated template (same indexes and foreign keys). Goal: 0.5.
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
from typing import Any

import psycopg

from storepulse import postgrest, seed
from storepulse.harness import build_stack
from storepulse.shopify_load import create_store_shop, ingest_backfill, webhook_args
from storepulse.synth import HotRodAN, Scale

NORMALISED = ("shopify_product", "shopify_variant", "shopify_inventory_item", "shopify_customer",
              "shopify_customer_pii", "shopify_order", "shopify_order_line",
              "shopify_order_discount_code", "shopify_refund", "shopify_refund_line",
              "shopify_order_adjustment", "shopify_transaction")


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
    postgrest.rpc(conn, "set_shopify_webhook_secret",
                  {"shop_id": str(shop_id), "secret": store.shop["secret"]},
                  identity=postgrest.service_role()).raise_for_status()
    server_ms, round_ms = [], []
    ident = postgrest.service_role()
    for i, d in enumerate(store.events()):
        if i >= n:
            break
        a = webhook_args(d) | {"shop_domain": domain}
        if i % 2 == 0:
            t0 = time.perf_counter()
            postgrest.rpc(conn, "ingest_shopify_webhook", a, identity=ident).raise_for_status()
            round_ms.append((time.perf_counter() - t0) * 1000)
            continue
        row = conn.execute(
            "select extract(epoch from clock_timestamp() - s.t0) * 1000 from "
            "(select clock_timestamp() as t0) as s, lateral (select api.ingest_shopify_webhook("
            "topic => %s, shop_domain => %s, webhook_id => %s, event_id => %s, "
            "triggered_at => %s::timestamptz, api_version => %s, raw_body => %s, hmac => %s)) as c",
            (a["topic"], a["shop_domain"], a["webhook_id"], a["event_id"], a["triggered_at"],
             a["api_version"], a["raw_body"], a["hmac"])).fetchone()
        server_ms.append(float(row[0]))
    return {"p50_round_trip_ms": _pct(round_ms, 0.5), "p95_round_trip_ms": _pct(round_ms, 0.95),
            "p50_server_ms": _pct(server_ms, 0.5), "p95_server_ms": _pct(server_ms, 0.95),
            "webhooks": float(n)}


def bench_backfill(conn: psycopg.Connection, store: HotRodAN,
                   copy_target: psycopg.Connection) -> dict[str, float]:
    """Backfill the whole scale; then COPY the same normalised rows into a fresh database.

    `copy_target` is a database cloned from the migrated template (same tables, indexes and
    foreign keys), holding only the shop's row: binary COPY there is the baseline.
    """
    generating = 0.0

    def pages() -> Iterator[list[dict[str, Any]]]:
        """The store's backfill pages, timing their generation to leave it out."""
        nonlocal generating
        source = iter(store.backfill_resources(250))
        while True:
            t = time.perf_counter()
            page = next(source, None)
            generating += time.perf_counter() - t
            if page is None:
                return
            yield page

    t0 = time.perf_counter()
    counts = ingest_backfill(conn, pages(), store.shop["domain"], progress=True)
    backfill_s = time.perf_counter() - t0 - generating
    orders = counts["orders"]
    shop = conn.execute("select to_jsonb(s) from app.shop as s where shopify_domain = %s",
                        (store.shop["domain"],)).fetchone()[0]
    copy_target.execute("insert into app.shop select * from jsonb_populate_record(null::app.shop, %s)",
                        (json.dumps(shop),))
    dumps: dict[str, bytes] = {}
    for t in NORMALISED:
        buf = io.BytesIO()
        with conn.cursor().copy(f"copy app.{t} to stdout (format binary)") as cp:  # noqa: S608
            for chunk in cp:
                buf.write(chunk)
        dumps[t] = buf.getvalue()
    t1 = time.perf_counter()
    with copy_target.transaction():
        for t in NORMALISED:
            with copy_target.cursor().copy(f"copy app.{t} from stdin (format binary)") as cp:  # noqa: S608
                cp.write(dumps[t])
    copy_s = time.perf_counter() - t1
    return {"orders": float(orders), "backfill_s": backfill_s, "copy_s": copy_s,
            "backfill_orders_per_s": orders / backfill_s, "copy_orders_per_s": orders / copy_s,
            "ratio": (orders / backfill_s) / (orders / copy_s),
            "dead_lettered": float(counts["dead_lettered"]), "generating_s": generating}


def bench_tile(conn: psycopg.Connection, shop_id: str, owner: str, as_of: str,
               runs: int = 200) -> dict[str, float]:
    """Server-side Sales Pulse latency as an authenticated member, after warm-up."""
    claims = json.dumps(postgrest.user(owner).claims)
    times = []
    with conn.transaction(force_rollback=True):
        conn.execute("select set_config('request.jwt.claims', %s, true), "
                     "set_config('role', 'authenticated', true)", (claims,))
        for i in range(runs + 20):
            plan = conn.execute(
                "explain (analyze, format json) select api.sales_pulse(shop_id => %s, as_of => %s)",
                (shop_id, as_of)).fetchone()[0][0]
            if i >= 20:  # the server's own planning + execution time of the call
                times.append(float(plan["Planning Time"]) + float(plan["Execution Time"]))
    return {"p50_ms": _pct(times, 0.5), "p95_ms": _pct(times, 0.95),
            "mean_ms": statistics.fmean(times), "runs": float(runs)}


def main(argv: list[str] | None = None) -> int:
    """Run the three benchmarks at one scale and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m storepulse.bench_shopify",
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
                psycopg.connect(twin_url, autocommit=True) as twin:
            shop_id, owner = create_store_shop(conn, store)
            b = bench_backfill(conn, store, twin)
            print(f"backfill (page generation, {b['generating_s']:.1f} s, left out): "
                  f"{b['orders']:.0f} orders in {b['backfill_s']:.1f} s = "
                  f"{b['backfill_orders_per_s']:.0f} orders/s; COPY of the same normalised rows "
                  f"{b['copy_s']:.2f} s = {b['copy_orders_per_s']:.0f} orders/s; "
                  f"ratio {b['ratio']:.2f} (goal >= 0.5); dead-lettered {b['dead_lettered']:.0f}",
                  flush=True)
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
