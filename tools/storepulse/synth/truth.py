"""Ground truth for the Sales Pulse, computed from the simulation's own orders and refunds.

Never from the payloads. Definitions (money in shop currency, days and hours shop-local):
  counted order   test = false and not deleted (cancelled orders count);
  gross_sales     Σ price × quantity of counted orders' non-gift-card lines (latest
                  version), orders with financial_status "voided" excluded, on the order's day;
  discounts       Σ those lines' discount allocations, order's day;
  returns         Σ refund_line_items.subtotal (non-gift-card lines) − Σ order_adjustments
                  of kind refund_discrepancy, refund's day;
  net_sales       gross_sales − discounts − returns;
  shipping        Σ shipping_lines price (non-voided), order's day, − |shipping_refund
                  adjustments|, refund's day;
  taxes           total_tax (non-voided), order's day, − Σ refund_line_items.total_tax −
                  Σ |adjustment tax_amount|, refund's day;
  total_sales     net_sales + shipping + taxes;
  orders, units   counted orders created that day (voided ones count, with 0 units);
  cancelled_orders / refunded_orders: counted orders created that day cancelled / with a
                  refund as of as_of;
  average order value = (gross_sales − discounts) / orders;
  new customers   distinct customers whose first counted order falls in the period;
  returning       distinct customers with a counted order in the period and a first one
                  before it; guests count in neither;
  refund_rate = returns / gross_sales; cancellation_rate = cancelled_orders / orders.
Today to the minute (`so_far(day, until)`): the same figures of the parts made on a local day
at or before an exact time, an order's at its created time, a refund's at the refund's.
Gross profit (`profit(start, end, unit_costs)`), over the lines whose variant has a known
unit cost (`unit_costs`: variant id → cost, the costs stored before the lines were):
  costed_net_sales  Σ price × quantity − discount of those lines (non-voided, no gift cards),
                    order's day, − Σ their refund lines' subtotal, refund's day;
  cost_of_goods     Σ cost × quantity, order's day, − Σ cost × refunded quantity, refund's day;
  gross_profit = costed_net_sales − cost_of_goods; gross_margin = gross_profit /
  costed_net_sales; cost_coverage = costed_net_sales / net_sales.
Rates and the average are exact `Decimal` quotients (not rounded); money has two places.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from storepulse.synth import model as m

_ORD, _UNITS, _GROSS, _DISC, _RET, _SHIP, _TAX, _CANC, _REFD = range(9)
_P_GROSS, _P_DISC, _P_RET, _P_UNITS = range(4)
_M_ORD, _M_UNITS, _M_GROSS, _M_DISC, _M_RET, _M_SHIP, _M_TAX = range(7)
_V_NET, _V_UNITS = range(2)


def _cents(d: Decimal) -> int:
    return int(d.scaleb(2))


def _money(c: int) -> Decimal:
    return Decimal(c).scaleb(-2)


def _fields(v: list[int]) -> dict[str, Any]:
    return {"orders": v[_ORD], "units": v[_UNITS], "gross_sales": _money(v[_GROSS]),
            "discounts": _money(v[_DISC]), "returns": _money(v[_RET]),
            "shipping": _money(v[_SHIP]), "taxes": _money(v[_TAX]),
            "cancelled_orders": v[_CANC], "refunded_orders": v[_REFD]}


@dataclass(frozen=True)
class DayFigures:
    """One day's (or a period's) Sales Pulse figures."""

    orders: int
    units: int
    gross_sales: Decimal
    discounts: Decimal
    returns: Decimal
    shipping: Decimal
    taxes: Decimal
    cancelled_orders: int
    refunded_orders: int

    @property
    def net_sales(self) -> Decimal:
        """Gross − discounts − returns."""
        return self.gross_sales - self.discounts - self.returns

    @property
    def total_sales(self) -> Decimal:
        """Net + shipping + taxes."""
        return self.net_sales + self.shipping + self.taxes


@dataclass(frozen=True)
class HourFigures:
    """One shop-local hour of a day."""

    orders: int
    units: int
    gross_sales: Decimal
    discounts: Decimal
    returns: Decimal

    @property
    def net_sales(self) -> Decimal:
        """Gross − discounts − returns."""
        return self.gross_sales - self.discounts - self.returns


@dataclass(frozen=True)
class TodayFigures:
    """A local day from midnight to an exact time (the tile's today.so_far)."""

    orders: int
    units: int
    gross_sales: Decimal
    discounts: Decimal
    returns: Decimal
    shipping: Decimal
    taxes: Decimal

    @property
    def net_sales(self) -> Decimal:
        """Gross − discounts − returns."""
        return self.gross_sales - self.discounts - self.returns

    @property
    def total_sales(self) -> Decimal:
        """Net + shipping + taxes."""
        return self.net_sales + self.shipping + self.taxes


@dataclass(frozen=True)
class ProfitFigures:
    """Gross profit over a period (of the shop, or of one product)."""

    costed_net_sales: Decimal
    cost_of_goods: Decimal
    net_sales: Decimal

    @property
    def gross_profit(self) -> Decimal:
        """Costed net sales − cost of goods."""
        return self.costed_net_sales - self.cost_of_goods

    @property
    def gross_margin(self) -> Decimal | None:
        """Gross profit / costed net sales; None without costed net sales."""
        return self.gross_profit / self.costed_net_sales if self.costed_net_sales else None

    @property
    def cost_coverage(self) -> Decimal | None:
        """Costed net sales / net sales: the share of net sales whose cost is known."""
        return self.costed_net_sales / self.net_sales if self.net_sales else None


@dataclass(frozen=True)
class WindowFigures(DayFigures):
    """A period's figures with customers, the average order value and rates."""

    start: dt.date
    end: dt.date
    new_customers: int
    returning_customers: int

    @property
    def average_order_value(self) -> Decimal | None:
        """(Gross − discounts) / orders; None without orders."""
        return (self.gross_sales - self.discounts) / self.orders if self.orders else None

    @property
    def refund_rate(self) -> Decimal | None:
        """Returns / gross sales."""
        return self.returns / self.gross_sales if self.gross_sales else None

    @property
    def cancellation_rate(self) -> Decimal | None:
        """Cancelled orders / orders."""
        return Decimal(self.cancelled_orders) / self.orders if self.orders else None


@dataclass(frozen=True)
class ProductFigures:
    """A product's figures over a day or a period."""

    product_id: int
    title: str
    gross_sales: Decimal
    discounts: Decimal
    returns: Decimal
    units: int

    @property
    def net_sales(self) -> Decimal:
        """Gross − discounts − returns."""
        return self.gross_sales - self.discounts - self.returns


class Truth:
    """Accumulates final orders (`add`), then answers by day, hour, period and product."""

    def __init__(self, tz: ZoneInfo, start: dt.date, end: dt.date, as_of: dt.datetime) -> None:
        """An empty truth for the shop-local days `start` to `end`, as of `as_of`."""
        self.tz, self.start, self.end, self.as_of = tz, start, end, as_of
        self._day: dict[dt.date, list[int]] = defaultdict(lambda: [0] * 9)
        self._hour: dict[tuple[dt.date, int], list[int]] = defaultdict(lambda: [0] * 5)
        self._prod: dict[tuple[dt.date, int], list[int]] = defaultdict(lambda: [0] * 4)
        self._titles: dict[int, str] = {}
        self._first: dict[int, int] = {}
        self._customers: dict[dt.date, set[int]] = defaultdict(set)
        # (epoch seconds, contribution) of each order and refund, by its local day
        self._moments: dict[dt.date, list[tuple[int, list[int]]]] = defaultdict(list)
        # net sales and net units of each variant by day, for the cost of goods
        self._var: dict[tuple[dt.date, int], list[int]] = defaultdict(lambda: [0] * 2)
        self._var_product: dict[int, int] = {}
        self.refund_discrepancy = Decimal("0.00")

    def _local(self, ts: int) -> tuple[dt.date, int]:
        t = dt.datetime.fromtimestamp(ts, self.tz)
        return t.date(), t.hour

    def add(self, o: m.Order) -> None:
        """Account one order in its final state (as of as_of)."""
        if o.test or o.deleted:
            return
        d, h = self._local(o.created_ts)
        day, hour = self._day[d], self._hour[d, h]
        moment = [0] * 7
        self._moments[d].append((o.created_ts, moment))
        day[_ORD] += 1
        hour[0] += 1
        moment[_M_ORD] += 1
        day[_CANC] += o.cancelled_ts is not None
        day[_REFD] += bool(o.refunds)
        if o.customer is not None:
            cid = o.customer.id
            self._first[cid] = min(self._first.get(cid, o.created_ts), o.created_ts)
            self._customers[d].add(cid)
        if o.financial_status != "voided":
            for li in o.lines:
                if li.gift_card:
                    continue
                g, disc = _cents(li.total), _cents(li.discount)
                p = self._prod[d, li.product_id]
                self._titles[li.product_id] = li.title
                for acc, gi, di, ui in ((day, _GROSS, _DISC, _UNITS), (hour, 2, 3, 1),
                                        (p, _P_GROSS, _P_DISC, _P_UNITS),
                                        (moment, _M_GROSS, _M_DISC, _M_UNITS)):
                    acc[gi] += g
                    acc[di] += disc
                    acc[ui] += li.quantity
                v = self._var[d, li.variant_id]
                v[_V_NET] += g - disc
                v[_V_UNITS] += li.quantity
                self._var_product[li.variant_id] = li.product_id
            for acc, si, ti in ((day, _SHIP, _TAX), (moment, _M_SHIP, _M_TAX)):
                acc[si] += _cents(o.shipping_price)
                acc[ti] += _cents(o.total_tax)
        for r in o.refunds:
            self._add_refund(r)

    def _add_refund(self, r: m.Refund) -> None:
        rd, rh = self._local(r.created_ts)
        rday, rhour = self._day[rd], self._hour[rd, rh]
        moment = [0] * 7
        self._moments[rd].append((r.created_ts, moment))
        for rl in r.lines:
            rday[_TAX] -= _cents(rl.total_tax)
            moment[_M_TAX] -= _cents(rl.total_tax)
            if rl.line.gift_card:
                continue
            sub = _cents(rl.subtotal)
            rday[_RET] += sub
            rhour[4] += sub
            moment[_M_RET] += sub
            self._prod[rd, rl.line.product_id][_P_RET] += sub
            self._titles[rl.line.product_id] = rl.line.title
            v = self._var[rd, rl.line.variant_id]
            v[_V_NET] -= sub
            v[_V_UNITS] -= rl.quantity
            self._var_product[rl.line.variant_id] = rl.line.product_id
        for a in r.adjustments:
            rday[_TAX] -= abs(_cents(a.tax_amount))
            moment[_M_TAX] -= abs(_cents(a.tax_amount))
            if a.kind == "shipping_refund":
                rday[_SHIP] -= abs(_cents(a.amount))
                moment[_M_SHIP] -= abs(_cents(a.amount))
            elif a.kind == "refund_discrepancy":
                rday[_RET] -= _cents(a.amount)
                rhour[4] -= _cents(a.amount)
                moment[_M_RET] -= _cents(a.amount)
                self.refund_discrepancy += a.amount

    def _days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]

    def day(self, d: dt.date) -> DayFigures:
        """One day's figures (zeros for a day without activity)."""
        return DayFigures(**_fields(self._day.get(d, [0] * 9)))

    def daily(self) -> dict[dt.date, DayFigures]:
        """Every day from the first to as_of's (partial) day."""
        return {d: self.day(d) for d in self._days(self.start, self.end)}

    def hourly(self, d: dt.date) -> dict[int, HourFigures]:
        """Hours 0-23 of a day by the shop-local hour of order / refund creation."""
        out = {}
        for h in range(24):
            v = self._hour.get((d, h), [0] * 5)
            out[h] = HourFigures(v[0], v[1], _money(v[2]), _money(v[3]), _money(v[4]))
        return out

    def window(self, start: dt.date, end: dt.date) -> WindowFigures:
        """A period's figures, `end` inclusive."""
        days = self._days(start, end)
        sums = [sum(self._day[d][i] for d in days if d in self._day) for i in range(9)]
        seen = set().union(*(self._customers.get(d, set()) for d in days))
        lo = dt.datetime.combine(start, dt.time(), self.tz).timestamp()
        new = sum(1 for c in seen if self._first[c] >= lo)
        return WindowFigures(**_fields(sums), start=start, end=end, new_customers=new,
                             returning_customers=len(seen) - new)

    def total(self) -> WindowFigures:
        """The whole history."""
        return self.window(self.start, self.end)

    def products(self, start: dt.date, end: dt.date) -> dict[int, ProductFigures]:
        """Per product over a period (products with any activity)."""
        acc: dict[int, list[int]] = defaultdict(lambda: [0] * 4)
        for (d, pid), v in self._prod.items():
            if start <= d <= end:
                acc[pid] = [a + b for a, b in zip(acc[pid], v, strict=True)]
        return {pid: ProductFigures(pid, self._titles[pid], _money(v[0]), _money(v[1]),
                                    _money(v[2]), v[3]) for pid, v in sorted(acc.items())}

    def product_daily(self, d: dt.date) -> dict[int, ProductFigures]:
        """Per product on one day."""
        return self.products(d, d)

    def top_products(self, start: dt.date, end: dt.date, n: int = 10) -> list[ProductFigures]:
        """The n best products by net sales (ties: lower product id first)."""
        items = self.products(start, end).values()
        return sorted(items, key=lambda p: (-p.net_sales, p.product_id))[:n]

    def so_far(self, d: dt.date, until: dt.datetime) -> TodayFigures:
        """Day `d` from local midnight to `until` inclusive, to the second.

        `until` is aware, or naive shop-local wall time (an ambiguous one, in the hour a
        fall-back repeats, is taken as standard time, as PostgreSQL does). Orders count at
        their created time, refunds at theirs; only those made on local day `d` count.
        """
        if until.tzinfo is None:
            until = until.replace(tzinfo=self.tz, fold=1)
        cut = until.timestamp()
        v = [0] * 7
        for ts, part in self._moments.get(d, []):
            if ts <= cut:
                v = [a + b for a, b in zip(v, part, strict=True)]
        return TodayFigures(v[_M_ORD], v[_M_UNITS], _money(v[_M_GROSS]), _money(v[_M_DISC]),
                            _money(v[_M_RET]), _money(v[_M_SHIP]), _money(v[_M_TAX]))

    def moments(self, d: dt.date) -> list[int]:
        """The exact times (epoch seconds, ascending) of the orders and refunds of day `d`."""
        return sorted(ts for ts, _ in self._moments.get(d, []))

    def profit(self, start: dt.date, end: dt.date, unit_costs: Mapping[int, Decimal],
               product_id: int | None = None) -> ProfitFigures:
        """Gross profit over a period (`end` inclusive), of the shop or of one product.

        `unit_costs` maps the variants whose cost is known to it; the lines of any other
        variant add to net sales only. A variant's cost never changes in the simulation
        (repricing moves prices only), so the cost the lines were stored with is this one.
        """
        net = cogs = 0
        for (d, vid), v in self._var.items():
            if not start <= d <= end or vid not in unit_costs:
                continue
            if product_id is not None and self._var_product[vid] != product_id:
                continue
            net += v[_V_NET]
            cogs += _cents(unit_costs[vid] * v[_V_UNITS])
        if product_id is None:
            net_sales = self.window(start, end).net_sales
        else:
            fig = self.products(start, end).get(product_id)
            net_sales = fig.net_sales if fig else Decimal("0.00")
        return ProfitFigures(_money(net), _money(cogs), net_sales)

    def first_active_day(self) -> dt.date | None:
        """The first day with any figure (the first row a rollup of the days would have)."""
        return min((d for d, v in self._day.items() if any(v)), default=None)

    def first_order_dates(self) -> dict[int, dt.date]:
        """Each customer's first counted order day."""
        return {c: self._local(ts)[0] for c, ts in self._first.items()}
