"""Benchmark Shopify ingestion and the Sales Pulse tile, before and after; prints its scale.

    python -m storepulse.bench.shopify [--scale large|default|season] [--seed 7]
                                       [--baseline 20261125_61_move-row-audit-to-stores | none]

Everything runs twice in one run, on one server: on a database migrated up to the
baseline ("before": by default the last migration before the shared inbound pipeline) and
on the fully migrated one ("after"), with the same pages and deliveries.
1. Backfill throughput in orders per second (api.ingest_shopify_backfill, pages of 250,
   made and serialized to JSON text before the clock runs; each page goes to both
   databases in turn, so drift falls on both alike). After: its ratio to binary
   COPY of the same normalised rows into the same tables of a database cloned from the
   migrated template (same indexes and foreign keys), goal 0.5, and the floor: order pages
   only received (as jsonb, as json, and as json with the order fields and lines
   extracted), the same rows written by INSERT from typed staging tables, and the highest
   ratio receiving plus writing leaves, t_copy / (t_receive + t_copy).
2. Sales Pulse latency, warm and server-side, p50 and p95, as an authenticated member and
   as service_role (their ratio: the cost of row-level security per call), after the
   whole scale is loaded, and how many times one call runs the membership helper.
3. Webhook latency: one api.ingest_shopify_webhook call each, the same deliveries to both
   databases in turn (server-side: the function's own run time; and round trip through
   the PostgREST stand-in).
Timings on a shared 2-core machine are noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from typing import Any

import psycopg

from storepulse.bench import common
from storepulse.db import one
from storepulse.load.shopify import PageBody, create_store_shop
from storepulse.synth import HotRodAN, Scale
from storepulse.testkit.harness import Stack, build_stack

NORMALISED = ("shopify_product", "shopify_variant", "shopify_inventory_item", "shopify_customer",
              "shopify_customer_pii", "shopify_order", "shopify_order_line",
              "shopify_order_discount_code", "shopify_refund", "shopify_refund_line",
              "shopify_order_adjustment", "shopify_transaction")
SAMPLE_PAGES = 40  # order pages sampled for bench_receive


def copy_floors(conn: psycopg.Connection, stack: Stack, domain: str,
                pages: list[list[dict[str, Any]]]) -> dict[str, float]:
    """The floors under the backfill: COPY, INSERT and receiving the pages alone.

    Binary COPY of the backfilled shop's normalised rows into a clone of the template,
    INSERT of them from typed staging tables into another, and receiving sample pages.
    """
    shop = one(conn.execute("select to_jsonb(s) from app.shop as s where shopify_domain = %s",
                            (domain,)))[0]
    dumps: dict[str, bytes] = {}
    for t in NORMALISED:
        buf = io.BytesIO()
        with conn.cursor().copy(f"copy app.{t} to stdout (format binary)") as cp:
            for chunk in cp:
                buf.write(chunk)
        dumps[t] = buf.getvalue()
    with stack.fresh_database() as copy_url, psycopg.connect(copy_url, autocommit=True) as twin, \
            stack.fresh_database() as insert_url, \
            psycopg.connect(insert_url, autocommit=True) as twin2:
        for target in (twin, twin2):
            target.execute("insert into app.shop "
                           "select * from jsonb_populate_record(null::app.shop, %s)",
                           (json.dumps(shop),))
        t1 = time.perf_counter()
        with twin.transaction():
            for t in NORMALISED:
                with twin.cursor().copy(f"copy app.{t} from stdin (format binary)") as cp:
                    cp.write(dumps[t])
        copy_s = time.perf_counter() - t1
        insert_s = bench_insert(twin2, dumps)
    orders = one(conn.execute("select count(*) from app.shopify_order as o join app.shop as s "
                              "using (shop_id) where s.shopify_domain = %s", (domain,)))[0]
    samples = [PageBody.of(domain, p) for p in pages if any(r["kind"] == "order" for r in p)]
    return {"copy_s": copy_s, "copy_orders_per_s": orders / copy_s,
            "insert_orders_per_s": orders / insert_s,
            **bench_receive(conn, samples[:SAMPLE_PAGES])}


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


# The check each revision's fast path runs on a whole page before applying it set-based:
# "after", the one-pass jsonpath compiled from every field rule (kinds, ranges, lengths,
# nested objects and arrays); "before", the Shopify-only pattern check it replaced (ids,
# timestamps, counts and amounts of a few fields).
PAGE_CHECKS = {
    "after": """select count(*) from pg_temp.bench_page as p,
        pg_catalog.jsonb_array_elements(p.body) as r (value), private.inbound_resource as res
        where res.source = 'shopify' and res.resource = r.value ->> 'kind'
            and pg_catalog.jsonb_path_exists(r.value -> 'resource', res.violation)""",
    "before": "select private.shopify_page_looks_valid(p.body) from pg_temp.bench_page as p",
}


def page_check_ms(conn: psycopg.Connection, label: str, pages: list[PageBody]) -> float:
    """Server-side ms per page of the revision's whole-page check (best of three each)."""
    total = 0.0
    with conn.transaction(force_rollback=True):
        conn.execute("create temp table bench_page (body jsonb) on commit drop")
        for page in pages:
            conn.execute("truncate bench_page")
            conn.execute("insert into bench_page select (%s::jsonb) -> 'resources'", (page.text,))
            best = float("inf")
            for _ in range(3):
                plan = one(conn.execute(f"explain (analyze, format json) {PAGE_CHECKS[label]}"))
                best = min(best, float(plan[0][0]["Execution Time"]))
            total += best
    return total / len(pages)


