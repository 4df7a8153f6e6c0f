"""Inventory Watch against the simulator's truth: every figure, through the shared pipeline.

A season of Hot Rod AN: the catalog, locations and orders by backfill, then every
inventory delivery in arrival order (duplicates, late and out-of-order ones included; the
level versions as backfill pages, through the same applier and change feed), then
the owner's suppliers, lead times and purchase orders through the planning api. The
figures are rolled to the as_of day first, so every delivery goes through the incremental
path. Every expectation comes from storepulse.synth's inventory truth (the simulated stock,
orders and purchase orders, never the payloads).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import psycopg
import pytest

from storepulse.load.shopify import (
    create_store_shop,
    ingest_backfill,
    ingest_inventory_history,
    record_purchasing,
)
from storepulse.synth import HotRodAN
from storepulse.synth.inventory_truth import InventoryFigures, VariantFigures
from storepulse.testkit import postgrest_standin
from storepulse.testkit.harness import Stack
from storepulse.testkit.postgrest_standin import rpc

STORE = HotRodAN(scale="season", seed=7)
TZ = ZoneInfo(STORE.shop["iana_timezone"])
AS_OF: dt.datetime = STORE.shop["as_of"]
TODAY = AS_OF.astimezone(TZ).date()
INVENTORY_TOPICS = {"inventory_levels/update", "inventory_levels/connect",
                    "inventory_levels/disconnect", "inventory_items/create",
                    "inventory_items/delete", "locations/update"}
SCHEMA = json.loads(resources.files("storepulse").joinpath(
    "schemas/inventory_watch.schema.json").read_text())
LIMIT = 25
Loaded = tuple[psycopg.Connection, uuid.UUID, uuid.UUID]


@pytest.fixture(scope="module")
def loaded(stack: Stack) -> Iterator[Loaded]:
    """A fresh database holding the season: backfill, inventory webhooks, purchasing."""
    with stack.fresh_database() as url, psycopg.connect(url, autocommit=True) as conn:
        shop_id, owner = create_store_shop(conn, STORE)
        conn.execute("select private.roll_inventory_stats(%s, %s)", (shop_id, TODAY))
        pages = [p for p in STORE.backfill_resources() if p[0]["kind"] != "inventory_level"]
        counts = ingest_backfill(conn, pages, STORE.shop["domain"])
        assert counts["dead_lettered"] == 0, counts
        # in arrival order: level versions as pages (the same applier and change feed,
        # set-based), disconnects, items and locations as webhooks
        counts = ingest_inventory_history(conn, STORE.deliveries(topics=INVENTORY_TOPICS),
                                          STORE.shop["domain"])
        assert counts["dead_lettered"] == 0, counts
        assert counts["received"] > 4000, counts
        record_purchasing(conn, STORE, shop_id, owner)
        yield conn, shop_id, owner


@pytest.fixture(scope="module")
def truth() -> InventoryFigures:
    """The simulator's figures as of the season's end."""
    return STORE.inventory_truth().figures(AS_OF)


def tile(conn: psycopg.Connection, shop_id: uuid.UUID, owner: uuid.UUID,
         as_of: dt.datetime = AS_OF) -> dict[str, Any]:
    """GET /rpc/inventory_watch as the owner, checked against the schema."""
    resp = rpc(conn, "inventory_watch", {"shop_id": str(shop_id), "as_of": as_of.isoformat()},
               method="GET", identity=postgrest_standin.user(owner))
    resp.raise_for_status()
    assert resp.headers.get("Cache-Control") == "max-age=300", resp.headers
    jsonschema.validate(resp.body, SCHEMA)
    return resp.body


def dec(value: object) -> Decimal | None:
    """A JSON number as a Decimal (None stays None)."""
    return None if value is None else Decimal(str(value))


def same_line(line: dict[str, Any], f: VariantFigures) -> None:
    """A tile line holds the truth's figures of its variant."""
    expected = {"available": f.available, "on_order": f.on_order,
                "inventory_position": f.position, "velocity": f.velocity, "sigma": f.sigma,
                "lookback_days": f.lookback_days, "in_stock_days": f.in_stock_days,
                "abc": f.abc, "lead_time_days": f.lead_time, "safety_stock": f.safety_stock,
                "reorder_point": f.reorder_point, "reorder_quantity": f.reorder_quantity,
                "supplier": f.supplier, "days_of_cover": f.days_of_cover,
                "stockout_date": f.stockout_date and f.stockout_date.isoformat(),
                "next_receipt": f.next_receipt and f.next_receipt.isoformat(),
                "urgent": f.urgent, "lost_revenue_per_day": f.lost_revenue_per_day,
                "price": f.price, "sku": f.sku}
    got = {k: (dec(line[k]) if isinstance(expected[k], Decimal) else line[k]) for k in expected}
    assert got == expected, (f.variant_id, got, expected)


