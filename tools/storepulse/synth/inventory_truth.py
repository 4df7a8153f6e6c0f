"""Ground truth for the Inventory Watch, from the simulation's own stock ledger and orders.

Never from the payloads: the levels' versions are the stock model's history (exactly what
the inventory_levels/* payloads say, second for second), the sales are the final orders.
Definitions (the ones the SQL side implements; Decimal arithmetic, ROUND_HALF_UP):

  Days are shop-local (America/Los_Angeles); D is the local day of as_of; a lookback of n
  days is the complete days D-n .. D-1. A figure is per variant (its inventory item's).
  The set: variants of products live at as_of (created at or before, not deleted by then)
  whose inventory item is tracked (no gift cards), with at least one connected level.
  Stock: a level's available at a moment is its latest version (updated_at) at or before
  it, null (disconnected) = 0; a variant's is the sum over its levels (may be negative).
  Snapshots: per level and per variant, the close (available at the end of the day) and
  the low (the least at the day's start and at each version time within the day; a level
  without a version yet at the day's start adds nothing there). A day before the first
  level is not observed.
  out-of-stock day: low <= 0; in-stock day: an observed day that is not out of stock.
  net units of a day: units of the variant's lines of counted orders (not test, not
  deleted, not voided; quantities after edits) on the order's day, less units refunded
  (every restock type) on the refund's day.
  lookback 30 days, 90 for a slow mover (fewer than 10 net units in the 30 days, or
  fewer than 7 in-stock days in them); velocity = Σ net units of the lookback's in-stock
  days / their number (4 places, never below 0; None without an in-stock day); sigma =
  sample standard deviation of those days' net units (0 with fewer than 2), 4 places.
  ABC by net sales over 90 days (price x quantity - discount allocation on the order's
  day, less refund line subtotals on the refund's day; no refund_discrepancy): ranked
  desc then variant id; A while the net sales ranked above sum to below 80 % of the
  positive total, B below 95 %, else C; no positive net sales: C. z: A 2.0537, B 1.6449,
  C 1.2816. Lead time L: the variant's quoted override, else its supplier's, else 14.
  safety stock = z x sigma x sqrt(L) (2 places); reorder point = velocity x L + safety
  stock (2 places); on order = POs ordered at or before as_of not received by then;
  position = available + on order; needs reorder: velocity > 0 and position <= reorder
  point; reorder quantity: the units bringing the position up to velocity x (L + 30) +
  safety stock, rounded up, then up to the supplier's order multiple (0 if reached);
  days of cover = available / velocity (1 place); stock-out date = D + floor(available /
  velocity) days; next receipt: the earliest expected_on of the open POs; urgent: needs
  reorder and the stock-out date before the next receipt (or none); lost revenue per day
  (available <= 0) = velocity x price at as_of (2 places); excess units = floor(position -
  (velocity x (L + 7) + safety stock)) when positive, value = excess x unit cost; dead
  stock: available > 0, no unit ordered (gross, on the order's day) in D-90 .. D-1, first
  level before D-90, value = available x unit cost. Shop: stock value = Σ max(available,
  0) x unit cost (variants with a known cost); cost coverage = their share of the units
  max(available, 0) (4 places); sell-through over 30 days = units ordered D-30 .. D-1 /
  (those + Σ max(close of D-1, 0)) (4 places); top movers by net units over 30 days
  (every day), then variant id.

Readings where the words leave a choice (documented so both sides agree): when
available <= 0, days of cover is 0 and the stock-out date is D even without a velocity;
without a velocity, the reorder point is None, the reorder quantity and excess 0, and
lost revenue None; lost revenue is None for a variant in stock. Orders are taken as they
stand at the end of the history (the scale's as_of: the final versions a database holds),
counted by their days, so a figure as of an earlier moment uses only days before it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from storepulse.synth import catalog as cat
from storepulse.synth import model as m
from storepulse.synth.stock import DEFAULT_LEAD_TIME, LostDemand, PurchaseOrder, Supplier
from storepulse.synth.timeline import TZ

if TYPE_CHECKING:
    from storepulse.synth.simulate import Simulation

_Q4, _Q2, _Q1 = Decimal("0.0001"), Decimal("0.01"), Decimal("0.1")
Z = {"A": Decimal("2.0537"), "B": Decimal("1.6449"), "C": Decimal("1.2816")}
_GROSS, _REFUNDED, _NET = range(3)


@dataclass(frozen=True)
class VariantFigures:
    """Every Inventory Watch figure of one variant as of a moment."""

    variant_id: int
    sku: str
    product_id: int
    inventory_item_id: int
    price: Decimal
    unit_cost: Decimal | None
    available: int
    on_order: int
    position: int
    lookback_days: int
    in_stock_days: int
    net_units_30: int
    velocity: Decimal | None
    sigma: Decimal
    net_sales_90: Decimal
    abc: str
    z: Decimal
    lead_time: int
    safety_stock: Decimal
    reorder_point: Decimal | None
    needs_reorder: bool
    reorder_quantity: int
    supplier: str | None
    days_of_cover: Decimal | None
    stockout_date: dt.date | None
    next_receipt: dt.date | None
    urgent: bool
    lost_revenue_per_day: Decimal | None
    excess_units: int
    excess_value: Decimal
    dead_stock: bool
    dead_stock_value: Decimal
    units_ordered_30: int
    last_sale_day: dt.date | None
    first_level_day: dt.date


@dataclass(frozen=True)
class InventoryFigures:
    """The shop's Inventory Watch figures as of a moment, with every variant's."""

    as_of: dt.datetime
    day: dt.date
    variants: dict[int, VariantFigures]
    stock_value: Decimal
    cost_coverage: Decimal | None
    sell_through_30: Decimal | None
    units_ordered_30: int
    variant_count: int
    out_of_stock: int
    needs_reorder: int
    urgent: int
    overstock: int
    dead_stock: int
    excess_value: Decimal
    dead_stock_value: Decimal
    lost_revenue_per_day: Decimal
    top_movers: tuple[int, ...]


def _aware(ts: int | float | dt.datetime) -> int:
    if isinstance(ts, dt.datetime):
        if ts.tzinfo is None:
            raise ValueError("a naive datetime: give an aware one (or epoch seconds)")
        return int(ts.timestamp())
    return int(ts)


class InventoryTruth:
    """Accumulates final orders (`add`), then takes the stock ledger (`finish`) and answers."""

    def __init__(self) -> None:
        """An empty truth."""
        self._sales: dict[int, dict[dt.date, list[int]]] = defaultdict(
            lambda: defaultdict(lambda: [0, 0, 0]))
        self._sale_ts: dict[int, list[int]] = defaultdict(list)
        self._day_start: dict[dt.date, int] = {}

    # -- building -------------------------------------------------------------------------

    def add(self, o: m.Order) -> None:
        """Account one order in its final state."""
        if o.test or o.deleted or o.financial_status == "voided":
            return
        d = dt.datetime.fromtimestamp(o.created_ts, TZ).date()
        for li in o.lines:
            if li.gift_card:
                continue
            acc = self._sales[li.variant_id][d]
            acc[_GROSS] += li.quantity
            acc[_NET] += int((li.total - li.discount).scaleb(2))
            self._sale_ts[li.variant_id].append(o.created_ts)
        for r in o.refunds:
            rd = dt.datetime.fromtimestamp(r.created_ts, TZ).date()
            for rl in r.lines:
                if rl.line.gift_card:
                    continue
                acc = self._sales[rl.line.variant_id][rd]
                acc[_REFUNDED] += rl.quantity
                acc[_NET] -= int(rl.subtotal.scaleb(2))

    def finish(self, sim: Simulation) -> None:
        """Take the stock ledger, catalog and prices of a simulation that has run."""
        stock = sim.stock
        self.load(sim.as_of_ts, sim.products, stock.hist,
                  purchase_orders=stock.purchase_orders(), suppliers=stock.suppliers,
                  initial_prices=sim.initial_prices, price_log=sim.price_log, lost=stock.lost)

    def load(self, as_of_ts: int, products: Iterable[cat.Product],
             levels: Mapping[tuple[int, int], tuple[list[int], list[int | None]]], *,
             purchase_orders: Iterable[PurchaseOrder], suppliers: Iterable[Supplier],
             initial_prices: Mapping[int, Decimal],
             price_log: Iterable[tuple[int, int, Decimal]] = (),
             lost: Iterable[LostDemand] = ()) -> None:
        """Take a stock ledger directly (what `finish` reads from a simulation).

        `products` with their created_ts / deleted_ts; `levels`: (variant id, location id)
        → (version times, available or None), times strictly increasing; `price_log`:
        (time, variant id, new price); `as_of_ts`: the default as_of of `figures`.
        """
        self.as_of_ts = as_of_ts
        self.products = {p.id: p for p in products}
        self.variants: dict[int, cat.Variant] = {
            v.id: v for p in self.products.values() for v in p.variants}
        self.suppliers: dict[int, Supplier] = {}
        self.lead_times: dict[int, int] = {}
        for sup in suppliers:
            for vid in sup.variant_ids:
                self.suppliers[vid] = sup
                self.lead_times[vid] = sup.lead_time_overrides.get(vid, sup.lead_time_days)
        self.levels = {key: (list(t), list(v)) for key, (t, v) in levels.items()}
        self.lost: list[LostDemand] = list(lost)
        self.pos: list[_PO] = []
        self._po_by_variant: dict[int, list[int]] = defaultdict(list)
        for po in purchase_orders:
            self._po_by_variant[po.variant_id].append(len(self.pos))
            self.pos.append(_PO(po.quantity, int(po.ordered_at.timestamp()), po.expected_on,
                                None if po.received_at is None
                                else int(po.received_at.timestamp())))
        prices: dict[int, tuple[list[int], list[Decimal]]] = {
            vid: ([-(2 ** 62)], [price]) for vid, price in initial_prices.items()}
        for ts, vid, price in price_log:
            prices[vid][0].append(ts)
            prices[vid][1].append(price)
        self._prices = prices
        for ts_list in self._sale_ts.values():
            ts_list.sort()
        # each variant's available as a step function: (times, sums) at each version time
        by_variant: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for key in self.levels:
            by_variant[key[0]].append(key)
        self._keys = {vid: tuple(keys) for vid, keys in by_variant.items()}
        self._steps: dict[int, tuple[list[int], list[int]]] = {}
        self._first: dict[int, int] = {}
        for vid, keys in by_variant.items():
            merged = sorted((t, k, v) for k, key in enumerate(keys)
                            for t, v in zip(*self.levels[key], strict=True))
            current = [0] * len(keys)
            times: list[int] = []
            sums: list[int] = []
            for t, k, v in merged:
                current[k] = v or 0
                if times and times[-1] == t:
                    sums[-1] = sum(current)
                else:
                    times.append(t)
                    sums.append(sum(current))
            self._steps[vid] = (times, sums)
            self._first[vid] = times[0]

    # -- stock ----------------------------------------------------------------------------

    def _start(self, d: dt.date) -> int:
        s = self._day_start.get(d)
        if s is None:
            s = self._day_start[d] = int(dt.datetime.combine(d, dt.time(), TZ).timestamp())
        return s

    def _close_low(self, times: list[int], values: Sequence[int | None], d: dt.date
                   ) -> tuple[int, int] | None:
        s, e = self._start(d), self._start(d + dt.timedelta(days=1))
        j = bisect.bisect_right(times, e - 1)
        if j == 0:
            return None
        i = bisect.bisect_right(times, s) - 1
        return values[j - 1] or 0, min(v or 0 for v in values[max(i, 0):j])

    def levels_at(self, when: int | float | dt.datetime) -> dict[tuple[int, int], int | None]:
        """(variant id, location id) → available at a moment (None: disconnected)."""
        return {key: v for key, (v, _) in self.level_versions_at(when).items()}

    def level_versions_at(self, when: int | float | dt.datetime
                          ) -> dict[tuple[int, int], tuple[int | None, int]]:
        """(variant id, location id) → (available, updated_ts) of the latest version."""
        ts = _aware(when)
        out = {}
        for key, (times, values) in self.levels.items():
            i = bisect.bisect_right(times, ts) - 1
            if i >= 0:
                out[key] = (values[i], times[i])
        return out

    def snapshot(self, day: dt.date) -> dict[tuple[int, int], tuple[int, int]]:
        """(variant id, location id) → (close, low) of a day, for the levels observed then."""
        out = {}
        for key, (times, values) in self.levels.items():
            cl = self._close_low(times, values, day)
            if cl is not None:
                out[key] = cl
        return out

    def variant_day(self, day: dt.date) -> dict[int, tuple[int, int]]:
        """Variant id → (close, low) of a day, for the variants observed then."""
        out = {}
        for vid, (times, sums) in self._steps.items():
            cl = self._close_low(times, sums, day)
            if cl is not None:
                out[vid] = cl
        return out

    def lost_demand(self) -> list[LostDemand]:
        """Units wanted and not sold because the variant was out, in time order."""
        return list(self.lost)

    # -- figures --------------------------------------------------------------------------

    def tracked_variants(self, when: int | float | dt.datetime) -> list[int]:
        """The set the figures cover as of a moment, by variant id."""
        ts = _aware(when)
        out = []
        for vid, v in self.variants.items():
            p = self.products[v.product_id]
            if v.gift_card or p.created_ts > ts or (p.deleted_ts is not None
                                                    and p.deleted_ts <= ts):
                continue
            for key in self._keys.get(vid, ()):
                times, values = self.levels[key]
                i = bisect.bisect_right(times, ts) - 1
                if i >= 0 and values[i] is not None:
                    out.append(vid)
                    break
        return sorted(out)

    def price_at(self, vid: int, ts: int) -> Decimal:
        """A variant's price at a moment."""
        times, values = self._prices[vid]
        return values[bisect.bisect_right(times, ts) - 1]

    def figures(self, as_of: int | float | dt.datetime | None = None) -> InventoryFigures:
        """Every figure as of `as_of` (default: the scale's as_of)."""
        ts = self.as_of_ts if as_of is None else _aware(as_of)
        day = dt.datetime.fromtimestamp(ts, TZ).date()
        days90 = [day - dt.timedelta(days=n) for n in range(90, 0, -1)]
        rows = {vid: self._row(vid, ts, days90) for vid in self.tracked_variants(ts)}
        ranked = sorted(rows, key=lambda vid: (-rows[vid].net90, vid))
        positive = sum(rows[vid].net90 for vid in ranked if rows[vid].net90 > 0)
        above = 0
        classes = {}
        for vid in ranked:
            net = rows[vid].net90
            if net <= 0:
                classes[vid] = "C"
                continue
            classes[vid] = ("A" if above * 100 < positive * 80
                            else "B" if above * 100 < positive * 95 else "C")
            above += net
        figures = {vid: self._complete(vid, ts, day, rows[vid], classes[vid])
                   for vid in sorted(rows)}
        return self._shop(ts, day, figures, rows)

    def _row(self, vid: int, ts: int, days90: list[dt.date]) -> _Row:
        times, sums = self._steps[vid]
        sales = self._sales.get(vid, {})
        first30 = days90[-30]
        row = _Row()
        window: list[tuple[bool, int]] = []  # (in stock, net units) of each day
        for d in days90:
            cl = self._close_low(times, sums, d)
            acc = sales.get(d)
            net = acc[_GROSS] - acc[_REFUNDED] if acc else 0
            window.append((cl is not None and cl[1] > 0, net))
            row.close_prev = cl[0] if cl is not None else 0
            if acc:
                row.net90 += acc[_NET]
                row.gross90 += acc[_GROSS]
                if d >= first30:
                    row.gross30 += acc[_GROSS]
            if d >= first30:
                row.net30 += net
                row.in30 += cl is not None and cl[1] > 0
        row.lookback = 90 if row.net30 < 10 or row.in30 < 7 else 30
        row.xs = [net for ins, net in window[-row.lookback:] if ins]
        i = bisect.bisect_right(times, ts) - 1
        row.available = sums[i] if i >= 0 else 0
        return row

    def _complete(self, vid: int, ts: int, day: dt.date, row: _Row, abc: str
                  ) -> VariantFigures:
        v, xs, available = self.variants[vid], row.xs, row.available
        n = len(xs)
        velocity = None
        if n:
            velocity = max(Decimal("0.0000"),
                           (Decimal(sum(xs)) / n).quantize(_Q4, ROUND_HALF_UP))
        sigma = Decimal("0.0000")
        if n >= 2:
            s1, s2 = sum(xs), sum(x * x for x in xs)
            sigma = (Decimal(n * s2 - s1 * s1) / Decimal(n * (n - 1))).sqrt().quantize(
                _Q4, ROUND_HALF_UP)
        supplier = self.suppliers.get(vid)
        lead = self.lead_times.get(vid, DEFAULT_LEAD_TIME)
        multiple = supplier.order_multiple if supplier else 1
        z = Z[abc]
        safety = (z * sigma * Decimal(lead).sqrt()).quantize(_Q2, ROUND_HALF_UP)
        open_pos = [po for po in (self.pos[i] for i in self._po_by_variant.get(vid, []))
                    if po.ordered_ts <= ts and (po.received_ts is None or po.received_ts > ts)]
        on_order = sum(po.quantity for po in open_pos)
        position = available + on_order
        next_receipt = min((po.expected_on for po in open_pos), default=None)
        reorder_point = None
        needs = False
        reorder_qty = excess = 0
        if velocity is not None:
            reorder_point = (velocity * lead + safety).quantize(_Q2, ROUND_HALF_UP)
            needs = velocity > 0 and position <= reorder_point
            gap = velocity * (lead + 30) + safety - position
            if gap > 0:
                units = int(gap.to_integral_value(rounding=ROUND_CEILING))
                reorder_qty = -(-units // multiple) * multiple
            over = position - (velocity * (lead + 7) + safety)
            excess = max(0, int(over.to_integral_value(rounding=ROUND_FLOOR)))
        cover, stockout = _cover(available, velocity, day)
        urgent = needs and stockout is not None and (next_receipt is None
                                                     or stockout < next_receipt)
        price = self.price_at(vid, ts)
        lost = None
        if available <= 0 and velocity is not None:
            lost = (velocity * price).quantize(_Q2, ROUND_HALF_UP)
        cost = None if v.gift_card else v.cost
        unit = cost if cost is not None else Decimal("0.00")
        first_day = dt.datetime.fromtimestamp(self._first[vid], TZ).date()
        dead = available > 0 and row.gross90 == 0 and first_day < day - dt.timedelta(days=90)
        sale_ts = self._sale_ts.get(vid, [])
        j = bisect.bisect_right(sale_ts, ts)
        last_sale = dt.datetime.fromtimestamp(sale_ts[j - 1], TZ).date() if j else None
        return VariantFigures(
            variant_id=vid, sku=v.sku, product_id=v.product_id,
            inventory_item_id=v.inventory_item_id, price=price, unit_cost=cost,
            available=available, on_order=on_order, position=position,
            lookback_days=row.lookback, in_stock_days=n, net_units_30=row.net30,
            velocity=velocity, sigma=sigma, net_sales_90=Decimal(row.net90).scaleb(-2),
            abc=abc, z=z, lead_time=lead, safety_stock=safety, reorder_point=reorder_point,
            needs_reorder=needs, reorder_quantity=reorder_qty,
            supplier=supplier.name if supplier else None, days_of_cover=cover,
            stockout_date=stockout, next_receipt=next_receipt, urgent=urgent,
            lost_revenue_per_day=lost, excess_units=excess, excess_value=excess * unit,
            dead_stock=dead, dead_stock_value=available * unit if dead else Decimal("0.00"),
            units_ordered_30=row.gross30, last_sale_day=last_sale, first_level_day=first_day)

    def _shop(self, ts: int, day: dt.date, rows: dict[int, VariantFigures],
              raw: dict[int, _Row]) -> InventoryFigures:
        units = costed = 0
        value = Decimal("0.00")
        for f in rows.values():
            on_hand = max(f.available, 0)
            units += on_hand
            if f.unit_cost is not None:
                costed += on_hand
                value += on_hand * f.unit_cost
        ordered = sum(f.units_ordered_30 for f in rows.values())
        left = sum(max(raw[vid].close_prev, 0) for vid in rows)
        sell = ((Decimal(ordered) / (ordered + left)).quantize(_Q4, ROUND_HALF_UP)
                if ordered + left else None)
        movers = sorted(rows.values(), key=lambda f: (-f.net_units_30, f.variant_id))[:10]
        fs = list(rows.values())
        return InventoryFigures(
            as_of=dt.datetime.fromtimestamp(ts, TZ), day=day, variants=rows, stock_value=value,
            cost_coverage=(Decimal(costed) / units).quantize(_Q4, ROUND_HALF_UP) if units
            else None,
            sell_through_30=sell, units_ordered_30=ordered, variant_count=len(fs),
            out_of_stock=sum(f.available <= 0 for f in fs),
            needs_reorder=sum(f.needs_reorder for f in fs), urgent=sum(f.urgent for f in fs),
            overstock=sum(f.excess_units > 0 for f in fs), dead_stock=sum(f.dead_stock for f in fs),
            excess_value=sum((f.excess_value for f in fs), Decimal("0.00")),
            dead_stock_value=sum((f.dead_stock_value for f in fs), Decimal("0.00")),
            lost_revenue_per_day=sum((f.lost_revenue_per_day for f in fs
                                      if f.lost_revenue_per_day is not None), Decimal("0.00")),
            top_movers=tuple(f.variant_id for f in movers))


def _cover(available: int, velocity: Decimal | None, day: dt.date
           ) -> tuple[Decimal | None, dt.date | None]:
    """Days of cover (1 place) and the stock-out date."""
    if available <= 0:
        return Decimal("0.0"), day
    if velocity is None or velocity == 0:
        return None, None
    cover = (Decimal(available) / velocity).quantize(_Q1, ROUND_HALF_UP)
    return cover, day + dt.timedelta(days=available * 10_000 // int(velocity.scaleb(4)))


@dataclass(frozen=True, slots=True)
class _PO:
    """What the figures need of a purchase order (times in epoch seconds)."""

    quantity: int
    ordered_ts: int
    expected_on: dt.date
    received_ts: int | None


@dataclass(slots=True)
class _Row:
    """A variant's raw sums over the 90 days before D."""

    net90: int = 0
    gross90: int = 0
    gross30: int = 0
    net30: int = 0
    in30: int = 0
    lookback: int = 30
    close_prev: int = 0
    available: int = 0
    xs: list[int] = field(default_factory=list)
