"""The store simulation: one pass over the days, yielding business events in true time order.

`Simulation(scale, seed).run()` walks the shop-local days from the first to `as_of`. Each
day draws a Poisson-ish number of checkouts; every order plans its whole life when it is
placed (paid or authorised, captured or voided, edited, fulfilled, cancelled, refunded,
deleted) and each step is pushed on a heap, so events come out in time order with bounded
memory: an order is dropped as soon as its last step happened (the `SimEvent` with topic
"" hands its final state out first). Steps later than `as_of` never happen.

The stock model (storepulse.synth.stock) runs alongside: levels connected before the first
day, every checkout taking its lines from stock (with `stockout_suppression` the chance a
line of a variant out of stock is dropped), returns, purchase orders, transfers and
adjustments; its inventory_levels/* events follow the step that caused them.

Randomness is never the global one, and each concern has its own stream so that one does
not shift another: `random.Random(seed)` for the days' checkout counts and times; each
checkout its own stream (seeded from `Random(f"{seed}:orders")` in checkout order, lost
checkouts included), and each later step of an order one derived from it; reprices,
customer updates and the stock model theirs. So with `stockout_suppression=0.0` stock
changes no order, and otherwise only the checkouts and edits it really suppressed differ.
A `Simulation` runs once; make a new one for another pass.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import math
import random
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from storepulse.synth import catalog as cat
from storepulse.synth import lifecycle as lc
from storepulse.synth import model as m
from storepulse.synth import stock as st
from storepulse.synth import timeline as tl

VERSION_TOPICS = frozenset({"orders/create", "orders/paid", "orders/updated", "orders/cancelled"})
_H, _D = 3600, 86400
_IDS = {"customer": (7_410_000_000_000, 29), "order": (6_120_000_000_000, 1_013),
        "line": (15_870_000_000_000, 7), "refund": (940_000_000_000, 11),
        "refund_line": (560_000_000_000, 13), "adjustment": (310_000_000_000, 17),
        "transaction": (8_100_000_000_000, 19), "fulfillment": (5_770_000_000_000, 23),
        "order_edit": (210_000_000_000, 31)}


def _poisson(rng: random.Random, lam: float) -> int:
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    n, p, limit = 0, rng.random(), math.exp(-lam)
    while p > limit:
        n += 1
        p *= rng.random()
    return n


class Simulation:
    """One deterministic pass over the store's history (see the module docstring)."""

    def __init__(self, scale: tl.Scale, seed: int, *, progress: bool = False,
                 refund_discrepancy_rate: float = 0.0, stockout_suppression: float = 1.0,
                 ) -> None:
        """Set up the catalog, its planned changes, the stock and the order rate."""
        self.scale, self.seed, self.progress = scale, seed, progress
        self.discrepancy_rate = refund_discrepancy_rate
        self.suppression = stockout_suppression
        self.arrivals = random.Random(seed)
        self.rng = self.arrivals  # the stream of the step being handled (lifecycle's)
        self.order_seeds = random.Random(f"{seed}:orders")
        self.reprice_rng = random.Random(f"{seed}:reprice")
        self.products = cat.build_catalog(scale.catalog)
        self.product_by_id = {p.id: p for p in self.products}
        self.variant_by_id = {v.id: v for p in self.products for v in p.variants}
        self.initial_prices = {vid: v.price for vid, v in self.variant_by_id.items()}
        self.price_log: list[tuple[int, int, Decimal]] = []  # (ts, variant id, new price)
        self.as_of_ts = int(scale.as_of.timestamp())
        self.start_ts = int(dt.datetime.combine(scale.start_date, dt.time(), tl.TZ).timestamp())
        self.customers: list[m.Customer] = []
        self.counters = dict.fromkeys(_IDS, 0)
        self.number = 1000
        self.heap: list[tuple[int, int, str, lc.StepTarget, str]] = []
        self.seq = itertools.count()
        self.regions = [r for r, _ in tl.REGIONS]
        self.region_cum = list(itertools.accumulate(w for _, w in tl.REGIONS))
        self.shop: dict[str, Any] = {"updated_ts": self.start_ts - 90 * _D, "changes": 0}
        self._plan_catalog()
        self.base_orders = float(scale.annual_revenue) / (
            expected_order_total(scale.catalog) * sum(
                tl.demand(scale.end_date - dt.timedelta(days=i), scale) for i in range(365)))
        self.stock = st.Stock(seed, self.products, scale=scale, start_ts=self.start_ts,
                              as_of_ts=self.as_of_ts, suppression=stockout_suppression,
                              push=self._push)
        undamped = lc.Picker(self.products, self.start_ts)
        self.stock.choose(self._rates(undamped), undamped.types)
        self.picker = lc.Picker(self.products, self.start_ts, self.stock.demand_factor)
        self.stock.set_rates(self._rates(self.picker))
        self.stock.plan()
        self.n_orders = self.n_events = self.n_lost = 0

    def _rates(self, picker: lc.Picker) -> dict[int, float]:
        return st.expected_units(picker.variants, picker.cum, picker.types, self.base_orders)

    def sell(self, v: cat.Variant, quantity: int, ts: int, kind: str = "checkout") -> int:
        """Take up to `quantity` units of `v` from stock at `ts` ("checkout" or "edit")."""
        return self.stock.sell(v, quantity, ts, kind)

    def product_variant(self, variant_id: int) -> cat.Variant:
        """A variant by id."""
        return self.variant_by_id[variant_id]

    def next_id(self, kind: str) -> int:
        """Shopify-like increasing ids, per resource."""
        self.counters[kind] += 1
        base, step = _IDS[kind]
        return base + self.counters[kind] * step

    def _push(self, ts: int, action: str, target: lc.StepTarget, topic: str) -> None:
        """Schedule a step at `ts`; steps at the same time keep the order they were pushed in."""
        heapq.heappush(self.heap, (ts, next(self.seq), action, target, topic))

    def _plan_catalog(self) -> None:
        """Launches, price changes, discontinued parts and shop updates: times only."""
        rng, span = random.Random(f"{self.seed}:catalog"), self.as_of_ts - self.start_ts
        for p in self.products:
            p.created_ts = p.updated_ts = (self.start_ts - rng.randint(30, 1500) * _D
                                           + rng.randint(8 * _H, 18 * _H))
        launches = rng.sample([p for p in self.products if not p.gift_card],
                              max(2, len(self.products) * self.scale.days // (365 * 14)))
        for p in launches:
            p.created_ts = p.updated_ts = self.start_ts + rng.randint(
                span // 20, max(span // 20, span - _H))
            self._push(p.created_ts, "launch", p, "products/create")
        quiet = [p for p in self.products if p.product_type == "Tools & Accessories"
                 and p not in launches]
        for p in rng.sample(quiet, max(1, round(self.scale.days / 365))):
            self._push(self.start_ts + rng.randint(span // 5, span * 4 // 5), "discontinue", p,
                       "products/delete")
        for _ in range(max(2, self.scale.days // 20)):
            self._push(self.start_ts + rng.randint(0, span), "reprice", None, "products/update")
        for _ in range(max(1, self.scale.days // 120)):
            self._push(self.start_ts + rng.randint(0, span), "shop", None, "shop/update")

    def run(self) -> Iterator[m.SimEvent]:
        """The events, in true order, ending at `as_of`."""
        rng, scale, started = self.arrivals, self.scale, time.monotonic()
        hours_cum = list(itertools.accumulate(tl.HOUR_WEIGHTS))
        day, n_days, next_report = scale.start_date, 0, 0.1
        for event in self.stock.initial_events(self.products):
            self.n_events += 1
            yield event
        while day <= scale.end_date:
            start = int(dt.datetime.combine(day, dt.time(), tl.TZ).timestamp())
            nxt = day + dt.timedelta(days=1)
            end = int(dt.datetime.combine(nxt, dt.time(), tl.TZ).timestamp())
            self.stock.begin_day(day, start)
            n = _poisson(rng, self.base_orders * tl.demand(day, scale))
            hours = rng.choices(range(24), cum_weights=hours_cum, k=n)
            for t in sorted(min(end - 1, start + h * _H + rng.randrange(_H)) for h in hours):
                if t <= self.as_of_ts:
                    self._push(t, "order", None, "orders/create")
            limit = min(end - 1, self.as_of_ts)
            while self.heap and self.heap[0][0] <= limit:
                ts, _, action, target, topic = heapq.heappop(self.heap)
                for event in self._handle(ts, action, target, topic):
                    self.n_events += bool(event.topic)
                    yield event
            day, n_days = nxt, n_days + 1
            if self.progress and n_days / scale.days >= next_report - 1e-9:
                print(f"storepulse.synth: {n_days / scale.days:4.0%} {day - dt.timedelta(1)}: "
                      f"{self.n_orders:,} orders, {self.n_events:,} events, "
                      f"{time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
                next_report += 0.1

    # -- one step -------------------------------------------------------------------------

    def _handle(self, ts: int, action: str, target: lc.StepTarget, topic: str) -> list[m.SimEvent]:
        if action == "order":
            return self._checkout(ts)
        if isinstance(target, m.StockTask):
            return self.stock.handle(ts, target) + self.stock.flush(ts)
        if not isinstance(target, m.Order):
            return self._catalog_step(ts, action, target, topic)
        order = target
        self.rng = random.Random((order.seed << 32) + ts)
        obj = lc.apply(self, order, ts, action)
        order.pending -= 1
        order.upcoming.pop(0)
        if isinstance(obj, m.Refund):
            for rl in obj.lines:
                if rl.restock_type in ("return", "cancel") and not rl.line.gift_card:
                    self.stock.restock(rl.line.variant_id, rl.quantity)
        elif action == "void":
            for li in order.lines:
                if not li.gift_card:
                    self.stock.restock(li.variant_id, li.quantity)
        out = [] if obj is None else [m.SimEvent(ts, topic, obj, order, self._next_version(order))]
        out += self.stock.flush(ts)
        if order.pending == 0:
            out.append(m.SimEvent(ts, "", order, order))
        return out

    @staticmethod
    def _next_version(order: m.Order) -> int | None:
        return next((t for t, topic in order.upcoming if topic in VERSION_TOPICS), None)

    def _catalog_step(self, ts: int, action: str, target: lc.StepTarget,
                      topic: str) -> list[m.SimEvent]:
        if action == "customer_update":
            customer = cast(m.Customer, target)
            rng = random.Random(customer.id * 7_919 + ts)
            roll = rng.random()
            if roll < 0.6:
                customer.accepts_marketing = not customer.accepts_marketing
            elif roll < 0.8:
                customer.tags.append(rng.choice(("vip", "racer", "shop account", "wholesale")))
            else:
                customer.phone = (customer.phone
                                  or f"+1{rng.randint(201, 989)}555{rng.randint(100, 199):04d}")
            customer.updated_ts = ts
            return [m.SimEvent(ts, topic, customer)]
        if action == "shop":
            self.shop["changes"] += 1
            self.shop["updated_ts"] = ts
            return [m.SimEvent(ts, topic, dict(self.shop))]
        if action == "reprice":
            rng = self.reprice_rng
            product = self.product_by_id[rng.choice(self.picker.variants).product_id]
            factor = rng.uniform(1.03, 1.10) if rng.random() < 0.75 else rng.uniform(0.85, 0.95)
            for v in product.variants:
                v.price = cat.price95(v.price * Decimal(str(round(factor, 4))))
                self.price_log.append((ts, v.id, v.price))
            product.updated_ts = ts
            return [m.SimEvent(ts, topic, product)]
        product = cast(cat.Product, target)
        product.updated_ts = ts
        if action == "discontinue":
            product.deleted_ts = ts
        self.picker = lc.Picker(self.products, ts, self.stock.demand_factor)
        self.stock.set_rates(self._rates(self.picker))
        if action == "discontinue":
            return [m.SimEvent(ts, topic, product), *self.stock.discontinue(product, ts)]
        return [m.SimEvent(ts, topic, product), *self.stock.launch(product, ts)]

    def _checkout(self, ts: int) -> list[m.SimEvent]:
        seed = self.order_seeds.getrandbits(64)
        self.rng = random.Random(seed)
        events, order = lc.checkout(self, ts)
        if order is None:
            self.n_lost += 1
            return []
        order.seed = seed
        self.n_orders += 1
        plan = [(t, a, tp) for t, a, tp in lc.plan(self, order, ts) if t <= self.as_of_ts]
        for t, action, topic in plan:
            self._push(t, action, order, topic)
        order.pending = len(plan)
        order.upcoming = [(t, tp) for t, _, tp in plan]
        events.append(m.SimEvent(ts, "orders/create", order, order, self._next_version(order)))
        events += self.stock.flush(ts)
        if not plan:
            events.append(m.SimEvent(ts, "", order, order))
        return events

    def region(self) -> m.Region:
        """A ship-to region by order share."""
        return self.regions[bisect.bisect(self.region_cum, self.rng.random() * self.region_cum[-1])]


@lru_cache(maxsize=4)
def expected_order_total(catalog: str = "standard") -> float:
    """Expected total sales of one order of a catalog (Monte Carlo over baskets, fixed stream)."""
    rng = random.Random("hot-rod-an calibration v1")
    picker = lc.Picker(cat.build_catalog(catalog), 0)
    rate = sum(float(r.tax_rate) * w for r, w in tl.REGIONS) / sum(w for _, w in tl.REGIONS)
    total, n = 0.0, 4000
    for _ in range(n):
        sub = sum(float(v.price) * q for v, q in lc.basket(rng, picker))
        ship = 0.12 * 14.95 if sub >= 99 else 0.75 * 9.95 + 0.25 * 14.95
        total += sub * 0.985 * (1 + rate) + ship
    return total / n * 0.94
