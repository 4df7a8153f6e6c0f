"""An order's life: the checkout, the plan of its later steps, and applying each step.

Rates (of real, non-test orders unless said):
  test orders 1 % (half deleted within 3 days); guest checkouts 3 %; repeat customers
  about 35 % of orders; payment authorised at checkout and captured later 2.5 % (30 % of
  those voided and cancelled instead: financial_status "voided"); paid orders cancelled
  within a day with a full refund (restock_type "cancel", shipping refunded) 1.8 %, 15 %
  of those deleted weeks later; edits before fulfilment 2 % (a line added, or a quantity
  increased); refunds 6.8 %, 3 to 35 days after fulfilment (55 % full, else one line
  partly; restock "return" 70 % / "no_restock"; 40 % of full ones refund shipping), 15 %
  of refunded orders refunded a second time; a no-change orders/updated minutes after
  checkout on half the orders; fulfilment 4 to 60 hours after payment.

Stock (storepulse.synth.stock): a checkout first draws its basket, then takes each line
from stock (`Simulation.sell`); a line of a variant out of stock may be dropped, and a
checkout whose every line was dropped places no order and leaves no trace (no customer,
no id; a gift card drawn with it is not bought alone). An edit's added units are taken
the same way (nothing to add: no edit).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol, TypeAlias

from storepulse.synth import catalog as cat
from storepulse.synth import model as m
from storepulse.synth import timeline as tl

StepTarget: TypeAlias = m.Order | m.Customer | cat.Product | m.StockTask | None
"""What a step acts on: an order, a customer, a product, a stock task, or None (checkouts,
reprices, shop)."""


class Simulation(Protocol):
    """What an order's lifecycle reads and draws from the running simulation.

    storepulse.synth.simulate.Simulation is the one implementation.
    """

    rng: random.Random
    products: list[cat.Product]
    product_by_id: dict[int, cat.Product]
    customers: list[m.Customer]
    counters: dict[str, int]
    number: int
    as_of_ts: int
    discrepancy_rate: float
    picker: Picker

    def next_id(self, kind: str) -> int:
        """The next Shopify-like id of a resource kind."""

    def sell(self, v: cat.Variant, quantity: int, ts: int, kind: str = "checkout") -> int:
        """Take up to `quantity` units of `v` from stock at `ts` ("checkout" or "edit")."""

    def product_variant(self, variant_id: int) -> cat.Variant:
        """A variant by id."""

    def region(self) -> m.Region:
        """A ship-to region drawn by order share."""

    def _push(self, ts: int, action: str, target: StepTarget, topic: str) -> None:
        """Schedule a later step of the simulation."""

_H, _D = 3600, 86400
_LINES = (0.36, 0.28, 0.17, 0.12, 0.07)
_NOTES = ("Wrong size", "Ordered the wrong thread", "Project cancelled", "Damaged in transit",
          None, None)


class Picker:
    """Weighted choice of a variant among the live products (gift cards apart)."""

    def __init__(self, products: list[cat.Product], now: int,
                 demand_factor: Mapping[int, float] | None = None) -> None:
        """Weigh the variants of the products live at `now` by category share and weight.

        `demand_factor` scales some variants' weight (the stock model's dead stock).
        """
        factor = demand_factor or {}
        live = [p for p in products if not p.gift_card and p.created_ts <= now
                and p.deleted_ts is None]
        per_type: dict[str, float] = {}
        for p in live:
            per_type[p.product_type] = per_type.get(p.product_type, 0.0) + p.weight
        self.variants: list[cat.Variant] = []
        weights = []
        for p in live:
            share = cat.CATEGORY_SHARE[p.product_type] * p.weight / per_type[p.product_type]
            vsum = sum(v.weight for v in p.variants)
            for v in p.variants:
                self.variants.append(v)
                weights.append(share * v.weight / vsum * factor.get(v.id, 1.0))
        self.cum = list(itertools.accumulate(weights))
        self.types = {v.id: p.product_type for p in live for v in p.variants}

    def pick(self, rng: random.Random) -> cat.Variant:
        """One variant."""
        return self.variants[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def basket(rng: random.Random, picker: Picker) -> list[tuple[cat.Variant, int]]:
    """The variants and quantities of one cart (1-5 lines, fittings in pairs and fours)."""
    lines: dict[int, list[Any]] = {}
    for _ in range(rng.choices(range(1, 6), weights=_LINES)[0]):
        v = picker.pick(rng)
        weights = cat.QUANTITY_WEIGHTS.get(picker.types[v.id], (1.0,))
        q = rng.choices(range(1, len(weights) + 1), weights=weights)[0]
        if v.id in lines:
            lines[v.id][1] += q
        else:
            lines[v.id] = [v, q]
    return [(v, q) for v, q in lines.values()]


def _new_customer(sim: Simulation, ts: int) -> m.Customer:
    rng, n = sim.rng, sim.counters["customer"] + 1
    first, last = rng.choice(tl.FIRST_NAMES), rng.choice(tl.LAST_NAMES)
    email = f"{first}.{last}{n}@example.{rng.choice(('com', 'net', 'org'))}".lower()
    phone = (f"+1{rng.randint(201, 989)}555{rng.randint(100, 199):04d}" if rng.random() < 0.55
             else None)
    customer = m.Customer(sim.next_id("customer"), first, last, email, phone, sim.region(),
                          f"{rng.randint(10, 9999)} {rng.choice(tl.STREETS)}", ts, ts,
                          rng.random() < 0.45)
    sim.customers.append(customer)
    return customer


# One function on purpose: the random draws happen in this order, and the order fixes every store.
def checkout(sim: Simulation, ts: int  # noqa: PLR0912, PLR0915
             ) -> tuple[list[Any], m.Order | None]:
    """Place an order at `ts`: its customer events first, then the order (not yet emitted).

    The basket is drawn first and taken from stock; None (and no event) when every line
    was dropped for want of stock. `sim.rng` is this checkout's own stream.
    """
    rng, events = sim.rng, []
    wanted = basket(rng, sim.picker)
    card = None
    if rng.random() < 0.006:
        card = rng.choice(next(p for p in sim.products if p.gift_card).variants)
    sold = [(v, n) for v, q in wanted if (n := sim.sell(v, q, ts)) > 0]
    if not sold:
        return [], None
    test, customer, new = rng.random() < 0.01, None, False
    if test:
        email = "qa+test@hotrodan.example"
    elif rng.random() < 0.03:
        email = f"guest{sim.counters['order'] + 1}@example.com"
    else:
        pool = sim.customers
        if pool and rng.random() < 0.37 * min(1.0, len(pool) / 300):
            customer = pool[int(len(pool) * (1 - rng.random() ** 1.6))]
            if rng.random() < 0.06:
                customer.region = sim.region()
                customer.address1 = f"{rng.randint(10, 9999)} {rng.choice(tl.STREETS)}"
                customer.updated_ts = ts
                events.append(m.SimEvent(ts, "customers/update", customer))
        else:
            customer, new = _new_customer(sim, ts), True
            events.append(m.SimEvent(ts, "customers/create", customer))
            if rng.random() < 0.08 and ts + _D <= sim.as_of_ts:
                sim._push(min(sim.as_of_ts, ts + rng.randint(_D, 120 * _D)),  # noqa: SLF001 - in the protocol
                          "customer_update", customer, "customers/update")
        email = customer.email
    region = customer.region if customer else sim.region()
    lines = [_line(sim, v, q) for v, q in sold]
    if card is not None:
        lines.append(_line(sim, card, 1))
    subtotal = sum((li.total for li in lines if not li.gift_card), cat.ZERO)
    day = dt.datetime.fromtimestamp(ts, tl.TZ).date()
    discount = None if test else tl.discount_for(day, rng.random(), subtotal, new_customer=new)
    referring, landing, source = "", "", "web"
    if rng.random() < 0.03:
        source = "shopify_draft_order"
    else:
        roll, acc = rng.random(), 0.0
        for referring, landing, share in tl.TRAFFIC:  # noqa: B007 - the one it stops at
            acc += share
            if roll < acc:
                break
        landing = landing.replace("{h}", sim.product_by_id[lines[0].product_id].handle)
    authorized = not test and rng.random() < 0.025
    gateway = "bogus" if test else ("paypal" if rng.random() < 0.1 else "shopify_payments")
    order = m.Order(sim.next_id("order"), sim.number + 1, ts, customer, email, region, test,
                    gateway, source, landing, referring, lines, discount, None, cat.ZERO,
                    financial_status="authorized" if authorized else "paid", updated_ts=ts,
                    sale_transaction_id=sim.next_id("transaction"))
    sim.number += 1
    m.allocate_discount(lines, discount)
    if any(not li.gift_card for li in lines):
        after = order.subtotal
        if after >= 99:
            order.shipping_title, order.shipping_price = (
                ("Expedited Shipping", cat.q2("14.95")) if rng.random() < 0.12
                else ("Free Shipping", cat.ZERO))
        elif rng.random() < 0.75:
            order.shipping_title, order.shipping_price = "Standard Shipping", cat.q2("9.95")
        else:
            order.shipping_title, order.shipping_price = "Expedited Shipping", cat.q2("14.95")
    m.compute_taxes(order)
    return events, order


def _line(sim: Simulation, v: cat.Variant, quantity: int) -> m.LineItem:
    p = sim.product_by_id[v.product_id]
    return m.LineItem(sim.next_id("line"), p.id, v.id, v.sku, p.title, v.title, p.vendor,
                      v.price, quantity, v.grams, v.gift_card)


def plan(sim: Simulation, order: m.Order, t0: int) -> list[tuple[int, str, str]]:
    """The order's later steps: (time, action, topic), strictly increasing in time."""
    steps = _steps(sim, order, t0)
    steps.sort()
    if not all(a[0] < b[0] for a, b in itertools.pairwise(steps)):
        raise AssertionError(f"steps of order {order.id} share a time: {steps}")
    return steps


