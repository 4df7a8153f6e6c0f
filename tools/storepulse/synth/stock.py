"""The store's stock: locations, suppliers, inventory levels and the owner's buying.

Two locations: the warehouse (every tracked variant) and a 3PL (the fast-moving hose ends,
adapters and hose). Gift cards are not tracked. Every level exists (is connected) from a
moment before the first simulated day, a launched product's from its launch, and is
disconnected when its product is deleted.

Stock moves when:
  * a checkout takes it (Shopify decrements `available` when the order is created): each
    line from the 3PL if it stocks the variant and has enough, else from the warehouse if
    it has enough, else what both have (3PL first) with any backorder at the warehouse;
    an order edit that adds units takes them the same way;
  * a variant whose total available is <= 0 is wanted: the line is dropped with
    probability `suppression` (lost demand), else sold anyway (a backorder: available goes
    negative, as with inventory_policy "continue"); a line wanting more than is available
    takes what is available, its remaining units following the same rule;
  * a cancellation (restock_type "cancel"), a return ("return") or a voided order puts the
    units back at the warehouse ("no_restock" does not);
  * a purchase order is received (at the warehouse), the warehouse transfers to the 3PL
    (Tuesdays and Fridays: two level changes at one moment), or a cycle count or damage
    adjusts a level (never below zero).
The owner's buying policy (hidden from the data layer): a review every morning of the
fast movers and on Mondays of everything; when available + on order falls below the
owner's own trigger (forecast x (quoted lead time + review period + safety days)), a PO
for some weeks of demand rounded up to the supplier's case pack. The forecast blends the
expected rate with the last 28 days' sales, times a per-variant bias (some chronically
under-ordered). Actual lead time = quoted +- jitter, sometimes much later (more often for
POs placed in the spring and summer peak and around Black Friday), so real stock-outs
happen. A few variants start heavily overstocked, some slow sellers carry stock and
almost no demand (dead stock), a few start at 0.

Randomness: `random.Random(f"{seed}:stock")`, consumed in event order; the orders draw
from their own streams, so stock changes orders only through real suppression.

A level's versions get strictly increasing whole-second times (two changes of one level
in one second: the later goes to the next second); the history kept here is exactly what
the inventory_levels/* payloads say.
"""

from __future__ import annotations

import bisect
import collections
import dataclasses
import datetime as dt
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from storepulse.synth import catalog as cat
from storepulse.synth import model as m
from storepulse.synth import timeline as tl
from storepulse.synth.payloads import LOCATION_ID

WAREHOUSE_ID = LOCATION_ID
TPL_ID = 71_350_493_281
DEFAULT_LEAD_TIME = 14
IN_HOUSE = "Hot Rod AN"
"""The supplier name on the POs (work orders) of kits, assembled in-house (no quote)."""
_H, _D = 3600, 86400
_LINES_PER_ORDER = 2.2
_TPL_TYPES = frozenset({"Hose Ends", "Adapters", "Hose"})


@dataclass(frozen=True)
class Supplier:
    """A supplier: quoted lead time (days), order multiple (case pack), its variants."""

    name: str
    lead_time_days: int
    order_multiple: int
    variant_ids: tuple[int, ...]
    lead_time_overrides: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PurchaseOrder:
    """A purchase order of one variant; `received_at` None = not received by as_of."""

    reference: str
    supplier: str
    variant_id: int
    quantity: int
    ordered_at: dt.datetime
    expected_on: dt.date
    received_at: dt.datetime | None


class LostDemand(NamedTuple):
    """Units wanted and not sold (the variant was out): at a checkout, or an order edit."""

    variant_id: int
    day: dt.date
    units: int
    ts: int
    kind: str = "checkout"


@dataclass(slots=True)
class _PO:
    reference: str
    supplier: str
    variant_id: int
    quantity: int
    ordered_ts: int
    expected_on: dt.date
    arrival_ts: int
    received_ts: int | None = None