def test_the_stored_figures_equal_a_rebuild(loaded: Loaded) -> None:
    """Every delivery went through the incremental path; a rebuild gives the same rows."""
    conn, shop_id, _ = loaded
    stored = conn.execute(
        "select variant_id, inventory_item_id, lookback_days, in_stock_days, velocity, sigma, "
        "net_units_30, units_ordered_30, units_ordered_dead, net_sales_90, first_day, "
        "close_before from app.inventory_variant_stats where shop_id = %s order by 1",
        (shop_id,)).fetchall()
    rebuilt = conn.execute("select * from private.inventory_variant_figures(%s, %s, null) "
                           "order by 1", (shop_id, TODAY)).fetchall()
    assert len(stored) > 400
    assert stored == rebuilt
    state = conn.execute("select * from app.inventory_variant_state where shop_id = %s "
                         "order by variant_id", (shop_id,)).fetchall()
    kept = conn.execute("select %s::uuid, r.*, r.velocity * r.price from "
                        "private.inventory_variant_rows(%s, 'infinity', null, %s) as r "
                        "order by r.variant_id", (shop_id, shop_id, TODAY)).fetchall()
    assert len(state) == len(stored)
    differ = [(a[1], [(i, x, y) for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y])
              for a, b in zip(state, kept, strict=True) if a != b]
    assert not differ, differ[:3]
    assert conn.execute("select private.inventory_stats_drift(%s)", (shop_id,)).fetchone()[0] == 0
    totals = conn.execute("select variants, stocked_out, below_reorder_point, stock_value "
                          "from app.inventory_state_totals where shop_id = %s",
                          (shop_id,)).fetchone()
    assert totals == conn.execute(
        "select count(*)::int, (count(*) filter (where available <= 0))::int, "
        "(count(*) filter (where needs_reorder))::int, "
        "sum(greatest(available, 0) * unit_cost)::numeric(16,2) "
        "from app.inventory_variant_state where shop_id = %s", (shop_id,)).fetchone()
    sales = conn.execute("select * from app.inventory_sales_daily where shop_id = %s "
                         "order by variant_id, day", (shop_id,)).fetchall()
    with conn.transaction(force_rollback=True):
        conn.execute("select private.rebuild_inventory_sales(%s)", (shop_id,))
        conn.execute("select private.rebuild_inventory_days(%s)", (shop_id,))
        assert conn.execute("select * from app.inventory_sales_daily where shop_id = %s "
                            "order by variant_id, day", (shop_id,)).fetchall() == sales


def test_every_variant_figure_equals_the_truth(loaded: Loaded, truth: InventoryFigures) -> None:
    """Each tracked variant's row, field by field, against the simulation."""
    conn, shop_id, _ = loaded
    rows = conn.execute("select * from private.inventory_variant_rows(%s, %s)",
                        (shop_id, AS_OF)).fetchall()
    cols = [c.name for c in conn.execute("select * from private.inventory_variant_rows(%s, %s) "
                                         "limit 0", (shop_id, AS_OF)).description]
    got = {r[0]: dict(zip(cols, r, strict=True)) for r in rows}
    assert sorted(got) == sorted(truth.variants)
    for vid, f in truth.variants.items():
        g = got[vid]
        expected = (f.available, f.on_order, f.position, f.lookback_days, f.in_stock_days,
                    f.velocity, f.sigma, f.net_units_30, f.units_ordered_30, f.net_sales_90,
                    f.abc, f.lead_time, f.supplier, f.safety_stock, f.reorder_point,
                    f.needs_reorder, f.reorder_quantity, f.days_of_cover, f.stockout_date,
                    f.next_receipt, f.urgent, f.lost_revenue_per_day, f.excess_units,
                    f.dead_stock, f.price, f.unit_cost)
        actual = (g["available"], g["on_order"], g["inventory_position"], g["lookback_days"],
                  g["in_stock_days"], g["velocity"], g["sigma"], g["net_units_30"],
                  g["units_ordered_30"], g["net_sales_90"], g["abc"], g["lead_time_days"],
                  g["supplier"], g["safety_stock"], g["reorder_point"], g["needs_reorder"],
                  g["reorder_quantity"], g["days_of_cover"], g["stockout_date"],
                  g["next_receipt"], g["urgent"], g["lost_revenue_per_day"], g["excess_units"],
                  g["dead_stock"], g["price"], g["unit_cost"])
        assert actual == expected, (vid, actual, expected)


