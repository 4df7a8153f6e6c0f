"""Benchmark Inventory Watch: the tile, level-update ingestion and the hourly job, at scale.

    python -m storepulse.bench.inventory [--shops 10] [--scale large|default|season]
                                         [--seed 7] [--runs 200] [--webhooks 2000]
                                         [--pipeline-all]

Puts N shops into one fully migrated database, each the simulated Hot Rod AN at the scale
under its own domain and owner (the same history N times). Shop 1 is loaded through the
pipeline: the catalog, locations and orders by backfill, the inventory history (every level
version) as backfill pages of inventory levels, the owner's suppliers, lead times and
purchase orders through the planning api. Shops 2..N are copies of shop 1's rows made in
SQL (bench.common.copy_shop: the same rows under their own shop_id), minutes instead of the
hours the pipeline takes at the large scale; --pipeline-all loads every shop through the
pipeline instead. Then, in one run, it prints its scale and:
1. level-update ingestion on shop 1: its last `--webhooks` inventory deliveries
   (held back from the pages) sent one by one through api.ingest_shopify_webhook once the
   figures are rolled (so each keeps its variant's state), p50 and p95 server-side and as a
   round trip through the PostgREST stand-in;
2. the hourly job's time, `select private.run_inventory_watch()` as pg_cron runs it: for
   every shop the check against a rebuild, the day roll and the reorder suggestions;
3. the tile's p50 and p95 on shop 1, warm, server-side (planning + execution), as a member
   and as service_role, from the kept state of the day (the usual call) and, for
   comparison, computed as it goes (another day's figures). The goal is a member's p95 at
   most 10 ms at the large scale with 10 shops.
Timings on a shared 2-core machine are noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import json
import time

from storepulse.bench import common
from storepulse.db import one
from storepulse.load.shopify import LEVEL_TOPICS, ingest_inventory_history, record_purchasing
from storepulse.synth import HotRodAN
from storepulse.testkit.harness import build_stack

INVENTORY_TOPICS = LEVEL_TOPICS | {"inventory_levels/disconnect", "inventory_items/create",
                                   "inventory_items/delete", "locations/update"}


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 - one run, step by step
    """Run the benchmark; print its scale and figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shops", type=int, default=10)
    ap.add_argument("--scale", default="large")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--webhooks", type=int, default=2000)
    ap.add_argument("--pipeline-all", action="store_true",
                    help="load every shop through the pipeline (hours at the large scale)")
    args = ap.parse_args(argv)
    store = HotRodAN(scale=args.scale, seed=args.seed)
    as_of = store.shop["as_of"].isoformat()
    print(f"storepulse.bench.inventory: {args.shops} shops, scale {store.scale.name} "
          f"({store.scale.days} days to {as_of}), seed {args.seed}", flush=True)
    pages = [p for p in common.pages_of(store) if p[0]["kind"] != "inventory_level"]
    inventory = list(store.deliveries(topics=INVENTORY_TOPICS))
    held = [d for d in inventory if d.topic in LEVEL_TOPICS][-args.webhooks:]
    held_ids = {id(d) for d in held}
    history = [d for d in inventory if id(d) not in held_ids]
    variants = sum(len(p["resource"].get("variants", [])) for page in pages for p in page
                   if p["kind"] == "product")
    orders = sum(p["kind"] == "order" for page in pages for p in page)
    print(f"  each shop: {orders:,} orders, {variants:,} variants, {len(inventory):,} "
          f"inventory deliveries ({len(held):,} of them timed on the last shop)", flush=True)
    stack = build_stack()
    shops: list[dict[str, str]] = []
    try:
        with stack.connect(autocommit=True) as conn:
            t0 = time.perf_counter()
            for i in range(args.shops):
                domain = f"hot-rod-an-{i + 1:02d}.myshopify.com"
                common.webhook_shop(conn, store, domain)
                shop_id, owner = one(conn.execute(
                    "select s.shop_id::text, m.user_id::text from app.shop as s "
                    "join app.shop_member as m using (shop_id) where s.shopify_domain = %s",
                    (domain,)))
                if shops and not args.pipeline_all:
                    rows = sum(common.copy_shop(conn, shops[0]["shop_id"], shop_id).values())
                    how = f"copied from shop 1 in SQL, {rows:,} rows"
                else:
                    common.backfill({"x": conn}, pages, domain, progress=False)
                    levels = ingest_inventory_history(conn, history, domain)["received"]
                    calls = record_purchasing(conn, store, shop_id, owner)
                    how = (f"through the pipeline, {levels:,} inventory versions, "
                           f"{calls['record_expected_receipt']:,} purchase orders")
                conn.execute("analyze")
                shops.append({"shop_id": shop_id, "owner": owner, "domain": domain})
                print(f"  shop {i + 1}/{args.shops}: {how}; "
                      f"{time.perf_counter() - t0:,.0f} s so far", flush=True)
            last = shops[0]  # loaded through the pipeline
            day = store.shop["as_of"].astimezone(store.shop["as_of"].tzinfo).date()
            for s in shops:  # the stored figures and state of the tile's own day
                conn.execute("select private.roll_inventory_stats(%s, %s)", (s["shop_id"], day))
            conn.execute("analyze")
            # each level update keeps the variant's state (and, in a lookback, its figures)
            hooks = common.webhooks({"after": conn}, held, last["domain"], len(held))["after"]
            print(f"\n1. level-update webhooks ({len(held):,} on shop 1): server-side "
                  f"p50 {hooks['p50_server_ms']:.2f} ms, p95 {hooks['p95_server_ms']:.2f} ms; "
                  f"round trip p50 {hooks['p50_round_trip_ms']:.2f} ms, "
                  f"p95 {hooks['p95_round_trip_ms']:.2f} ms", flush=True)
            t1 = time.perf_counter()
            job = one(conn.execute("select private.run_inventory_watch()"))[0]
            took = time.perf_counter() - t1
            filed = sum(v["filed"] for v in job.values())
            drift = sum(v["drift"] or 0 for v in job.values())
            print(f"2. hourly job, private.run_inventory_watch(): {took:.1f} s for "
                  f"{len(job)} shops ({took / max(1, len(job)):.2f} s a shop: check, day "
                  f"roll, {filed:,} suggestions filed); rows that differed from a rebuild: {drift}",
                  flush=True)
            for s in shops:  # the job rolled them to today: back to the tile's own day
                conn.execute("select private.roll_inventory_stats(%s, %s)", (s["shop_id"], day))
            conn.execute("analyze")
            stored = common.tiles(conn, last["shop_id"], last["owner"], as_of, args.runs,
                                  fn="inventory_watch")
            with conn.transaction():
                conn.execute("update app.inventory_stats_day set stats_day = stats_day - 1 "
                             "where shop_id = %s", (last["shop_id"],))
            computed = common.tiles(conn, last["shop_id"], last["owner"], as_of,
                                    max(20, args.runs // 10), fn="inventory_watch")
            print("3. Inventory Watch, server-side, warm (ms):")
            print(f"   kept state:       member p50 {stored['member_p50_ms']:.2f} "
                  f"p95 {stored['member_p95_ms']:.2f}; service_role p50 "
                  f"{stored['service_p50_ms']:.2f} p95 {stored['service_p95_ms']:.2f}; "
                  f"member/service p95 {stored['ratio_p95']:.2f} (goal: member p95 <= 10)")
            print(f"   computed figures: member p50 {computed['member_p50_ms']:.2f} "
                  f"p95 {computed['member_p95_ms']:.2f}")
            print(json.dumps({"hooks": hooks, "job_s": took, "stored": stored,
                              "computed": computed}))
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