_SUPPLIERS = (  # name, lead time, order multiple, product types
    ("Summit Forge Fittings", 21, 10, ("Hose Ends", "Adapters")),
    ("Braidline Hose Co.", 28, 5, ("Hose",)),
    ("Velocity Fuel Systems", 35, 1, ("Fuel Pumps", "Fuel Pressure Regulators")),
    ("ClearFlow Filtration", 18, 25, ("Fuel Filters",)),
    ("Garage Pro Tools", 10, 5, ("Tools & Accessories",)),
)


def _override(v: cat.Variant) -> int | None:
    """A variant's own quoted lead time, when its supplier quotes it apart."""
    sku = v.sku
    if sku.endswith(("-POL", "-NKL")) and any(f"AN{n}-" in sku for n in (10, 12, 16, 20)):
        return 35  # plated and polished large fittings: made to order
    if sku.startswith(("FP-06", "FP-07")):
        return 56  # brushless pumps and their controller
    if sku.endswith("-10E") or "-10E-" in sku:
        return 28  # E85-rated filter elements
    return None


def build_suppliers(products: Iterable[cat.Product]) -> list[Supplier]:
    """The suppliers of a catalog (the same for every seed); kits have none (in-house)."""
    by_type: dict[str, list[cat.Variant]] = collections.defaultdict(list)
    for p in products:
        by_type[p.product_type] += p.variants
    out = []
    for name, lead, multiple, types in _SUPPLIERS:
        variants = [v for t in types for v in by_type.get(t, [])]
        overrides = {v.id: o for v in variants if (o := _override(v)) is not None}
        out.append(Supplier(name, lead, multiple, tuple(sorted(v.id for v in variants)),
                            overrides))
    return out


def expected_units(picker_variants: list[cat.Variant], cum: list[float],
                   types: dict[int, str], base_orders: float) -> dict[int, float]:
    """Expected units a day of each variant at demand 1.0 (an average day at as_of)."""
    total = cum[-1] if cum else 1.0
    out = {}
    prev = 0.0
    for v, c in zip(picker_variants, cum, strict=True):
        weights = cat.QUANTITY_WEIGHTS.get(types[v.id], (1.0,))
        mean_q = sum((i + 1) * w for i, w in enumerate(weights)) / sum(weights)
        out[v.id] = base_orders * _LINES_PER_ORDER * (c - prev) / total * mean_q
        prev = c
    return out