def _steps(sim: Simulation, order: m.Order, t0: int) -> list[tuple[int, str, str]]:
    rng, steps = sim.rng, []
    if order.test:
        steps.append((t0 + rng.randint(1, 6), "touch", "orders/paid"))
        if rng.random() < 0.5:
            steps.append((t0 + rng.randint(600, 3 * _D), "delete", "orders/delete"))
        return steps
    paid = t0 + rng.randint(1, 6)
    if order.financial_status == "paid":
        steps.append((paid, "touch", "orders/paid"))
    if rng.random() < 0.5:
        steps.append((t0 + rng.randint(20, 180), "touch", "orders/updated"))
    if order.financial_status == "authorized":
        if rng.random() < 0.30:
            tv = t0 + rng.randint(2 * _H, 72 * _H)
            return [*steps, (tv, "void", "orders/cancelled"), (tv + 1, "emit", "orders/updated")]
        paid = t0 + rng.randint(_H, 36 * _H)
        steps += [(paid, "capture", "orders/paid"), (paid + 1, "emit", "orders/updated")]
    if rng.random() < 0.018:
        tc = paid + rng.randint(_H // 3, 20 * _H)
        steps += [(tc, "cancel", "refunds/create"), (tc + 1, "emit", "orders/cancelled"),
                  (tc + 2, "emit", "orders/updated")]
        if rng.random() < 0.15:
            steps.append((tc + rng.randint(2 * _D, 30 * _D), "delete", "orders/delete"))
        return steps
    tf = paid + rng.randint(4 * _H, 60 * _H)
    if rng.random() < 0.02:
        te = rng.randint(paid + 300, tf - 600)
        steps += [(te, "edit", "orders/edited"), (te + 1, "emit", "orders/updated")]
    steps.append((tf, "fulfil", "orders/updated"))
    if rng.random() < 0.068:
        tr = tf + rng.randint(3 * _D, 35 * _D)
        steps += [(tr, "refund", "refunds/create"), (tr + 1, "emit", "orders/updated")]
        if rng.random() < 0.15:
            tr2 = tr + rng.randint(2 * _D, 20 * _D)
            steps += [(tr2, "refund", "refunds/create"), (tr2 + 1, "emit", "orders/updated")]
    return steps


def apply(  # noqa: PLR0911 - one return per kind of step
        sim: Simulation, order: m.Order, ts: int, action: str,
) -> m.Order | m.OrderEdit | m.Refund | None:
    """Apply one step to the order; return the object its webhook carries (None: no webhook)."""
    rng = sim.rng
    open_lines = [li for li in order.lines if not li.gift_card and li.refunded < li.quantity]
    if action == "emit":
        return order
    if action == "refund" and not open_lines:
        return None  # an earlier refund took everything: nothing happens
    order.updated_ts = ts
    if action == "touch":
        return order
    if action == "capture":
        order.financial_status = "paid"
    elif action == "fulfil":
        order.fulfillment_status, order.fulfilled_ts, order.closed_ts = "fulfilled", ts, ts
        order.fulfillment_id = sim.next_id("fulfillment")
    elif action == "void":
        order.financial_status, order.cancelled_ts, order.closed_ts = "voided", ts, ts
        order.cancel_reason = rng.choice(("declined", "customer", "fraud"))
    elif action == "delete":
        order.deleted = True
    elif action == "edit":
        return _edit(sim, order, ts)
    elif action == "cancel":
        order.cancelled_ts, order.closed_ts = ts, ts
        order.cancel_reason = rng.choices(("customer", "inventory", "fraud", "other"),
                                          weights=(60, 15, 10, 15))[0]
        picks = [(li, li.quantity - li.refunded) for li in order.lines]
        return _refund(sim, order, ts, picks, "cancel", shipping=True, note="Order cancelled")
    elif action == "refund":
        full = rng.random() < 0.55
        if full:
            picks = [(li, li.quantity - li.refunded) for li in open_lines]
        else:
            li = rng.choice(open_lines)
            picks = [(li, rng.randint(1, li.quantity - li.refunded))]
        restock = "return" if rng.random() < 0.7 else "no_restock"
        return _refund(sim, order, ts, picks, restock, shipping=full and rng.random() < 0.4,
                       note=rng.choice(_NOTES))
    return order


def _edit(sim: Simulation, order: m.Order, ts: int) -> m.OrderEdit | None:
    rng = sim.rng
    plain = [li for li in order.lines if not li.gift_card and li.discount == 0]
    if plain and rng.random() < 0.5:
        li = rng.choice(plain)
        delta = sim.sell(sim.product_variant(li.variant_id), rng.randint(1, 2), ts, "edit")
        if not delta:
            return None
        edit = m.OrderEdit(sim.next_id("order_edit"), ts, order)
        li.quantity += delta
        edit.additions.append((li.id, delta))
    else:
        v = sim.picker.pick(rng)
        quantity = sim.sell(v, rng.randint(1, 2), ts, "edit")
        if not quantity:
            return None
        edit = m.OrderEdit(sim.next_id("order_edit"), ts, order)
        li = _line(sim, v, quantity)
        order.lines.append(li)
        edit.additions.append((li.id, li.quantity))
    order.edits += 1
    m.compute_taxes(order)
    return edit


def _refund(sim: Simulation, order: m.Order, ts: int, picks: list[tuple[m.LineItem, int]],
            restock: str, *, shipping: bool, note: str | None) -> m.Refund:
    lines = [m.refund_line(sim.next_id("refund_line"), li, q, restock) for li, q in picks if q > 0]
    adjustments = []
    already = any(a.kind == "shipping_refund" for r in order.refunds for a in r.adjustments)
    if shipping and order.shipping_price > 0 and not already:
        adjustments.append(m.Adjustment(sim.next_id("adjustment"), "shipping_refund",
                                        -order.shipping_price, -order.shipping_tax,
                                        "Shipping refund"))
    if restock == "return" and lines and sim.rng.random() < sim.discrepancy_rate:
        fee = cat.q2(sum((rl.subtotal for rl in lines), cat.ZERO) * Decimal("0.15"))
        adjustments.append(m.Adjustment(sim.next_id("adjustment"), "refund_discrepancy", fee,
                                        cat.ZERO, "Restocking fee"))
    amount = sum((rl.subtotal + rl.total_tax for rl in lines), cat.ZERO) - sum(
        (a.amount + a.tax_amount for a in adjustments), cat.ZERO)
    refund = m.Refund(sim.next_id("refund"), ts, note, lines, adjustments,
                      sim.next_id("transaction"), amount)
    order.refunds.append(refund)
    order.financial_status = m.refund_status(order)
    return refund
