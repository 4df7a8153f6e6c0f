"""The simulated store's stock (storepulse.synth.stock) and its Inventory Watch truth.

Pure Python, no database. The season store (seed 7) is shared by the module: the truth
comes from the simulation's ledger, and the payloads replayed must say exactly the same.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import json
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storepulse.synth import HotRodAN, Scale
from storepulse.synth import catalog as cat
from storepulse.synth import model as m
from storepulse.synth import timeline as tl
from storepulse.synth.inventory_truth import InventoryTruth
from storepulse.synth.simulate import Simulation
from storepulse.synth.stock import TPL_ID, WAREHOUSE_ID, PurchaseOrder, Supplier

TZ = ZoneInfo("America/Los_Angeles")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[78]:00$")
SAMPLES = Path(__file__).parent / "fixtures" / "shopify_webhooks"
LEVEL_TOPICS = {"inventory_levels/update", "inventory_levels/connect",
                "inventory_levels/disconnect"}
STOCK_TOPICS = LEVEL_TOPICS | {"inventory_items/create", "inventory_items/delete",
                               "locations/update"}


def sample_keys(topic: str) -> list[str]:
    """The keys of Shopify's documented sample body of a topic, in order."""
    body: dict[str, Any] = json.loads((SAMPLES / f"{topic.replace('/', '__')}.json").read_text())
    return list(body)


def stamp(value: str) -> int:
    """Epoch seconds of an ISO 8601 timestamp."""
    return int(dt.datetime.fromisoformat(value).timestamp())


@pytest.fixture(scope="module")
def store() -> HotRodAN:
    """The season store, seed 7 (stock-outs suppress orders)."""
    return HotRodAN("season", seed=7)


@pytest.fixture(scope="module")
def truth(store: HotRodAN) -> InventoryTruth:
    """Its inventory truth."""
    return store.inventory_truth()


def _checkouts(suppression: float) -> tuple[Simulation, collections.Counter[int], int]:
    """One season pass: the units of each variant on orders/create, and the orders.

    A new customer comes with a checkout: the event right after customers/create is its
    orders/create (so a lost checkout, which creates no customer, leaves no trace).
    """
    sim = Simulation(Scale.of("season"), 7, stockout_suppression=suppression)
    units: collections.Counter[int] = collections.Counter()
    orders = 0
    created: m.SimEvent | None = None
    for e in sim.run():
        if created is not None:
            assert e.topic == "orders/create"
            assert (e.ts, e.obj.customer) == (created.ts, created.obj)
            created = None
        if e.topic == "customers/create":
            created = e
        if e.topic == "orders/create":
            orders += 1
            for li in e.obj.lines:
                if not li.gift_card:
                    units[li.variant_id] += li.quantity
    return sim, units, orders


def test_stockouts_suppress_orders_and_lose_exactly_the_missing_units() -> None:
    """At 1.0 a stocked-out line is lost, at 0.0 never; the lost units are exactly the gap."""
    full, units_full, orders_full = _checkouts(1.0)
    none, units_none, orders_none = _checkouts(0.0)
    assert none.stock.lost == []
    assert orders_full < orders_none
    assert orders_none - orders_full == full.n_lost > 0
    lost = collections.Counter[int]()
    for x in full.stock.lost:
        assert x.units > 0
        assert x.day == dt.datetime.fromtimestamp(x.ts, TZ).date()
        if x.kind == "checkout":
            lost[x.variant_id] += x.units
    assert units_none - units_full == lost  # the same checkouts, less what was out
    assert not units_full - units_none
    assert full.counters["order"] == orders_full  # a lost checkout takes no id


def test_levels_never_go_negative_unless_backorders_are_allowed(truth: InventoryTruth) -> None:
    """At suppression 1.0 no level ever goes below zero; at 0.0 backorders make some."""
    values = [v for _, vs in truth.levels.values() for v in vs if v is not None]
    assert min(values) >= 0
    loose = HotRodAN("season", seed=7, stockout_suppression=0.0).inventory_truth()
    negative = {key for key, (_, vs) in loose.levels.items() if any((v or 0) < 0 for v in vs)}
    assert len(negative) >= 5
    assert loose.lost_demand() == []


