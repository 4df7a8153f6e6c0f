"""The store's internal model: customers, orders, line items, refunds, and their arithmetic.

Everything the payloads and the ground truth say comes from these objects. Times are whole
epoch seconds (UTC); money is `Decimal` with two places (`catalog.q2`).

Order arithmetic (taxes exclusive, as in a US shop):
  line total       = price × quantity
  line discount    = Σ discount_allocations (percentage: rounded per line; fixed amount:
                     split by line total, the last eligible line takes the remainder)
  line tax         = rate × (line total − line discount), rounded per line
  shipping tax     = rate × shipping price, only where the state taxes shipping
  total_tax        = Σ line tax + shipping tax
  total_price      = Σ line totals − total_discounts + shipping + total_tax
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from storepulse.synth.catalog import ZERO, q2


@dataclass(frozen=True, slots=True)
class Region:
    """A ship-to region with its combined sales-tax rate."""

    province_code: str
    province: str
    city: str
    zip: str
    tax_rate: Decimal
    tax_title: str
    taxes_shipping: bool


@dataclass(frozen=True, slots=True)
class Discount:
    """A discount code: `kind` is "percentage" (value 10 = 10 %) or "fixed_amount"."""

    code: str
    kind: str
    value: Decimal


@dataclass(slots=True)
class Customer:
    """A customer account, created at its first checkout."""

    id: int
    first_name: str
    last_name: str
    email: str
    phone: str | None
    region: Region
    address1: str
    created_ts: int
    updated_ts: int
    accepts_marketing: bool
    tags: list[str] = field(default_factory=list)
    note: str | None = None


@dataclass(slots=True)
class LineItem:
    """One line; `quantity` is after edits, `refunded` counts refunded units."""

    id: int
    product_id: int
    variant_id: int
    sku: str
    title: str
    variant_title: str
    vendor: str
    price: Decimal
    quantity: int
    grams: int
    gift_card: bool
    discount: Decimal = ZERO
    tax: Decimal = ZERO
    refunded: int = 0
    refunded_subtotal: Decimal = ZERO
    refunded_tax: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """Price × quantity."""
        return self.price * self.quantity


@dataclass(slots=True)
class RefundLine:
    """A refund_line_item."""

    id: int
    line: LineItem
    quantity: int
    restock_type: str
    subtotal: Decimal
    total_tax: Decimal


@dataclass(slots=True)
class Adjustment:
    """An order_adjustment: amounts are negative for a shipping refund."""

    id: int
    kind: str
    amount: Decimal
    tax_amount: Decimal
    reason: str


@dataclass(slots=True)
class Refund:
    """A refund with its lines, adjustments and the refund transaction."""

    id: int
    created_ts: int
    note: str | None
    lines: list[RefundLine]
    adjustments: list[Adjustment]
    transaction_id: int
    amount: Decimal


@dataclass(slots=True)
class Order:
    """An order as it stands now (mutated by each event of its life)."""

    id: int
    number: int
    created_ts: int
    customer: Customer | None
    email: str
    region: Region
    test: bool
    gateway: str
    source_name: str
    landing_site: str
    referring_site: str
    lines: list[LineItem]
    discount: Discount | None
    shipping_title: str | None
    shipping_price: Decimal
    shipping_tax: Decimal = ZERO
    financial_status: str = "paid"
    fulfillment_status: str | None = None
    fulfillment_id: int | None = None
    fulfilled_ts: int | None = None
    cancelled_ts: int | None = None
    cancel_reason: str | None = None
    closed_ts: int | None = None
    updated_ts: int = 0
    refunds: list[Refund] = field(default_factory=list)
    sale_transaction_id: int = 0
    deleted: bool = False
    edits: int = 0
    pending: int = 0
    upcoming: list[tuple[int, str]] = field(default_factory=list)
    seed: int = 0

    @property
    def name(self) -> str:
        """"#1001"."""
        return f"#{self.number}"

    @property
    def line_items_price(self) -> Decimal:
        """Σ price × quantity."""
        return sum((li.total for li in self.lines), ZERO)

    @property
    def total_discounts(self) -> Decimal:
        """Σ discount allocations."""
        return sum((li.discount for li in self.lines), ZERO)

    @property
    def total_tax(self) -> Decimal:
        """Σ line taxes + shipping tax."""
        return sum((li.tax for li in self.lines), self.shipping_tax)

    @property
    def subtotal(self) -> Decimal:
        """Line items after discounts."""
        return self.line_items_price - self.total_discounts

    @property
    def total_price(self) -> Decimal:
        """What the customer was charged."""
        return self.subtotal + self.shipping_price + self.total_tax

    @property
    def refunded_amount(self) -> Decimal:
        """Σ refund transactions."""
        return sum((r.amount for r in self.refunds), ZERO)


def allocate_discount(lines: list[LineItem], discount: Discount | None) -> None:
    """Set each line's discount allocation (gift cards take none)."""
    eligible = [li for li in lines if not li.gift_card]
    for li in lines:
        li.discount = ZERO
    if discount is None or not eligible:
        return
    if discount.kind == "percentage":
        for li in eligible:
            li.discount = q2(li.total * discount.value / 100)
        return
    base = sum((li.total for li in eligible), ZERO)
    amount = min(discount.value, base)
    left = amount
    for li in eligible[:-1]:
        li.discount = min(left, q2(amount * li.total / base))
        left -= li.discount
    eligible[-1].discount = left


