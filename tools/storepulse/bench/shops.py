"""Benchmark many shops in one database: tile cost per call, storage, payload retention.

    python -m storepulse.bench.shops [--shops 10] [--scale large|default|season] [--seed 7]
                                     [--runs 200] [--batch 5000] [--baseline none | <id>]

Loads N shops into one fully migrated database (each the simulated Hot Rod AN at the
scale, backfilled through api.ingest_shopify_backfill under its own domain and owner: the
same history N times, so every shop costs the same), then prints, in one run:
1. the Sales Pulse tile's p50 and p95 (warm, server-side: planning + execution) as an
   authenticated member and as service_role, their ratio (the per-call cost of row-level
   security; goal at most 1.1), and how many times one call runs the membership helper;
2. the database size and the raw-payload share (app.inbound_payload, every partition, of
   pg_database_size) before and after payload retention;
3. the retention job's time: `call private.run_payload_retention(batch, as_of)` with as_of
   past every shop's replay window, as pg_cron runs it (batches committed one by one), and
   what it recorded in private.payload_retention_run;
4. an estimate of the steady state: a live shop keeps only its last replay window of
   webhook bodies in full, so the share is the window's bodies (the simulator's deliveries
   of its last 90 days, and of 30 for a shop that shortens its window; their stored size
   measured on a sample) over the database after retention plus those bodies.
With --baseline <migration id>, the same shops are loaded into a database migrated up to
that migration too, and the tile figures are printed side by side ("before", "after").
Timings on a shared 2-core machine are noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from typing import Any

import psycopg

from storepulse.bench import common
from storepulse.db import one
from storepulse.synth import HotRodAN, Scale
from storepulse.testkit.harness import build_stack

RETENTION_MARGIN = dt.timedelta(days=35)  # past the window, and past the month's end
SAMPLE_BODIES = 400  # webhook bodies whose stored (lz4) size the estimate measures


def load_shops(conn: psycopg.Connection, store: HotRodAN, pages: list[list[dict[str, Any]]],
               n: int, label: str) -> list[dict[str, str]]:
    """Create and backfill n shops; return their ids, owners and domains."""
    shops = []
    t0 = time.perf_counter()
    for i in range(n):
        domain = f"hot-rod-an-{i + 1:02d}.myshopify.com"
        common.webhook_shop(conn, store, domain)
        shop_id, owner = one(conn.execute(
            "select s.shop_id::text, m.user_id::text from app.shop as s "
            "join app.shop_member as m using (shop_id) where s.shopify_domain = %s",
            (domain,)))
        b = common.backfill({label: conn}, pages, domain, progress=False)[label]
        conn.execute("analyze")
        shops.append({"shop_id": shop_id, "owner": owner, "domain": domain})
        print(f"[{label}] shop {i + 1}/{n} ({domain}): {b['orders']:,.0f} orders in "
              f"{b['seconds']:.0f} s ({b['orders_per_s']:,.0f} orders/s); "
              f"{time.perf_counter() - t0:,.0f} s so far", flush=True)
    return shops


def tile_report(conn: psycopg.Connection, shops: list[dict[str, str]], as_of: str,
                runs: int) -> dict[str, float]:
    """The tile's figures for the first and the last shop loaded, pooled."""
    pooled: dict[str, list[float]] = {}
    for shop in (shops[0], shops[-1]) if len(shops) > 1 else shops[:1]:
        t = common.tiles(conn, shop["shop_id"], shop["owner"], as_of, runs)
        for key, value in t.items():
            pooled.setdefault(key, []).append(value)
    out = {key: max(values) for key, values in pooled.items()}  # the worse of the two
    out["checks"] = float(common.membership_checks(conn, shops[0]["shop_id"],
                                                   shops[0]["owner"], as_of))
    return out


def print_tile(label: str, t: dict[str, float]) -> None:
    """One line of tile figures."""
    print(f"[{label}] sales_pulse, warm, server-side, {t['runs']:.0f} runs each (the worse of "
          f"the first and the last shop): as a member p50 {t['member_p50_ms']:.2f} ms, "
          f"p95 {t['member_p95_ms']:.2f} ms; as service_role p50 {t['service_p50_ms']:.2f} ms, "
          f"p95 {t['service_p95_ms']:.2f} ms; member / service_role {t['ratio_p50']:.2f}x "
          f"(p50), {t['ratio_p95']:.2f}x (p95), goal <= 1.10; "
          f"{t['checks']:.0f} membership helper call(s) per call", flush=True)


def print_sizes(when: str, s: dict[str, float]) -> None:
    """The database's size and the raw share."""
    print(f"[after] {when}: database {common.mib(s['database_bytes'])}, raw payloads "
          f"{common.mib(s['raw_bytes'])} = {s['raw_share']:.1%} of it (goal <= 25 %)",
          flush=True)


def retention(conn: psycopg.Connection, batch: int, as_of: dt.datetime) -> dict[str, Any]:
    """Run the retention job as pg_cron does, timed; what it recorded."""
    t0 = time.perf_counter()
    conn.execute("call private.run_payload_retention(%s, %s)", (batch, as_of))
    seconds = time.perf_counter() - t0
    row = one(conn.execute(
        "select to_jsonb(r) from private.payload_retention_run as r "
        "order by r.run_id desc limit 1"))[0]
    return {"seconds": seconds, "run": row}


