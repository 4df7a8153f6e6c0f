"""Shopify's inventory through the shared pipeline: levels, their history and snapshots.

Every delivery goes through the PostgREST stand-in as service_role, as the Edge Function
sends it. The order the versions of a level arrive in never changes what is kept.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.harness import Stack
from storepulse.testkit.postgrest_standin import Response, rpc
from tests import shopify_samples as ss

LA = ZoneInfo("America/Los_Angeles")
ITEM, ITEM_2 = 47_209_000_003_137, 47_209_000_006_274
WAREHOUSE, THREE_PL = 71_350_460_513, 71_350_460_977
STATE_TABLES = {
    "shopify_inventory_level": "inventory_item_id, location_id, available, updated_at",
    "shopify_inventory_level_version":
        "inventory_item_id, location_id, updated_at, available, is_disconnect",
    "inventory_level_day": "inventory_item_id, location_id, day, close, low",
    "inventory_item_day": "inventory_item_id, day, close, low",
}


def new_shop(db: psycopg.Connection, tz: str = "America/Los_Angeles") -> tuple[uuid.UUID, str]:
    """A fresh shop in the time zone, and its domain."""
    owner = seed.create_user(db)
    domain = f"inv-{uuid.uuid4().hex[:10]}.myshopify.com"
    return seed.create_shop(db, owner, domain, iana_timezone=tz), domain


def hook(db: psycopg.Connection, domain: str, topic: str, payload: dict[str, Any],
         event_id: str | None = None, triggered_at: str = "2026-11-20T18:15:00Z") -> Response:
    """POST /rpc/ingest_shopify_webhook as service_role."""
    event_id = event_id or str(uuid.uuid4())
    return rpc(db, "ingest_shopify_webhook",
               {"topic": topic, "shop_domain": domain, "webhook_id": event_id,
                "event_id": event_id, "triggered_at": triggered_at, "api_version": "2025-10",
                "payload": payload}, identity=postgrest_standin.service_role())


def level(item: int, location: int, available: int | None, at: dt.datetime) -> dict[str, Any]:
    """An inventory_levels/update body, as Shopify sends it."""
    return {"inventory_item_id": item, "location_id": location, "available": available,
            "updated_at": at.isoformat(),
            "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location}?inventory_item_id={item}"}


def state(db: psycopg.Connection, shop: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    """The levels, their versions and the snapshots of a shop (no surrogate keys)."""
    return {t: db.execute(f"select {cols} from app.{t} where shop_id = %s order by 1, 2, 3, 4",  # noqa: S608
                          (shop,)).fetchall() for t, cols in STATE_TABLES.items()}


def local(day: str, hhmm: str) -> dt.datetime:
    """A Los Angeles wall-clock time."""
    return dt.datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=LA)


def history() -> list[dict[str, Any]]:
    """Two items at two locations over a week around the spring DST change."""
    rng, out = random.Random(3), []
    start = local("2026-03-05", "08:00")
    values = {(ITEM, WAREHOUSE): 6, (ITEM, THREE_PL): 2, (ITEM_2, WAREHOUSE): 1}
    for n in range(40):
        at = start + dt.timedelta(hours=4 * n + rng.randint(0, 3), minutes=rng.randint(0, 59))
        key = rng.choice(sorted(values))
        values[key] = max(0, values[key] + rng.choice((-2, -1, -1, 3, 5)))
        out.append(level(*key, values[key], at))
    return out


def test_stale_and_repeated_versions_never_overwrite_a_newer_level(db: psycopg.Connection) -> None:
    """The newest updated_at is the level; every version is kept once, whatever arrives when."""
    shop, domain = new_shop(db)
    t = local("2026-11-20", "09:00")
    newer = level(ITEM, WAREHOUSE, 4, t + dt.timedelta(hours=1))
    older = level(ITEM, WAREHOUSE, 9, t)
    assert hook(db, domain, "inventory_levels/update", newer).body["outcome"] == "applied"
    assert hook(db, domain, "inventory_levels/update", older).body["outcome"] == "applied"
    again = hook(db, domain, "inventory_levels/update", older | {"available": 7})
    assert again.body["outcome"] == "stale", again  # a second version at the same moment
    rows = state(db, shop)
    assert [r[2:4] for r in rows["shopify_inventory_level"]] == [(4, t + dt.timedelta(hours=1))]
    assert [r[3] for r in rows["shopify_inventory_level_version"]] == [9, 4]
    # the day started unobserved, held 9 then 4: low 4, close 4
    assert rows["inventory_item_day"] == [(ITEM, dt.date(2026, 11, 20), 4, 4)]


def test_available_may_be_null_and_a_disconnect_leaves_nothing(db: psycopg.Connection) -> None:
    """A null available counts as 0; a disconnect has no updated_at: triggered_at counts."""
    shop, domain = new_shop(db)
    t = local("2026-11-19", "09:00")
    hook(db, domain, "inventory_levels/connect", level(ITEM, WAREHOUSE, 5, t))
    hook(db, domain, "inventory_levels/update", level(ITEM, THREE_PL, None, t))
    resp = hook(db, domain, "inventory_levels/disconnect",
                {"inventory_item_id": ITEM, "location_id": WAREHOUSE},
                triggered_at="2026-11-20T18:15:00Z")
    assert resp.ok, resp
    assert resp.body["outcome"] == "applied", resp
    rows = state(db, shop)
    assert rows["shopify_inventory_level"] == [
        (ITEM, WAREHOUSE, None, dt.datetime(2026, 11, 20, 18, 15, tzinfo=dt.UTC)),
        (ITEM, THREE_PL, None, t)]
    assert rows["inventory_item_day"] == [(ITEM, dt.date(2026, 11, 19), 5, 5),
                                          (ITEM, dt.date(2026, 11, 20), 0, 0)]
    assert [r[-1] for r in rows["shopify_inventory_level_version"]] == [False, True, False]


def test_a_stock_out_across_the_dst_change_falls_on_the_shops_days(db: psycopg.Connection) -> None:
    """Days are local: 23:30 on the night clocks spring forward is still that day."""
    shop, domain = new_shop(db)
    for at, available in ((local("2026-03-06", "20:00"), 5), (local("2026-03-06", "21:00"), 0),
                          (local("2026-03-08", "23:30"), 0), (local("2026-03-09", "10:00"), 12)):
        hook(db, domain, "inventory_levels/update", level(ITEM, WAREHOUSE, available, at))
    days = state(db, shop)["inventory_item_day"]
    assert days == [(ITEM, dt.date(2026, 3, 6), 0, 0), (ITEM, dt.date(2026, 3, 8), 0, 0),
                    (ITEM, dt.date(2026, 3, 9), 12, 0)]


def test_locations_and_levels_come_in_by_backfill(db: psycopg.Connection) -> None:
    """The kinds location and inventory_level, set-based; a page twice changes nothing."""
    shop, domain = new_shop(db)
    page = [{"kind": "location", "resource": {"id": WAREHOUSE, "name": "Warehouse", "city": "Reno",
                                              "province_code": "NV", "country_code": "US",
                                              "active": True, "legacy": False,
                                              "updated_at": "2026-01-01T09:00:00-08:00"}},
            {"kind": "inventory_level",
             "resource": level(ITEM, WAREHOUSE, 14, local("2026-11-20", "07:00"))}]
    for outcome in ("applied", "stale"):
        resp = rpc(db, "ingest_shopify_backfill", {"shop_domain": domain, "resources": page},
                   identity=postgrest_standin.service_role())
        assert resp.ok, resp
        assert resp.body["dead_lettered"] == 0, resp
        assert resp.body["stale"] == (2 if outcome == "stale" else 0), resp
    assert db.execute("select name, city, is_active from app.shopify_location where shop_id = %s",
                      (shop,)).fetchall() == [("Warehouse", "Reno", True)]
    assert state(db, shop)["shopify_inventory_level"] == [
        (ITEM, WAREHOUSE, 14, local("2026-11-20", "07:00"))]


def test_a_deleted_inventory_item_and_location_keep_their_rows(db: psycopg.Connection) -> None:
    """Deletions mark; the history stays."""
    shop, domain = new_shop(db)
    hook(db, domain, "inventory_items/create", ss.inventory_item(ITEM))
    hook(db, domain, "inventory_levels/connect",
         level(ITEM, WAREHOUSE, 5, local("2026-11-19", "09:00")))
    hook(db, domain, "inventory_items/delete", {"id": ITEM})
    hook(db, domain, "locations/delete", {"id": WAREHOUSE})
    assert db.execute("select deleted_at is not null, unit_cost from app.shopify_inventory_item "
                      "where shop_id = %s", (shop,)).fetchall() == [(True, Decimal("11.20"))]
    assert db.execute("select deleted_at is not null from app.shopify_location where shop_id = %s",
                      (shop,)).fetchall() == [(True,)]
    assert len(state(db, shop)["shopify_inventory_level_version"]) == 1


@pytest.fixture(scope="module")
def in_order(stack: Stack) -> dict[str, list[tuple[Any, ...]]]:
    """The state the history leaves when delivered once each, in order (rolled back)."""
    with stack.connect() as conn:
        try:
            shop, domain = new_shop(conn)
            for payload in history():
                hook(conn, domain, "inventory_levels/update", payload)
            return state(conn, shop)
        finally:
            conn.rollback()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed_=st.integers(0, 10**6), dup=st.floats(0, 0.5), backfill=st.booleans())
def test_any_interleaving_duplication_and_delay_ends_in_the_in_order_state(
        db: psycopg.Connection, in_order: dict[str, list[tuple[Any, ...]]], seed_: int,
        dup: float, backfill: bool) -> None:  # noqa: FBT001 - hypothesis passes it by name
    """Shuffled, some twice, some late by a day: the levels, history and snapshots agree."""
    rng = random.Random(seed_)
    deliveries = [(p, str(uuid.uuid4())) for p in history()]
    deliveries += [d for d in deliveries if rng.random() < dup]  # retries keep the event id
    rng.shuffle(deliveries)
    with db.transaction(force_rollback=True):
        shop, domain = new_shop(db)
        if backfill:  # the Admin API's current levels first, as a fresh install would
            newest = {}
            for p, _ in deliveries:
                key = (p["inventory_item_id"], p["location_id"])
                if key not in newest or p["updated_at"] > newest[key]["updated_at"]:
                    newest[key] = p
            rpc(db, "ingest_shopify_backfill", {"shop_domain": domain, "resources": [
                {"kind": "inventory_level", "resource": p} for p in newest.values()]},
                identity=postgrest_standin.service_role())
        for payload, event_id in deliveries:
            assert hook(db, domain, "inventory_levels/update", payload, event_id).ok
        assert state(db, shop) == in_order
        rebuilt = db.execute("select private.rebuild_inventory_days(%s)", (shop,)).fetchone()[0]
        assert rebuilt == len(in_order["inventory_item_day"])
        assert state(db, shop) == in_order


LEVEL_PATHS = [["inventory_item_id"], ["location_id"], ["available"], ["updated_at"]]
JUNK = st.one_of(st.just(...), st.none(), st.text(max_size=8), st.integers(-10**12, 10**12),
                 st.booleans(), st.just([]), st.just({}),
                 st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(LEVEL_PATHS), value=JUNK)
@example(path=["inventory_item_id"], value="\x00")
def test_fuzzed_level_payloads_apply_whole_or_not_at_all(db: psycopg.Connection, path: list[Any],
                                                         value: object) -> None:
    """Any field broken: applied whole (version, level, snapshot) or 400 naming it, nothing else."""
    with db.transaction(force_rollback=True):
        shop, domain = new_shop(db)
        payload = ss.mutate(level(ITEM, WAREHOUSE, 5, local("2026-11-20", "09:00")), path, value)
        resp = hook(db, domain, "inventory_levels/update", payload)
        rows = state(db, shop)
        landed = db.execute("select count(*) from app.inbound_event where shop_id = %s",
                            (shop,)).fetchone()[0]
        if resp.status == 400 and "outcome" not in resp.body:
            # a \u0000 is not even a jsonb argument: refused before the call, nothing lands
            # (the raw-body path keeps such a delivery as text: test_inbound_pipeline)
            assert resp.body["code"] == "22P05", resp
            assert (all(not r for r in rows.values()), landed) == (True, 0), rows
            return
        if resp.status == 400:
            assert resp.body["outcome"] == "dead_lettered", resp
            assert resp.body["field"] == "$." + path[0], resp
            assert all(not r for r in rows.values()), rows
        else:
            assert resp.ok, resp
            assert resp.body["outcome"] == "applied", resp
            assert [len(r) for r in rows.values()] == [1, 1, 1, 1], rows
        assert landed == 1


def test_a_stock_out_across_the_dst_change_counts_the_right_days(db: psycopg.Connection) -> None:
    """Out from the evening of Mar 6 to the morning of Mar 9 (clocks spring forward Mar 8).

    Six local days observed (Mar 6 to 11): four touched zero, two were in stock, whatever
    length the DST day had; the day before the figures' day closed at 12.
    """
    shop, domain = new_shop(db)
    rpc(db, "ingest_shopify_backfill", {"shop_domain": domain, "resources": [
        {"kind": "product", "resource": ss.product()},
        {"kind": "inventory_item", "resource": ss.inventory_item(ss.VARIANT_ID * 10)}]},
        identity=postgrest_standin.service_role()).raise_for_status()
    item = ss.VARIANT_ID * 10
    for at, available in ((local("2026-03-06", "20:00"), 5), (local("2026-03-06", "21:00"), 0),
                          (local("2026-03-08", "23:30"), 0), (local("2026-03-09", "10:00"), 12)):
        hook(db, domain, "inventory_levels/update", level(item, WAREHOUSE, available, at))
    row = db.execute("select lookback_days, in_stock_days, velocity, close_before, first_day "
                     "from private.inventory_variant_figures(%s, '2026-03-12', %s)",
                     (shop, [ss.VARIANT_ID])).fetchall()
    assert row == [(90, 2, Decimal("0.0000"), 12, dt.date(2026, 3, 6))]