def test_payloads_replayed_are_the_truth(store: HotRodAN, truth: InventoryTruth) -> None:
    """The inventory webhooks, replayed in order, give the truth's levels to the second."""
    variant_of = {v.inventory_item_id: v.id for p in cat.build_catalog() for v in p.variants}
    versions: dict[tuple[int, int], tuple[list[int], list[int | None]]] = {}
    shapes = {t: sample_keys(t) for t in STOCK_TOPICS}
    seen: collections.Counter[str] = collections.Counter()
    for d in store.events(topics=STOCK_TOPICS):
        body = d.payload
        seen[d.topic] += 1
        assert list(body) == shapes[d.topic], d.topic
        if d.topic not in LEVEL_TOPICS:
            continue
        key = (variant_of[body["inventory_item_id"]], body["location_id"])
        if d.topic == "inventory_levels/disconnect":
            at, available = int(d.triggered_at.timestamp()), None
        else:
            assert STAMP.match(body["updated_at"]), body
            assert body["admin_graphql_api_id"] == (
                f"gid://shopify/InventoryLevel/{body['location_id']}"
                f"?inventory_item_id={body['inventory_item_id']}")
            at, available = stamp(body["updated_at"]), body["available"]
        times, values = versions.setdefault(key, ([], []))
        assert not times or at > times[-1], (key, at)  # strictly increasing per level
        assert at <= int(store.scale.as_of.timestamp()) + 5
        times.append(at)
        values.append(available)
    assert set(seen) == STOCK_TOPICS
    assert seen["inventory_levels/update"] > 3000
    assert versions == truth.levels
    for when in (store.scale.as_of, store.scale.as_of - dt.timedelta(days=40, seconds=17)):
        cut = when.timestamp()
        replayed = {}
        for key, (times, values) in versions.items():
            before = [v for t, v in zip(times, values, strict=True) if t <= cut]
            if before:
                replayed[key] = before[-1]
        assert replayed == truth.levels_at(when)


def test_backfill_levels_are_the_levels_at_as_of(store: HotRodAN, truth: InventoryTruth) -> None:
    """The backfill brings locations and each connected level's final version, in order."""
    kinds: list[str] = []
    levels: dict[tuple[int, int], tuple[int, int]] = {}
    items: dict[str, bool] = {}
    locations: list[dict[str, Any]] = []
    for page in store.backfill_resources(batch_size=250):
        kind = page[0]["kind"]
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
        if kind == "inventory_level":
            for r in page:
                res = r["resource"]
                assert list(res) == sample_keys("inventory_levels/update")
                levels[res["inventory_item_id"], res["location_id"]] = (
                    res["available"], stamp(res["updated_at"]))
        elif kind == "inventory_item":
            items |= {r["resource"]["sku"]: r["resource"]["tracked"] for r in page}
        elif kind == "location":
            locations += [r["resource"] for r in page]
    assert kinds == ["product", "inventory_item", "location", "inventory_level", "customer",
                     "order"]
    assert {sku for sku, tracked in items.items() if not tracked} == {
        "GIFT-25", "GIFT-50", "GIFT-100", "GIFT-250"}
    assert locations == store.locations()
    assert {loc["id"] for loc in locations} == {WAREHOUSE_ID, TPL_ID}
    assert list(locations[0]) == sample_keys("locations/update")
    item_of = {v.id: v.inventory_item_id for p in cat.build_catalog() for v in p.variants}
    want = {(item_of[vid], loc): version for (vid, loc), version
            in truth.level_versions_at(store.scale.as_of).items() if version[0] is not None}
    assert levels == want
    at_as_of = truth.levels_at(store.scale.as_of)
    assert {(item_of[vid], loc): v for (vid, loc), v in at_as_of.items()
            if v is not None} == {key: v for key, (v, _) in levels.items()}


def test_topics_filter_keeps_arrival_times() -> None:
    """A filtered stream is the same deliveries, arriving at the same moments."""
    month = HotRodAN(Scale("month", 30, Decimal(1_000_000)), seed=3)
    every = [(d.event_id, d.attempt, d.delivered_at, d.topic) for d in month.deliveries()]
    wanted = {"inventory_levels/update", "orders/paid"}
    some = [(d.event_id, d.attempt, d.delivered_at, d.topic)
            for d in month.deliveries(topics=wanted)]
    assert some == [x for x in every if x[3] in wanted]
    assert {x[3] for x in some} == wanted
    assert [d.event_id for d in month.events(topics={"locations/update"})] == [
        x[0] for x in every if x[3] == "locations/update" and x[1] == 1]