def check_report(results: dict[str, dict[str, Any]], conns: dict[str, psycopg.Connection],
                 samples: list[PageBody]) -> str:
    """What each revision's page check costs, and the backfill without it.

    The new check refuses what the old one let through (wrong types at any depth, words
    for timestamps, out-of-range numbers, over-long strings, repeated line ids), as the
    one-pipeline issue asks; the rest of the path is compared with the check taken out.
    """
    lines = [f"the fast path's whole-page check, server-side, {len(samples)} order pages:"]
    for label, conn in conns.items():
        ms = page_check_ms(conn, label, samples)
        b = results[label]["backfill"]
        pages = b["orders"] / common.PAGE_SIZE
        rest = b["orders"] / (b["seconds"] - pages * ms / 1000)
        results[label]["check_ms"], results[label]["unchecked_orders_per_s"] = ms, rest
        lines.append(f"  [{label}] {ms:.1f} ms per page; the backfill without it: "
                     f"{rest:.0f} orders/s")
    return "\n".join(lines)


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
    """Run the benchmarks at one scale, before and after, and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m storepulse.bench.shopify",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="large", help="season | default | large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--webhooks", type=int, default=2000)
    parser.add_argument("--baseline", default=common.BASELINE,
                        help="migration id 'before' stops at (default: the last before the "
                             "shared inbound pipeline); none: measure 'after' only")
    args = parser.parse_args(argv)
    baseline = None if args.baseline == "none" else args.baseline
    store = HotRodAN(scale=args.scale, seed=args.seed, progress=True)
    scale = Scale.of(args.scale)
    print(f"scale: {scale.name}: {scale.days} days ending {scale.as_of:%Y-%m-%d}, "
          f"${scale.annual_revenue:,.0f}/year at the end, seed {args.seed}", flush=True)
    pages = common.pages_of(store)
    stack = build_stack()
    results: dict[str, dict[str, Any]] = {}
    try:
        print(f"server: {stack.server.kind} PostgreSQL, ready in {stack.ready_seconds:.2f} s",
              flush=True)
        conns = {}
        for target in common.targets(stack, baseline):
            conn = psycopg.connect(target.url, autocommit=True)
            conns[target.label] = conn
            shop_id, owner = create_store_shop(conn, store)
            results[target.label] = {"revision": target.revision, "shop_id": str(shop_id),
                                     "owner": str(owner)}
        loaded = common.backfill(conns, pages, store.shop["domain"])
        for label, conn in conns.items():
            conn.execute("analyze")
            b = results[label]["backfill"] = loaded[label]
            print(f"[{label}: up to {results[label]['revision']}] backfill (pages interleaved "
                  f"with the other database's): {b['orders']:.0f} orders in "
                  f"{b['seconds']:.1f} s = {b['orders_per_s']:.0f} orders/s; "
                  f"dead-lettered {b['dead_lettered']:.0f}", flush=True)
        after = conns["after"]
        f = copy_floors(after, stack, store.shop["domain"], pages)
        b = results["after"]["backfill"]
        f["backfill_orders_per_s"] = b["orders_per_s"]
        print(f"[after] COPY of the same normalised rows: {f['copy_s']:.2f} s = "
              f"{f['copy_orders_per_s']:.0f} orders/s; backfill ratio "
              f"{b['orders_per_s'] / f['copy_orders_per_s']:.2f} (goal >= 0.5)", flush=True)
        print(receive_report(f), flush=True)
        order_pages = [PageBody.of(store.shop["domain"], p) for p in pages
                       if p and p[0]["kind"] == "order"][:SAMPLE_PAGES]
        if "before" in conns:
            print(check_report(results, conns, order_pages), flush=True)
        for label, conn in conns.items():
            r = results[label]
            t = common.tiles(conn, r["shop_id"], r["owner"], scale.as_of.isoformat())
            r["tile"] = t
            r["checks"] = common.membership_checks(conn, r["shop_id"], r["owner"],
                                                   scale.as_of.isoformat())
            print(f"[{label}] sales_pulse, warm, server-side, {t['runs']:.0f} runs each: as a "
                  f"member p50 {t['member_p50_ms']:.2f} ms, p95 {t['member_p95_ms']:.2f} ms; "
                  f"as service_role p50 {t['service_p50_ms']:.2f} ms, "
                  f"p95 {t['service_p95_ms']:.2f} ms; member / service_role "
                  f"{t['ratio_p50']:.2f}x (p50), {t['ratio_p95']:.2f}x (p95); "
                  f"{r['checks']} membership helper calls per call", flush=True)
        domain = common.webhook_shop(next(iter(conns.values())), store,
                                     "bench-webhooks.myshopify.com")
        for conn in list(conns.values())[1:]:
            common.webhook_shop(conn, store, domain)
        w = common.webhooks(conns, store.events(), domain, args.webhooks)
        for label, x in w.items():
            results[label]["webhooks"] = x
            print(f"[{label}] webhook ingestion, {x['webhooks']:.0f} calls onto the loaded "
                  f"database: server-side p50 {x['p50_server_ms']:.2f} ms, "
                  f"p95 {x['p95_server_ms']:.2f} ms; round trip through the PostgREST stand-in "
                  f"p50 {x['p50_round_trip_ms']:.2f} ms, p95 {x['p95_round_trip_ms']:.2f} ms",
                  flush=True)
        if "before" in results:
            print(compare(results), flush=True)
        for conn in conns.values():
            conn.close()
    finally:
        stack.stop()
    return 0


def compare(results: dict[str, dict[str, Any]]) -> str:
    """Before and after side by side, with after / before."""
    rows = [("backfill, orders/s", ("backfill", "orders_per_s"), "{:.0f}"),
            ("whole-page check, ms per page", ("check_ms",), "{:.1f}"),
            ("backfill without it, orders/s", ("unchecked_orders_per_s",), "{:.0f}"),
            ("webhook server-side p50, ms", ("webhooks", "p50_server_ms"), "{:.2f}"),
            ("webhook server-side p95, ms", ("webhooks", "p95_server_ms"), "{:.2f}"),
            ("webhook round trip p50, ms", ("webhooks", "p50_round_trip_ms"), "{:.2f}"),
            ("webhook round trip p95, ms", ("webhooks", "p95_round_trip_ms"), "{:.2f}"),
            ("tile as member p50, ms", ("tile", "member_p50_ms"), "{:.2f}"),
            ("tile as member p95, ms", ("tile", "member_p95_ms"), "{:.2f}"),
            ("tile member / service_role p95", ("tile", "ratio_p95"), "{:.2f}"),
            ("membership helper calls per tile", ("checks",), "{:.0f}")]
    before, after = results["before"], results["after"]
    rows = [r for r in rows if _has(before, r[1]) and _has(after, r[1])]
    lines = [f"before ({before['revision']}) and after ({after['revision']}):",
             f"  {'':34}{'before':>10}{'after':>10}{'after/before':>14}"]
    for name, path, fmt in rows:
        b, a = _figure(before, path), _figure(after, path)
        lines.append(f"  {name:34}{fmt.format(b):>10}{fmt.format(a):>10}"
                     f"{(a / b if b else float('nan')):>14.2f}")
    return "\n".join(lines)


def _has(result: dict[str, Any], path: tuple[str, ...]) -> bool:
    value: Any = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return False
        value = value[key]
    return True


def _figure(result: dict[str, Any], path: tuple[str, ...]) -> float:
    value: Any = result
    for key in path:
        value = value[key]
    return float(value)


if __name__ == "__main__":
    sys.exit(main())