def window_estimate(conn: psycopg.Connection, store: HotRodAN, windows: tuple[int, ...],
                    seed: int) -> dict[int, dict[str, float]]:
    """A live shop's webhook bodies of its last `days`, per window: how many, stored bytes.

    Runs the simulator's event stream once; the stored size per byte of JSON is measured
    on a sample, as jsonb in an lz4-compressed column like app.inbound_payload's.
    """
    since = {days: store.scale.as_of - dt.timedelta(days=days) for days in windows}
    counts = dict.fromkeys(windows, 0)
    sizes = dict.fromkeys(windows, 0)
    sample = list[str]()
    seen = 0
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    for d in store.events():
        inside = [days for days in windows if d.triggered_at >= since[days]]
        if not inside:
            continue
        for days in inside:
            counts[days] += 1
            sizes[days] += len(d.raw_body)
        seen += 1
        if len(sample) < SAMPLE_BODIES:
            sample.append(d.raw_body.decode())
        elif rng.random() < SAMPLE_BODIES / seen:
            sample[rng.randrange(SAMPLE_BODIES)] = d.raw_body.decode()
    with conn.transaction(force_rollback=True):
        conn.execute("create temp table body_sample (body jsonb compression lz4)")
        with conn.cursor().copy("copy body_sample (body) from stdin") as cp:
            for body in sample:
                cp.write_row((body,))
        stored, raw = one(conn.execute(
            "select sum(pg_column_size(body))::float8, sum(octet_length(body::text))::float8 "
            "from body_sample"))
    per_byte = stored / raw if raw else 0.0
    return {days: {"deliveries": float(counts[days]), "json_bytes": float(sizes[days]),
                   "stored_bytes": sizes[days] * per_byte} for days in windows}


def storage_report(conn: psycopg.Connection, store: HotRodAN, args: argparse.Namespace) -> None:
    """Sizes before and after retention, the job's time, and the steady-state estimate."""
    before = common.sizes(conn)
    print_sizes("before retention", before)
    when = dt.datetime.now(dt.UTC) + dt.timedelta(days=90) + RETENTION_MARGIN
    r = retention(conn, args.batch, when)
    after = common.sizes(conn)
    run = r["run"]
    print(f"[after] retention (batches of {args.batch}, as of {when:%Y-%m-%d}): "
          f"{r['seconds']:.2f} s; {run['events_compacted']:,} bodies compacted "
          f"({common.mib(run['bytes_dropped'])}), {len(run['partitions_dropped'])} month(s) "
          f"dropped ({common.mib(run['partition_bytes_dropped'])}), "
          f"{run['rows_kept_aside']:,} bodies kept aside", flush=True)
    print_sizes("after retention", after)
    freed = before["database_bytes"] - after["database_bytes"]
    print(f"[after] freed {common.mib(freed)} of the database "
          f"({freed / before['database_bytes']:.0%})", flush=True)
    if args.no_estimate:
        return
    for days, est in window_estimate(conn, store, (90, 30), args.seed).items():
        kept = est["stored_bytes"] * args.shops
        share = kept / (after["database_bytes"] + kept)
        print(f"[after] steady state (estimate): a live shop keeps its last {days} days of "
              f"webhooks in full, {est['deliveries']:,.0f} deliveries = "
              f"{common.mib(est['stored_bytes'])} stored; with {args.shops} shop(s) the raw "
              f"share is about {share:.1%}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Load the shops, time the tile, apply retention, print the figures."""
    parser = argparse.ArgumentParser(prog="python -m storepulse.bench.shops",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--shops", type=int, default=10)
    parser.add_argument("--scale", default="large", help="season | default | large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=200, help="timed tile calls per role")
    parser.add_argument("--batch", type=int, default=5000, help="retention batch size")
    parser.add_argument("--baseline", default="none",
                        help="also load a database migrated up to this migration, for the "
                             f"tile's before and after (e.g. {common.BASELINE})")
    parser.add_argument("--no-estimate", action="store_true",
                        help="skip the steady-state estimate (it runs the simulator again)")
    args = parser.parse_args(argv)
    if args.shops < 1:
        parser.error("--shops must be at least 1")
    scale = Scale.of(args.scale)
    store = HotRodAN(scale=scale, seed=args.seed, progress=True)
    print(f"scale: {args.shops} shop(s), each {scale.name}: {scale.days} days ending "
          f"{scale.as_of:%Y-%m-%d}, ${scale.annual_revenue:,.0f}/year at the end, "
          f"seed {args.seed}", flush=True)
    pages = common.pages_of(store)
    orders = sum(1 for p in pages for r in p if r["kind"] == "order")
    print(f"pages: {len(pages)} per shop, {orders:,} orders per shop, "
          f"{orders * args.shops:,} in all", flush=True)
    as_of = scale.as_of.isoformat()
    stack = build_stack()
    try:
        print(f"server: {stack.server.kind} PostgreSQL, ready in {stack.ready_seconds:.2f} s",
              flush=True)
        tiles: dict[str, dict[str, float]] = {}
        baseline = None if args.baseline == "none" else args.baseline
        for target in common.targets(stack, baseline):
            with psycopg.connect(target.url, autocommit=True) as conn:
                shops = load_shops(conn, store, pages, args.shops, target.label)
                tiles[target.label] = tile_report(conn, shops, as_of, args.runs)
                print_tile(target.label, tiles[target.label])
                if target.label == "after":
                    storage_report(conn, store, args)
        if "before" in tiles:
            b, a = tiles["before"], tiles["after"]
            print(f"tile before ({baseline}) and after:")
            for key in ("member_p50_ms", "member_p95_ms", "service_p95_ms", "ratio_p95",
                        "checks"):
                print(f"  {key:16}{b[key]:>10.2f}{a[key]:>10.2f}"
                      f"{a[key] / b[key] if b[key] else float('nan'):>10.2f}")
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