def test_large_catalog_is_a_superset_of_the_standard_one() -> None:
    """The large store sells over 5,000 variants; the standard catalog is unchanged."""
    started = time.monotonic()
    extended = cat.build_catalog("extended")
    assert time.monotonic() - started < 1.0
    standard = cat.build_catalog()
    variants = [v for p in extended for v in p.variants]
    assert len(variants) >= 5_000
    for attr in ("id", "sku", "inventory_item_id"):
        assert len({getattr(v, attr) for v in variants}) == len(variants), attr
    assert len({p.id for p in extended}) == len(extended)
    assert (len(standard), sum(len(p.variants) for p in standard)) == (178, 428)
    prefix = extended[:len(standard)]
    assert [(p.id, [(v.id, v.sku, v.price, v.cost) for v in p.variants]) for p in prefix] == [
        (p.id, [(v.id, v.sku, v.price, v.cost) for v in p.variants]) for p in standard]
    step = [b.id - a.id for a, b in itertools.pairwise(extended)]
    assert set(step) == {7_919}  # the same id scheme, continued
    titles = " | ".join(p.title for p in extended)
    for needle in ("AN -3 ", "AN -20 ", "Cut to Length", "M12x1.5", "NPT", "ORB", "Sensor Port",
                   "Gauge"):
        assert needle in titles, needle
    assert {v.title for p in extended if "Cut to Length" in p.title for v in p.variants} == {
        f"{n} ft" for n in range(1, 26)}
    for v in variants:
        if not v.gift_card:
            assert Decimal("0.40") <= v.cost / v.price <= Decimal("0.66"), v.sku
    assert Scale.of("large").catalog == "extended"
    assert Scale.of("season").catalog == Scale.of("default").catalog == "standard"


def test_the_season_has_something_to_show(store: HotRodAN, truth: InventoryTruth) -> None:
    """Real stock-outs, reorders, overstock and dead stock, and consistent POs."""
    figures = truth.figures()
    assert figures.day == store.shop["last_day"]
    assert figures.out_of_stock > 0
    assert figures.needs_reorder > 0
    assert figures.urgent > 0
    assert figures.overstock > 0
    assert figures.dead_stock > 0
    assert figures.lost_revenue_per_day > 0
    assert figures.cost_coverage == 1
    assert figures.sell_through_30 is not None
    assert 0 < figures.sell_through_30 < 1
    assert figures.variant_count == len(truth.tracked_variants(store.scale.as_of)) > 400
    classes = collections.Counter(f.abc for f in figures.variants.values())
    assert classes["A"] > 0
    assert classes["B"] > 0
    assert classes["C"] > 0
    start = store.shop["first_day"]
    out_days = sum(low <= 0 for d in range(1, 92)
                   for _, low in truth.variant_day(start + dt.timedelta(days=d)).values())
    assert out_days > 200
    for f in figures.variants.values():
        assert f.position == f.available + f.on_order
        assert f.needs_reorder == (f.velocity is not None and f.velocity > 0
                                   and f.reorder_point is not None
                                   and f.position <= f.reorder_point)
        if f.reorder_quantity:
            assert f.supplier is None or f.reorder_quantity % {
                s.name: s.order_multiple for s in store.suppliers()}[f.supplier] == 0
        assert f.dead_stock <= (f.available > 0 and f.units_ordered_30 == 0)
    suppliers = store.suppliers()
    assert 3 <= len(suppliers) <= 6
    assert {s.order_multiple for s in suppliers} <= {1, 5, 10, 25}
    assert any(s.lead_time_overrides for s in suppliers)
    assert "Velocity Fuel Systems" in {s.name for s in suppliers}
    pos = store.purchase_orders()
    assert any(p.received_at is None for p in pos)
    assert sum(p.received_at is not None for p in pos) > 100
    lead = {vid: s.lead_time_overrides.get(vid, s.lead_time_days) for s in suppliers
            for vid in s.variant_ids}
    late = 0
    for p in pos:
        assert p.ordered_at <= store.scale.as_of
        ordered_day = p.ordered_at.astimezone(TZ).date()
        assert p.expected_on == ordered_day + dt.timedelta(days=lead.get(p.variant_id, 14))
        if p.received_at is not None:
            assert p.ordered_at < p.received_at <= store.scale.as_of
            late += p.received_at.astimezone(TZ).date() > p.expected_on + dt.timedelta(days=5)
        assert p.quantity > 0
    assert late > 0
    assert len({p.reference for p in pos}) == len(pos)
    earlier = truth.figures(store.scale.as_of - dt.timedelta(days=30))
    assert earlier.day == store.shop["last_day"] - dt.timedelta(days=30)
    assert earlier.variants != figures.variants


# -- a tiny crafted ledger, checked by hand -----------------------------------------------

D = dt.date(2026, 3, 31)
AS_OF = dt.datetime.combine(D, dt.time(12), TZ)