def test_the_tile_shows_the_truth(loaded: Loaded, truth: InventoryFigures) -> None:
    """Lists, their order, the distribution, the values and the summary."""
    conn, shop_id, owner = loaded
    # the usual call reads the kept state: it is of every input up to as_of
    assert conn.execute("select stats_day, state_as_of <= %s from app.inventory_stats_day "
                        "where shop_id = %s", (AS_OF, shop_id)).fetchone() == (TODAY, True)
    body = tile(conn, shop_id, owner)
    fs = truth.variants
    assert body["local_date"] == TODAY.isoformat()
    s = body["summary"]
    assert (s["variants"], s["stocked_out"], s["below_reorder_point"], s["urgent"]) == (
        truth.variant_count, truth.out_of_stock, truth.needs_reorder, truth.urgent)
    assert dec(s["lost_revenue_per_day"]) == truth.lost_revenue_per_day
    assert dec(body["stock_value"]["value"]) == truth.stock_value
    assert dec(body["stock_value"]["cost_coverage"]) == truth.cost_coverage
    assert dec(body["stock_value"]["sell_through_30"]) == truth.sell_through_30
    out = sorted((f for f in fs.values() if f.available <= 0),
                 key=lambda f: (f.lost_revenue_per_day is None,
                                -(f.lost_revenue_per_day or 0), f.variant_id))[:LIMIT]
    assert [x["variant_id"] for x in body["stocked_out"]] == [f.variant_id for f in out]
    below = sorted((f for f in fs.values() if f.needs_reorder),
                   key=lambda f: (not f.urgent, f.stockout_date, -(f.velocity or 0) * f.price,
                                  f.variant_id))[:LIMIT]
    assert [x["variant_id"] for x in body["below_reorder_point"]] == [f.variant_id for f in below]
    for line in body["stocked_out"] + body["below_reorder_point"]:
        same_line(line, fs[line["variant_id"]])
    assert body["overstock"]["variants"] == truth.overstock
    assert dec(body["overstock"]["value"]) == truth.excess_value
    assert body["dead_stock"]["variants"] == truth.dead_stock
    assert dec(body["dead_stock"]["value"]) == truth.dead_stock_value
    assert tuple(x["variant_id"] for x in body["top_movers"]) == truth.top_movers
    suggested = {(line["variant_id"], line["quantity"]) for s in body["reorder_suggestions"]
                 for line in s["lines"]}
    assert suggested == {(f.variant_id, f.reorder_quantity) for f in fs.values()
                         if f.needs_reorder and f.reorder_quantity > 0}
    buckets = {b["bucket"]: b["variants"] for b in body["cover_distribution"]}
    assert sum(buckets.values()) == truth.variant_count
    assert buckets["stocked_out"] == truth.out_of_stock
    # the tile has something to show in every section
    assert truth.out_of_stock
    assert truth.needs_reorder
    assert truth.overstock
    assert truth.dead_stock


def test_the_tile_is_the_same_from_stored_and_computed_figures(loaded: Loaded) -> None:
    """Without the stored figures (another day's), the tile computes the same document."""
    conn, shop_id, owner = loaded
    stored = tile(conn, shop_id, owner)
    with conn.transaction(force_rollback=True):
        conn.execute("update app.inventory_stats_day set stats_day = stats_day - 1 "
                     "where shop_id = %s", (shop_id,))
        assert tile(conn, shop_id, owner) == stored


def test_an_earlier_as_of_reads_the_levels_and_receipts_of_then(
        loaded: Loaded) -> None:
    """A week before the end: the truth of that moment, computed as it goes."""
    conn, shop_id, owner = loaded
    earlier = AS_OF - dt.timedelta(days=7)
    figures = STORE.inventory_truth().figures(earlier)
    body = tile(conn, shop_id, owner, earlier)
    assert body["summary"]["variants"] == figures.variant_count
    assert body["summary"]["stocked_out"] == figures.out_of_stock
    assert body["summary"]["below_reorder_point"] == figures.needs_reorder
    assert dec(body["stock_value"]["value"]) == figures.stock_value