def compute_taxes(order: Order) -> None:
    """Set line taxes and the shipping tax from the order's region."""
    rate = order.region.tax_rate
    for li in order.lines:
        li.tax = ZERO if li.gift_card else q2((li.total - li.discount) * rate)
    order.shipping_tax = q2(order.shipping_price * rate) if order.region.taxes_shipping else ZERO


def refund_line(rid: int, line: LineItem, quantity: int, restock_type: str) -> RefundLine:
    """Refund `quantity` units of a line at their share of the discounted price and tax.

    Refunding the last units returns exactly what is left, so a line never refunds more
    than it was charged.
    """
    left = line.quantity - line.refunded
    if quantity >= left:
        quantity = left
        subtotal = line.total - line.discount - line.refunded_subtotal
        tax = line.tax - line.refunded_tax
    else:
        subtotal = q2((line.total - line.discount) * quantity / line.quantity)
        tax = q2(line.tax * quantity / line.quantity)
    line.refunded += quantity
    line.refunded_subtotal += subtotal
    line.refunded_tax += tax
    return RefundLine(rid, line, quantity, restock_type, subtotal, tax)


def refund_status(order: Order) -> str:
    """"refunded" once everything charged came back, else "partially_refunded"."""
    return "refunded" if order.refunded_amount >= order.total_price else "partially_refunded"


@dataclass(slots=True)
class OrderEdit:
    """An order edit: `additions` are (line item id, added quantity)."""

    id: int
    ts: int
    order: Order
    additions: list[tuple[int, int]] = field(default_factory=list)


@dataclass(slots=True)
class Location:
    """A Shopify location (the warehouse, the 3PL) as it stands now."""

    id: int
    name: str
    address1: str
    city: str
    zip: str
    province: str
    province_code: str
    phone: str
    created_ts: int
    updated_ts: int


@dataclass(frozen=True, slots=True)
class LevelVersion:
    """One version of an inventory level; `available` None = disconnected."""

    inventory_item_id: int
    location_id: int
    available: int | None
    updated_ts: int


@dataclass(frozen=True, slots=True)
class StockTask:
    """A scheduled stock step: review, receive, transfer, adjust or location.

    `ref`: the PO's index (receive), the location's index (location).
    """

    kind: str
    ref: int = 0


@dataclass(slots=True)
class SimEvent:
    """A business event at `ts`; topic "" = `obj` (an Order) reached its final state."""

    ts: int
    topic: str
    obj: Any
    order: Order | None = None
    next_version_ts: int | None = None