def at(days_before: int, hour: int, minute: int = 0) -> int:
    """Epoch seconds of a shop-local time `days_before` D."""
    return int(dt.datetime.combine(D - dt.timedelta(days=days_before), dt.time(hour, minute),
                                   TZ).timestamp())


def _product(pid: int, vid: int, price: str, cost: str, created: int,
             deleted: int | None = None, *, gift: bool = False) -> cat.Product:
    p = cat.Product(pid, f"Part {pid}", f"part-{pid}", "Gift Card" if gift else "Adapters",
                    "Hot Rod AN", "", "Title", created_ts=created, updated_ts=created,
                    deleted_ts=deleted)
    p.variants.append(cat.Variant(vid, pid, vid * 10 + 1, f"P-{vid}", "Default Title", 1,
                                  Decimal(price), Decimal(cost), 100, gift_card=gift))
    return p


class _Orders:
    """Crafted orders of variant 11 (price 10.00) and friends."""

    def __init__(self) -> None:
        self.n = 0
        self.region = tl.REGIONS[0][0]

    def order(self, ts: int, vid: int, units: int, *, test: bool = False,
              status: str = "paid") -> m.Order:
        self.n += 1
        line = m.LineItem(self.n, vid // 10, vid, f"P-{vid}", "Part", "Default Title",
                          "Hot Rod AN", Decimal("10.00"), units, 100, gift_card=False)
        return m.Order(self.n, 1000 + self.n, ts, None, "a@example.com", self.region, test,
                       "shopify_payments", "web", "/", "", [line], None, None, Decimal("0.00"),
                       financial_status=status)


def crafted() -> InventoryTruth:
    """Variant 11 sells, stocks out and is on order; 21 is dead stock; 41 is new; 51 gone."""
    truth = InventoryTruth()
    made = _Orders()
    for k in range(25):  # D-30 .. D-6: 1, 3, 1, 3, ... units
        o = made.order(at(30 - k, 12), 11, 1 if k % 2 == 0 else 3)
        if k == 5:  # the order of D-25 gets a refund of one unit on D-8
            rl = m.RefundLine(1, o.lines[0], 1, "return", Decimal("10.00"), Decimal("0.00"))
            o.refunds.append(m.Refund(1, at(8, 15), None, [rl], [], 1, Decimal("10.00")))
        truth.add(o)
    truth.add(made.order(at(60, 12), 11, 2))  # net sales over 90 days, not the velocity
    truth.add(made.order(at(7, 12), 11, 5, test=True))  # not counted
    truth.add(made.order(at(9, 12), 11, 4, status="voided"))  # not counted
    products = [_product(1, 11, "10.00", "4.00", at(200, 9)),
                _product(2, 21, "20.00", "7.50", at(200, 9)),
                _product(3, 31, "25.00", "0.00", at(200, 9), gift=True),
                _product(4, 41, "5.00", "2.00", at(2, 10)),
                _product(5, 51, "9.00", "3.00", at(200, 9), at(10, 9))]
    wh, tpl = WAREHOUSE_ID, TPL_ID
    levels: dict[tuple[int, int], tuple[list[int], list[int | None]]] = {
        (11, wh): ([at(40, 8), at(20, 10), at(20, 14), at(15, 11), at(5, 0)],
                   [60, 0, 30, 20, 0]),
        (11, tpl): ([at(40, 8), at(15, 11), at(12, 9)], [0, 10, 0]),
        (21, wh): ([at(100, 9)], [5]),
        (41, wh): ([at(2, 10)], [7]),
        (51, wh): ([at(100, 9), at(10, 9)], [3, None]),
    }

    def po(ordered: int, quantity: int, received: int | None) -> PurchaseOrder:
        when = dt.datetime.fromtimestamp(ordered, dt.UTC)
        return PurchaseOrder(f"PO-{ordered}", "Crafted Fittings", 11, quantity, when,
                             when.astimezone(TZ).date() + dt.timedelta(days=9),
                             None if received is None else dt.datetime.fromtimestamp(received,
                                                                                     dt.UTC))

    truth.load(int(AS_OF.timestamp()), products, levels,
               purchase_orders=[po(at(3, 9), 20, None), po(at(50, 9), 30, at(41, 10)),
                                po(at(0, 13), 50, None)],
               suppliers=[Supplier("Crafted Fittings", 21, 10, (11,), {11: 9})],
               initial_prices={p.variants[0].id: p.variants[0].price for p in products},
               price_log=[(at(2, 8), 11, Decimal("11.00"))])
    return truth