def test_strangers_are_refused(loaded: Loaded) -> None:
    """Members only: anyone else gets 403."""
    conn, shop_id, _ = loaded
    resp = rpc(conn, "inventory_watch", {"shop_id": str(shop_id)}, method="GET",
               identity=postgrest_standin.user(uuid.uuid4()))
    assert resp.status == 403, resp


def test_reorder_suggestions_are_filed_once_and_withdrawn_when_restocked(
        loaded: Loaded, truth: InventoryFigures) -> None:
    """One open reorder_sku per variant below its reorder point; a restock withdraws it."""
    conn, shop_id, _ = loaded
    due = {f.variant_id: f for f in truth.variants.values()
           if f.needs_reorder and f.reorder_quantity > 0}
    with conn.transaction(force_rollback=True):
        first = conn.execute("select private.file_reorder_suggestions(%s, %s)",
                             (shop_id, AS_OF)).fetchone()[0]
        assert first == {"filed": len(due), "withdrawn": 0}
        again = conn.execute("select private.file_reorder_suggestions(%s, %s)",
                             (shop_id, AS_OF)).fetchone()[0]
        assert again == {"filed": 0, "withdrawn": 0}
        rows = conn.execute("select subject_id, payload, evidence, suggested_role from "
                            "audit.suggestion where shop_id = %s and kind = 'reorder_sku'",
                            (shop_id,)).fetchall()
        assert sorted(int(r[0]) for r in rows) == sorted(due)
        for subject, payload, evidence, role in rows:
            f = due[int(subject)]
            assert payload["quantity"] == f.reorder_quantity
            assert payload["supplier"] == f.supplier
            assert payload["expected_stockout_date"] == f.stockout_date.isoformat()
            assert evidence == [{"tile": "inventory_watch", "id": f.variant_id}]
            assert role == "service_role"
        # the first of them is restocked well above its reorder point
        f = due[min(due)]
        item = conn.execute("select inventory_item_id from app.shopify_variant "
                            "where shop_id = %s and variant_id = %s",
                            (shop_id, f.variant_id)).fetchone()[0]
        later = AS_OF + dt.timedelta(minutes=5)
        conn.execute("insert into app.shopify_inventory_level_version (shop_id, "
                     "inventory_item_id, location_id, updated_at, available) "
                     "select shop_id, inventory_item_id, location_id, %s, 100000 "
                     "from app.shopify_inventory_level where shop_id = %s "
                     "and inventory_item_id = %s limit 1", (later, shop_id, item))
        conn.execute("update app.shopify_inventory_level set available = 100000, "
                     "updated_at = %s where shop_id = %s and inventory_item_id = %s",
                     (later, shop_id, item))
        third = conn.execute("select private.file_reorder_suggestions(%s, %s)",
                             (shop_id, later)).fetchone()[0]
        assert third == {"filed": 0, "withdrawn": 1}
        assert conn.execute(
            "select d.outcome, d.decided_role from audit.decision as d join audit.suggestion "
            "as s using (shop_id, suggestion_id) where s.shop_id = %s and s.subject_id = %s",
            (shop_id, str(f.variant_id))).fetchall() == [("expired", "system")]


def test_the_job_checks_rolls_and_repairs_drift(loaded: Loaded) -> None:
    """The stored figures equal a rebuild; drift is found, and the job's roll repairs it."""
    conn, shop_id, _ = loaded
    with conn.transaction(force_rollback=True):
        assert conn.execute("select private.inventory_stats_drift(%s)",
                            (shop_id,)).fetchone()[0] == 0
        conn.execute("update app.inventory_variant_stats set velocity = velocity + 1 "
                     "where shop_id = %s and variant_id in (select variant_id from "
                     "app.inventory_variant_stats where shop_id = %s order by 1 limit 2)",
                     (shop_id, shop_id))
        # two rows of figures, each way, and the two states built on them, each way
        assert conn.execute("select private.inventory_stats_drift(%s)",
                            (shop_id,)).fetchone()[0] == 8
        result = conn.execute("select private.run_inventory_watch()").fetchone()[0]
        assert result[str(shop_id)]["drift"] == 8
        today = conn.execute("select (now() at time zone 'America/Los_Angeles')::date"
                             ).fetchone()[0]
        assert conn.execute("select stats_day from app.inventory_stats_day where shop_id = %s",
                            (shop_id,)).fetchone()[0] == today
        assert conn.execute("select private.inventory_stats_drift(%s)",
                            (shop_id,)).fetchone()[0] == 0