class Stock:
    """The stock model of one simulation pass (see the module docstring)."""

    def __init__(self, seed: int, products: list[cat.Product], *, scale: tl.Scale,
                 start_ts: int, as_of_ts: int, suppression: float,
                 push: Callable[[int, str, m.StockTask, str], None]) -> None:
        """Locations, suppliers and the per-variant choices; no level exists yet."""
        self.rng = random.Random(f"{seed}:stock")
        self.scale, self.start_ts, self.as_of_ts = scale, start_ts, as_of_ts
        self.suppression, self.push = suppression, push
        before = start_ts - 700 * _D
        self.locations = [
            m.Location(WAREHOUSE_ID, "Hot Rod AN Warehouse", "1450 Glendale Ave", "Sparks",
                       "89431", "Nevada", "NV", "+17755550142", before, before),
            m.Location(TPL_ID, "ShipFast 3PL Dallas", "8800 Ambassador Row", "Dallas",
                       "75247", "Texas", "TX", "+12145550188", before + 200 * _D,
                       before + 200 * _D)]
        self.suppliers = build_suppliers(products)
        self.variants = {v.id: v for p in products if not p.gift_card for v in p.variants}
        self.product_of = {v.id: p for p in products for v in p.variants}
        self.supplier_of: dict[int, Supplier] = {}
        for s in self.suppliers:
            for vid in s.variant_ids:
                self.supplier_of[vid] = s
        self.lead_time = {vid: self._quoted(vid) for vid in self.variants}
        # levels: (variant id, location id) -> available, for connected levels
        self.avail: dict[tuple[int, int], int] = {}
        self.last_ts: dict[tuple[int, int], int] = {}
        self.hist: dict[tuple[int, int], tuple[list[int], list[int | None]]] = {}
        self.pending: dict[tuple[int, int], None] = {}
        self.pos: list[_PO] = []
        self.on_order: collections.Counter[int] = collections.Counter()
        self.lost: list[LostDemand] = []
        self.sold_today: collections.Counter[int] = collections.Counter()
        self.sold_days: collections.deque[collections.Counter[int]] = collections.deque()
        self.sold_28: collections.Counter[int] = collections.Counter()
        self.rate: dict[int, float] = {}
        self.demand_factor: dict[int, float] = {}
        self.at_tpl: set[int] = set()
        self.bias: dict[int, float] = {}
        self.cover: dict[int, int] = {}
        self.safety: dict[int, float] = {}
        self.dead: set[int] = set()
        self.overstock: set[int] = set()
        self.zero: set[int] = set()
        self._demand_cache: dict[dt.date, float] = {}
        self.day = scale.start_date
        self.n_days = 0

    # -- set-up ---------------------------------------------------------------------------

    def _quoted(self, vid: int) -> int:
        s = self.supplier_of.get(vid)
        if s is None:
            return DEFAULT_LEAD_TIME
        return s.lead_time_overrides.get(vid, s.lead_time_days)

    def choose(self, rates: dict[int, float], types: dict[int, str]) -> None:
        """Pick the dead, overstocked and empty variants, the 3PL's, and the owner's habits.

        `rates` are undamped expected units a day (every variant live at the start).
        """
        rng = self.rng
        ranked = sorted(rates, key=lambda vid: (rates[vid], vid))
        n = len(ranked)
        slow, fast = ranked[: n // 2], ranked[n // 2:]
        self.dead = set(rng.sample(slow, max(3, n // 25)))
        self.overstock = set(rng.sample(fast, max(3, n // 40)))
        self.zero = set(rng.sample([v for v in ranked if v not in self.dead
                                    and v not in self.overstock], max(3, n // 70)))
        self.demand_factor = dict.fromkeys(self.dead, 0.03)
        by_type: dict[str, list[int]] = collections.defaultdict(list)
        for vid in ranked:
            by_type[types[vid]].append(vid)
        for t in _TPL_TYPES:
            group = by_type.get(t, [])
            self.at_tpl |= set(group[len(group) * 3 // 5:])
        for vid in sorted(self.variants):
            roll = rng.random()
            self.bias[vid] = (rng.uniform(0.45, 0.7) if roll < 0.12
                              else min(1.6, max(0.7, rng.lognormvariate(0.05, 0.2))))
            self.cover[vid] = rng.randint(21, 56)
            self.safety[vid] = rng.uniform(0.2, 0.6)

    def set_rates(self, rates: dict[int, float]) -> None:
        """The expected units a day of the live variants (from the current picker)."""
        self.rate = rates

    def demand(self, day: dt.date) -> float:
        """timeline.demand, cached."""
        d = self._demand_cache.get(day)
        if d is None:
            d = self._demand_cache[day] = tl.demand(day, self.scale)
        return d

    def initial_events(self, products: list[cat.Product]) -> list[m.SimEvent]:
        """Connect every level of the products live at the start, before the first day."""
        ts = self.start_ts - _H
        out = []
        day0 = self.demand(self.scale.start_date)
        for p in products:
            if p.gift_card or p.created_ts > self.start_ts:
                continue
            for v in p.variants:
                out += self._connect(v, ts, self._initial(v.id, day0, launch=False))
        return out

    def _initial(self, vid: int, demand: float, *, launch: bool) -> int:
        rng, rate = self.rng, self.rate.get(vid, 0.0) * demand
        if vid in self.zero and not launch:
            return 0
        if vid in self.dead:
            return rng.randint(4, 30)
        if vid in self.overstock and not launch:
            return max(25, round(rate * rng.uniform(300, 520)))
        return max(rng.randint(1, 3), round(rate * rng.uniform(20, 90)))

    def _connect(self, v: cat.Variant, ts: int, total: int) -> list[m.SimEvent]:
        tpl = round(total * 0.35) if v.id in self.at_tpl else 0
        out = []
        for loc, units in ((WAREHOUSE_ID, total - tpl), (TPL_ID, tpl)):
            if loc == TPL_ID and v.id not in self.at_tpl:
                continue
            key = (v.id, loc)
            self.avail[key] = units
            self.last_ts[key] = ts
            self.hist[key] = ([ts], [units])
            out.append(m.SimEvent(ts, "inventory_levels/connect",
                                  m.LevelVersion(v.inventory_item_id, loc, units, ts)))
        return out

    def plan(self) -> None:
        """The location changes (the 3PL renames itself; the warehouse's phone changes)."""
        span = self.as_of_ts - self.start_ts
        self.push(self.start_ts + span * 9 // 20 + self.rng.randint(9 * _H, 16 * _H),
                  "stock", m.StockTask("location", 1), "locations/update")
        if self.scale.days >= 180:
            self.push(self.start_ts + span * 4 // 5 + self.rng.randint(9 * _H, 16 * _H),
                      "stock", m.StockTask("location", 0), "locations/update")

    # -- the day's plan -------------------------------------------------------------------

    def begin_day(self, day: dt.date, start: int) -> None:
        """Roll the sales history and schedule the day's review, transfer and adjustments."""
        if self.n_days:
            self.sold_days.append(self.sold_today)
            self.sold_28.update(self.sold_today)
            if len(self.sold_days) > 28:
                self.sold_28.subtract(self.sold_days.popleft())
            self.sold_today = collections.Counter()
        self.day, self.n_days = day, self.n_days + 1
        rng = self.rng
        tasks = [(start + 7 * _H + rng.randint(0, 1800), m.StockTask("review"))]
        if day.weekday() in (1, 4):
            tasks.append((start + 11 * _H + rng.randint(0, 3600), m.StockTask("transfer")))
        lam = 0.8 + len(self.avail) / 1500
        for _ in range(int(lam) + (rng.random() < lam - int(lam))):
            tasks.append((start + rng.randint(9 * _H, 17 * _H), m.StockTask("adjust")))
        for ts, task in sorted(tasks, key=lambda t: t[0]):
            if self.start_ts <= ts <= self.as_of_ts:
                self.push(ts, "stock", task, "")

    # -- level changes --------------------------------------------------------------------

    def _change(self, key: tuple[int, int], delta: int) -> None:
        self.avail[key] += delta
        self.pending[key] = None

    def flush(self, ts: int) -> list[m.SimEvent]:
        """The inventory_levels/update events of the levels changed since the last flush."""
        out = []
        for key in self.pending:
            if key not in self.avail:
                continue
            vt = max(ts, self.last_ts[key] + 1)
            self.last_ts[key] = vt
            times, values = self.hist[key]
            times.append(vt)
            values.append(self.avail[key])
            v = self.variants[key[0]]
            out.append(m.SimEvent(ts, "inventory_levels/update",
                                  m.LevelVersion(v.inventory_item_id, key[1], self.avail[key],
                                                 vt)))
        self.pending.clear()
        return out

    def total(self, vid: int) -> int:
        """Available over the variant's connected levels."""
        return self.avail.get((vid, WAREHOUSE_ID), 0) + self.avail.get((vid, TPL_ID), 0)

    def sell(self, v: cat.Variant, quantity: int, ts: int, kind: str = "checkout") -> int:
        """Units of `v` sold of `quantity` wanted at `ts` (taken from stock; see the docstring).

        `kind` ("checkout" or "edit") is recorded with any lost demand.
        """
        if v.gift_card or (v.id, WAREHOUSE_ID) not in self.avail:
            return quantity
        total = self.total(v.id)
        granted = min(quantity, max(total, 0))
        rest = quantity - granted
        if rest:
            s = self.suppression
            drop = s >= 1 or (s > 0 and self.rng.random() < s)
            if drop:
                day = dt.datetime.fromtimestamp(ts, tl.TZ).date()
                self.lost.append(LostDemand(v.id, day, rest, ts, kind))
            else:
                granted = quantity
        if granted:
            self._take(v.id, granted)
            self.sold_today[v.id] += granted
        return granted

    def _take(self, vid: int, n: int) -> None:
        wh, tpl = (vid, WAREHOUSE_ID), (vid, TPL_ID)
        at_tpl = self.avail.get(tpl)
        if at_tpl is not None and at_tpl >= n:
            self._change(tpl, -n)
        elif self.avail[wh] >= n or at_tpl is None or at_tpl <= 0:
            self._change(wh, -n)
        else:
            self._change(tpl, -at_tpl)
            self._change(wh, at_tpl - n)

    def restock(self, vid: int, quantity: int) -> None:
        """Units back at the warehouse (a return, a cancellation, a void)."""
        key = (vid, WAREHOUSE_ID)
        if quantity and key in self.avail:
            self._change(key, quantity)

    # -- product life ---------------------------------------------------------------------

    def launch(self, product: cat.Product, ts: int) -> list[m.SimEvent]:
        """inventory_items/create and the levels' connect, with a launch batch of stock."""
        out = [m.SimEvent(ts, "inventory_items/create", (v, product)) for v in product.variants]
        demand = self.demand(dt.datetime.fromtimestamp(ts, tl.TZ).date())
        for v in product.variants:
            out += self._connect(v, ts, self._initial(v.id, demand, launch=True))
        return out

    def discontinue(self, product: cat.Product, ts: int) -> list[m.SimEvent]:
        """The levels' disconnect and inventory_items/delete."""
        out = []
        for v in product.variants:
            for loc in (WAREHOUSE_ID, TPL_ID):
                key = (v.id, loc)
                if key not in self.avail:
                    continue
                vt = max(ts, self.last_ts[key] + 1)
                del self.avail[key]
                self.last_ts[key] = vt
                times, values = self.hist[key]
                times.append(vt)
                values.append(None)
                out.append(m.SimEvent(vt, "inventory_levels/disconnect",
                                      m.LevelVersion(v.inventory_item_id, loc, None, vt)))
        out += [m.SimEvent(ts, "inventory_items/delete", (v, product)) for v in product.variants]
        return out

    # -- the owner's steps ----------------------------------------------------------------

    def handle(self, ts: int, task: m.StockTask) -> list[m.SimEvent]:
        """Run one scheduled stock step; its level changes come out at the next flush."""
        if task.kind == "review":
            self._review(ts)
        elif task.kind == "receive":
            po = self.pos[task.ref]
            po.received_ts = ts
            self.on_order[po.variant_id] -= po.quantity
            self.restock(po.variant_id, po.quantity)
        elif task.kind == "transfer":
            self._transfer()
        elif task.kind == "adjust":
            self._adjust()
        elif task.kind == "location":
            loc = self.locations[task.ref]
            if task.ref == 1:
                loc.name = "ShipFast Fulfillment - Dallas TX"
            else:
                loc.phone = "+17755550199"
            loc.updated_ts = ts
            return [m.SimEvent(ts, "locations/update", dataclasses.replace(loc))]
        return []

    def forecast(self, vid: int) -> float:
        """The owner's units a day for `vid` (expected rate blended with recent sales)."""
        expected = self.rate.get(vid, 0.0) * self.demand(self.day)
        if self.n_days > 28:
            expected = 0.5 * expected + 0.5 * self.sold_28[vid] / 28
        return expected * self.bias.get(vid, 1.0)

    def _review(self, ts: int) -> None:
        monday = self.day.weekday() == 0
        for vid in self.rate:
            if (vid, WAREHOUSE_ID) not in self.avail:
                continue
            if not monday and self.rate[vid] < 0.4:
                continue
            f = self.forecast(vid)
            lead = self.lead_time[vid]
            trigger = f * (lead + (7 if self.rate[vid] < 0.4 else 1) + self.safety[vid] * lead)
            position = self.total(vid) + self.on_order[vid]
            if position >= max(trigger, 1.0 if f > 0.002 else 0.0):
                continue
            want = max(1, math.ceil(f * self.cover[vid] + trigger - position))
            s = self.supplier_of.get(vid)
            multiple = s.order_multiple if s else 1
            self._order(ts, vid, -(-want // multiple) * multiple)

    def _order(self, ts: int, vid: int, quantity: int) -> None:
        rng = self.rng
        s = self.supplier_of.get(vid)
        quoted = self.lead_time[vid]
        day = self.day
        thanks = tl.thanksgiving(day.year)
        peak = 3 <= day.month <= 7 or -21 <= (day - thanks).days <= 10
        actual = quoted + round(rng.gauss(0, 0.1 * quoted))
        if rng.random() < (0.3 if peak else 0.1):
            actual += round(rng.uniform(0.3, 1.0) * quoted)
        arrival_day = day + dt.timedelta(days=max(2, actual))
        arrival = int(dt.datetime.combine(arrival_day, dt.time(10), tl.TZ).timestamp()
                      ) + rng.randint(0, 6 * _H)
        po = _PO(f"PO-{1001 + len(self.pos)}", s.name if s else IN_HOUSE, vid, quantity, ts,
                 day + dt.timedelta(days=quoted), arrival)
        self.pos.append(po)
        self.on_order[vid] += quantity
        if arrival <= self.as_of_ts:
            self.push(arrival, "stock", m.StockTask("receive", len(self.pos) - 1), "")

    def _transfer(self) -> None:
        for vid in sorted(self.at_tpl):
            tpl = (vid, TPL_ID)
            if tpl not in self.avail or vid not in self.rate:
                continue
            target = max(2, math.ceil(self.forecast(vid) * 21))
            here, there = self.avail[tpl], self.avail[(vid, WAREHOUSE_ID)]
            if here * 2 < target and there > 0:
                move = min(there, target - here)
                self._change((vid, WAREHOUSE_ID), -move)
                self._change(tpl, move)

    def _adjust(self) -> None:
        if not self.avail:
            return
        rng = self.rng
        keys = list(self.avail)
        key = keys[rng.randrange(len(keys))]
        delta = rng.choice((-2, -1, -1, 1, 2)) if rng.random() < 0.6 else -rng.randint(1, 2)
        if delta < 0:
            delta = -min(-delta, max(0, self.avail[key]))
        if delta:
            self._change(key, delta)

    # -- what is left at the end ----------------------------------------------------------

    def purchase_orders(self) -> list[PurchaseOrder]:
        """Every PO ordered at or before as_of, as it stands at as_of."""
        return [PurchaseOrder(p.reference, p.supplier, p.variant_id, p.quantity,
                              dt.datetime.fromtimestamp(p.ordered_ts, dt.UTC), p.expected_on,
                              None if p.received_ts is None
                              else dt.datetime.fromtimestamp(p.received_ts, dt.UTC))
                for p in self.pos]

    def level_at(self, key: tuple[int, int], ts: int) -> tuple[int | None, int] | None:
        """(available, updated_ts) of a level's latest version at or before `ts`, if any."""
        hist = self.hist.get(key)
        if hist is None:
            return None
        i = bisect.bisect_right(hist[0], ts) - 1
        return None if i < 0 else (hist[1][i], hist[0][i])