def test_crafted_figures_by_hand() -> None:
    """Every figure of a small ledger, worked out by hand."""
    truth = crafted()

    def day(n: int) -> dt.date:
        return D - dt.timedelta(days=n)

    assert truth.variant_day(day(20)) == {11: (30, 0), 21: (5, 5), 51: (3, 3)}  # touched 0
    assert truth.variant_day(day(15))[11] == (30, 30)  # a transfer: no dip
    assert truth.snapshot(day(15))[11, WAREHOUSE_ID] == (20, 20)
    assert truth.snapshot(day(15))[11, TPL_ID] == (10, 0)
    assert truth.variant_day(day(5))[11] == (0, 0)
    assert truth.variant_day(day(6))[11] == (20, 20)  # the drop is at D-5 00:00:00
    assert truth.variant_day(day(12))[11] == (20, 20)  # 30 at the start, 20 after the sale
    assert 41 not in truth.variant_day(day(3))  # before its first level: not observed
    assert truth.variant_day(day(2))[41] == (7, 7)
    assert truth.levels_at(at(10, 9))[51, WAREHOUSE_ID] is None
    f = truth.figures()
    assert list(f.variants) == [11, 21, 41]  # no gift card, no deleted product
    a, b, n = f.variants[11], f.variants[21], f.variants[41]
    # 25 sale days, D-20 touched zero, D-5 .. D-1 out; the refund takes D-8 to 0 units
    assert (a.available, a.on_order, a.position) == (0, 20, 20)
    assert (a.lookback_days, a.in_stock_days, a.net_units_30) == (30, 24, 48)
    assert a.velocity == Decimal("1.9583")  # 47 / 24
    assert a.sigma == Decimal("1.0826")  # sqrt(647 / 552)
    assert (a.abc, a.z, a.lead_time) == ("A", Decimal("2.0537"), 9)
    assert a.net_sales_90 == Decimal("500.00")  # 51 units x 10.00, less a 10.00 refund
    assert a.safety_stock == Decimal("6.67")  # 2.0537 x 1.0826 x 3
    assert a.reorder_point == Decimal("24.29")  # 1.9583 x 9 + 6.67
    assert a.needs_reorder
    assert a.reorder_quantity == 70  # 83.0437 - 20 = 63.04 -> 64 -> case of 10
    assert (a.days_of_cover, a.stockout_date, a.next_receipt) == (Decimal("0.0"), D, day(-6))
    assert a.urgent
    assert a.price == Decimal("11.00")
    assert a.lost_revenue_per_day == Decimal("21.54")  # 1.9583 x 11.00
    assert (a.excess_units, a.dead_stock, a.units_ordered_30) == (0, False, 49)
    assert (a.last_sale_day, a.first_level_day, a.supplier) == (day(6), day(40),
                                                                 "Crafted Fittings")
    # five units, never sold: dead stock, and all of it excess
    assert (b.lookback_days, b.in_stock_days, b.velocity, b.sigma) == (
        90, 90, Decimal("0.0000"), Decimal("0.0000"))
    assert (b.abc, b.lead_time, b.safety_stock, b.reorder_point) == (
        "C", 14, Decimal("0.00"), Decimal("0.00"))
    assert not b.needs_reorder
    assert (b.reorder_quantity, b.days_of_cover, b.stockout_date) == (0, None, None)
    assert (b.excess_units, b.excess_value) == (5, Decimal("37.50"))
    assert (b.dead_stock, b.dead_stock_value) == (True, Decimal("37.50"))
    assert b.lost_revenue_per_day is None
    # launched two days ago: observed on two days only, not dead
    assert (n.in_stock_days, n.velocity, n.dead_stock, n.excess_units) == (
        2, Decimal("0.0000"), False, 7)
    assert f.stock_value == Decimal("51.50")
    assert f.cost_coverage == Decimal("1.0000")
    assert f.sell_through_30 == Decimal("0.8033")  # 49 / (49 + 0 + 5 + 7)
    assert (f.out_of_stock, f.needs_reorder, f.urgent, f.overstock, f.dead_stock) == (
        1, 1, 1, 2, 1)
    assert (f.excess_value, f.dead_stock_value, f.lost_revenue_per_day) == (
        Decimal("51.50"), Decimal("37.50"), Decimal("21.54"))
    assert f.top_movers == (11, 21, 41)
    # a week earlier, the PO of D-3 was not placed yet and the price was 10.00
    before = truth.figures(AS_OF - dt.timedelta(days=7)).variants[11]
    assert before.on_order == 0
    assert before.price == Decimal("10.00")
