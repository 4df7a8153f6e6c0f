"""The synthetic Shopify store (storepulse.synth): pure Python, no database.

One pass over the default store (seed 7) is shared by most tests; payload invariants are
checked on every orders/* body during that pass so no test keeps 28k payloads in memory.
"""

from __future__ import annotations

import base64
import collections
import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
import statistics
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storepulse.synth import Delivery, HotRodAN, Scale, arrival_stats, sign, verify
from storepulse.synth.catalog import SIZES, build_catalog

TZ = ZoneInfo("America/Los_Angeles")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[78]:00$")
ALL_TOPICS = {"orders/create", "orders/updated", "orders/cancelled", "orders/paid",
              "orders/edited", "orders/delete", "refunds/create", "products/create",
              "products/update", "products/delete", "customers/create", "customers/update",
              "shop/update", "inventory_levels/update", "inventory_levels/connect",
              "inventory_levels/disconnect", "inventory_items/create", "inventory_items/delete",
              "locations/update"}
VERSIONS = {"orders/create", "orders/paid", "orders/updated", "orders/cancelled"}
D0 = Decimal("0.00")


def _dec(values: Iterable[Decimal | str]) -> Decimal:
    return sum((Decimal(v) for v in values), D0)


def _money_set(obj: dict[str, Any], key: str) -> None:
    assert MONEY.match(obj[key]), (key, obj[key])
    s = obj[f"{key}_set"]
    assert s["shop_money"] == {"amount": obj[key], "currency_code": "USD"}
    assert s["presentment_money"] == s["shop_money"]


def check_order(o: dict[str, Any]) -> None:
    """The arithmetic every REST order body must satisfy."""
    assert o["admin_graphql_api_id"] == f"gid://shopify/Order/{o['id']}"
    for key in ("created_at", "updated_at", "processed_at"):
        assert STAMP.match(o[key]), o[key]
    for key in ("total_price", "subtotal_price", "total_discounts", "total_tax",
                "total_line_items_price", "current_total_price"):
        _money_set(o, key)
    lines = o["line_items"]
    assert Decimal(o["total_line_items_price"]) == _dec(
        Decimal(li["price"]) * li["quantity"] for li in lines)
    allocations = _dec(a["amount"] for li in lines for a in li["discount_allocations"])
    assert allocations == Decimal(o["total_discounts"])
    if o["discount_codes"]:
        assert o["discount_codes"][0]["amount"] == o["total_discounts"]
    line_tax = _dec(t["price"] for li in lines for t in li["tax_lines"])
    ship_tax = _dec(t["price"] for s in o["shipping_lines"] for t in s["tax_lines"])
    assert line_tax + ship_tax == Decimal(o["total_tax"])
    shipping = _dec(s["price"] for s in o["shipping_lines"])
    assert shipping == Decimal(o["total_shipping_price_set"]["shop_money"]["amount"])
    assert Decimal(o["subtotal_price"]) == Decimal(o["total_line_items_price"]) - allocations
    assert Decimal(o["total_price"]) == (Decimal(o["subtotal_price"]) + shipping + line_tax
                                         + ship_tax)
    refunded = _dec(t["amount"] for r in o["refunds"] for t in r["transactions"])
    assert Decimal(o["current_total_price"]) == Decimal(o["total_price"]) - refunded
    assert refunded <= Decimal(o["total_price"])
    for r in o["refunds"]:
        assert r["order_id"] == o["id"]
        for rl in r["refund_line_items"]:
            assert rl["restock_type"] in {"return", "no_restock", "cancel"}
            _money_set(rl, "subtotal")
        for a in r["order_adjustments"]:
            assert a["kind"] in {"shipping_refund", "refund_discrepancy"}
            if a["kind"] == "shipping_refund":
                assert Decimal(a["amount"]) < 0
    if o["financial_status"] == "voided":
        assert o["cancelled_at"]
        assert not o["refunds"]
    if o["customer"] is not None:
        assert {"id", "email", "first_name", "last_name"} <= o["customer"].keys()


class Pass:
    """What one canonical pass over a store saw."""

    def __init__(self, store: HotRodAN) -> None:
        """Read every event of `store` once, checking order versions and a sample of signatures."""
        started = time.monotonic()
        self.topics: collections.Counter[str] = collections.Counter()
        self.last_version: dict[int, dict[str, Any]] = {}
        self.deleted: set[int] = set()
        self.ids: set[str] = set()
        self.bodies = hashlib.sha256()
        self.max_triggered = dt.datetime.min.replace(tzinfo=dt.UTC)
        self.in_order = True
        self.n = 0
        secret = store.shop["secret"].encode()
        for d in store.events():
            self.n += 1
            self.topics[d.topic] += 1
            self.bodies.update(d.raw_body)
            self.ids.add(d.event_id)
            self.in_order &= d.triggered_at >= self.max_triggered
            self.max_triggered = max(self.max_triggered, d.triggered_at)
            if self.n % 97 == 0:  # a sample: the signature is over the exact body bytes
                assert json.loads(d.raw_body) == d.payload
                expected = base64.b64encode(hmac.new(secret, d.raw_body, hashlib.sha256).digest())
                assert d.hmac == expected.decode()
            if d.topic in VERSIONS:
                check_order(d.payload)
                prev = self.last_version.get(d.payload["id"])
                if prev is not None:  # versions never go back in time
                    assert dt.datetime.fromisoformat(d.payload["updated_at"]) >= \
                        dt.datetime.fromisoformat(prev["updated_at"])
                self.last_version[d.payload["id"]] = {
                    k: d.payload[k] for k in ("updated_at", "financial_status", "total_price",
                                              "current_total_price", "cancelled_at")} | {
                    "lines": [(li["id"], li["quantity"]) for li in d.payload["line_items"]],
                    "refunds": [r["id"] for r in d.payload["refunds"]]}
            elif d.topic == "orders/delete":
                assert d.payload.keys() == {"id"}
                self.deleted.add(d.payload["id"])
            elif d.topic == "refunds/create":
                assert d.payload["order_id"]
                assert d.payload["refund_line_items"] is not None
            elif d.topic == "orders/edited":
                edit = d.payload["order_edit"]
                assert edit["order_id"]
                assert edit["line_items"]["additions"]
        self.seconds = time.monotonic() - started


@pytest.fixture(scope="module")
def store() -> HotRodAN:
    """The default store, seed 7, shared by the module."""
    return HotRodAN("default", seed=7)


@pytest.fixture(scope="module")
def canonical(store: HotRodAN) -> Pass:
    """One checked canonical pass over the default store."""
    return Pass(store)


class Backfill:
    """What one streamed backfill showed (pages are not kept)."""

    def __init__(self, store: HotRodAN) -> None:
        """Stream every backfill page of `store`, checking and tallying each resource."""
        self.kinds: list[str] = []
        self.counts: collections.Counter[str] = collections.Counter()
        self.skus: set[str] = set()
        self.item_skus: set[str] = set()
        self.orders: dict[int, dict[str, Any]] = {}
        self.reference: dict[dt.date, dict[str, Decimal]] = collections.defaultdict(
            lambda: collections.defaultdict(Decimal))
        for page in store.backfill_resources(batch_size=250):
            assert 0 < len(page) <= 250
            assert len({r["kind"] for r in page}) == 1
            self.kinds.append(page[0]["kind"])
            for r in page:
                kind, res = r["kind"], r["resource"]
                self.counts[kind] += 1
                if kind == "product":
                    self.skus |= {v["sku"] for v in res["variants"]}
                elif kind == "inventory_item":
                    self.item_skus.add(res["sku"])
                    assert res["cost"] is None or MONEY.match(res["cost"])
                elif kind == "order":
                    check_order(res)
                    self.orders[res["id"]] = {
                        "updated_at": res["updated_at"],
                        "financial_status": res["financial_status"],
                        "lines": [(li["id"], li["quantity"]) for li in res["line_items"]],
                        "refunds": [x["id"] for x in res["refunds"]]}
                    self._read(res)

    def _read(self, o: dict[str, Any]) -> None:
        """A reference reading of a final order, as the SQL side must do it."""
        if o["test"]:
            return

        def local(stamp: str) -> dt.date:
            return dt.datetime.fromisoformat(stamp).astimezone(TZ).date()

        f = self.reference[local(o["created_at"])]
        f["orders"] += 1
        if o["financial_status"] != "voided":
            for li in o["line_items"]:
                if not li["gift_card"]:
                    f["gross_sales"] += Decimal(li["price"]) * li["quantity"]
                    f["discounts"] += _dec(a["amount"] for a in li["discount_allocations"])
                    f["units"] += li["quantity"]
            f["shipping"] += _dec(s["price"] for s in o["shipping_lines"])
            f["taxes"] += Decimal(o["total_tax"])
        for refund in o["refunds"]:
            g = self.reference[local(refund["created_at"])]
            for rl in refund["refund_line_items"]:
                g["taxes"] -= Decimal(rl["total_tax"])
                if not rl["line_item"]["gift_card"]:
                    g["returns"] += Decimal(rl["subtotal"])
            for a in refund["order_adjustments"]:
                g["taxes"] -= abs(Decimal(a["tax_amount"]))
                if a["kind"] == "shipping_refund":
                    g["shipping"] -= abs(Decimal(a["amount"]))
                elif a["kind"] == "refund_discrepancy":
                    g["returns"] -= Decimal(a["amount"])


@pytest.fixture(scope="module")
def backfill(store: HotRodAN) -> Backfill:
    """One checked streamed backfill of the default store."""
    return Backfill(store)


def test_same_seed_gives_byte_identical_payloads() -> None:
    """The same seed gives the same bytes, ids, signatures and arrivals; another seed does not."""
    def digests(store: HotRodAN) -> list[tuple[str, str, str, bytes, str]]:
        return [(d.topic, d.webhook_id, d.event_id, hashlib.sha256(d.raw_body).digest(), d.hmac)
                for d in store.events()]

    one, two = HotRodAN("season", seed=11), HotRodAN("season", seed=11)
    a = digests(one)
    assert a == digests(two)
    assert len(a) > 3000
    third = digests(HotRodAN("season", seed=12))
    assert [(t, body) for t, _, _, body, _ in a] != [(t, body) for t, _, _, body, _ in third]
    arrivals = [(d.event_id, d.delivered_at) for d in one.deliveries()]
    assert arrivals == [(d.event_id, d.delivered_at) for d in two.deliveries()]


def test_default_scale_is_a_one_million_dollar_year(store: HotRodAN) -> None:
    """The default store sells about a million dollars over a year ending at as_of."""
    total = store.truth().total()
    assert abs(total.total_sales - 1_000_000) <= 150_000, total.total_sales
    assert 120 <= total.average_order_value <= 180
    assert (store.truth().end - store.truth().start).days == 364
    assert store.shop["as_of"] == dt.datetime(2026, 11, 25, 15, 30, tzinfo=TZ)


def test_seasonality_black_friday_and_weekdays(store: HotRodAN) -> None:
    """Summer beats winter, Black Friday and Cyber Monday spike, weekdays beat weekends."""
    daily = store.truth().daily()
    full = {d: f for d, f in daily.items() if d != store.shop["last_day"]}

    def mean(days: Iterable[dt.date]) -> float:
        return statistics.mean(float(full[d].total_sales) for d in days)

    summer = [d for d in full if d.month in (5, 6, 7, 8)]
    winter = [d for d in full if d.month in (12, 1, 2)]
    assert mean(summer) > 1.3 * mean(winter)
    median = statistics.median(float(f.total_sales) for f in full.values())
    assert float(full[dt.date(2025, 11, 28)].total_sales) > 2.5 * median  # Black Friday
    assert float(full[dt.date(2025, 12, 1)].total_sales) > 1.8 * median  # Cyber Monday
    weekdays = statistics.mean(f.orders for d, f in full.items() if d.weekday() < 5)
    weekends = statistics.mean(f.orders for d, f in full.items() if d.weekday() >= 5)
    assert weekdays > 1.05 * weekends
    today = daily[store.shop["last_day"]]
    assert 0 < today.orders < statistics.median(f.orders for f in full.values())
    hours = store.truth().hourly(dt.date(2026, 6, 10))
    assert sum(h.orders for h in hours.values()) == daily[dt.date(2026, 6, 10)].orders


def test_catalog_looks_like_an_an_fittings_shop() -> None:
    """The catalog is stable, with unique SKUs and ids, and plausible parts, prices and costs."""
    products = build_catalog()
    assert [p.id for p in products] == [p.id for p in build_catalog()]
    assert 150 <= len(products) <= 300
    titles = " | ".join(p.title for p in products)
    for size in SIZES:
        assert f"AN {size} Straight Hose End" in titles
    for needle in ("PTFE", "Stainless Braided Hose", "Fuel Pump", "Regulator", "Fuel Filter",
                   "Adapter", "Kit"):
        assert needle in titles, needle
    variants = [v for p in products for v in p.variants]
    skus = [v.sku for v in variants]
    assert len(set(skus)) == len(skus)
    assert "AN6-STR-BLU" in skus
    assert len({v.id for v in variants}) == len(variants)
    assert len({v.inventory_item_id for v in variants}) == len(variants)
    by_type = collections.defaultdict(list)
    for p in products:
        by_type[p.product_type] += [v.price for p_v in [p] for v in p_v.variants]
    assert min(by_type["Hose Ends"]) < 10
    assert max(by_type["Fuel Pumps"]) >= 400
    assert min(by_type["Kits"]) >= 150
    assert max(by_type["Kits"]) <= 1100
    for v in variants:
        if not v.gift_card:
            assert Decimal("0.40") <= v.cost / v.price <= Decimal("0.66"), v.sku
            assert v.price == v.price.quantize(Decimal("0.01"))


def test_every_topic_and_sensible_rates(store: HotRodAN, canonical: Pass) -> None:
    """Every topic occurs, in time order, at plausible rates of refunds, cancels and edits."""
    assert set(canonical.topics) == ALL_TOPICS
    assert canonical.in_order
    assert canonical.max_triggered <= store.shop["as_of"]
    creates = canonical.topics["orders/create"]
    assert 0.05 <= canonical.topics["refunds/create"] / creates <= 0.12
    assert 0.015 <= canonical.topics["orders/cancelled"] / creates <= 0.035
    assert 0.01 <= canonical.topics["orders/edited"] / creates <= 0.03
    total = store.truth().total()
    assert 0.015 <= total.cancellation_rate <= 0.035
    assert 0.03 <= total.refund_rate <= 0.10
    repeat_orders = total.orders - total.new_customers  # guests make this a bit high
    assert 0.28 <= repeat_orders / total.orders <= 0.45


def test_delivery_stream_has_duplicates_and_disorder(store: HotRodAN, canonical: Pass) -> None:
    """Deliveries have duplicates, late and stale versions, yet each event is one webhook."""
    seen: dict[str, tuple[str, str]] = {}
    late_updates, last_arrival = 0, dt.datetime.min.replace(tzinfo=dt.UTC)

    def watched() -> Iterator[Delivery]:
        nonlocal late_updates, last_arrival
        for d in store.deliveries(duplicate_rate=0.03, reorder_rate=0.05, stale_retry_rate=0.01):
            key = (d.webhook_id, d.hmac)
            assert seen.setdefault(d.event_id, key) == key  # a retry is the same webhook
            assert d.delivered_at >= max(d.triggered_at, last_arrival)
            last_arrival = d.delivered_at
            late_updates += (d.topic == "orders/updated" and d.attempt > 1
                             and d.delivered_at - d.triggered_at > dt.timedelta(hours=1))
            yield d

    stats = arrival_stats(watched())
    assert set(seen) == canonical.ids
    assert stats["events"] == canonical.n
    assert 0.02 * canonical.n <= stats["duplicates"] <= 0.04 * canonical.n
    assert stats["out_of_order"] >= 0.02 * canonical.n
    assert stats["stale_versions"] >= 0.01 * canonical.n
    assert late_updates > 0


def test_clean_stream_is_the_canonical_order() -> None:
    """With all rates at zero, deliveries are the events in their own order."""
    month = HotRodAN(Scale("month", 30, Decimal(1_000_000)), seed=3)
    clean = [d.event_id for d in month.deliveries(0, 0, 0)]
    assert clean == [d.event_id for d in month.events()]
    assert len(clean) > 1000
    stats = arrival_stats(month.deliveries(0, 0, 0))
    assert stats["duplicates"] == stats["out_of_order"] == stats["stale_versions"] == 0


def test_truth_is_internally_consistent(store: HotRodAN) -> None:
    """Days, hours, products and windows of the truth add up to one another."""
    truth = store.truth()
    daily = truth.daily()
    total = truth.total()
    for field in ("orders", "units", "gross_sales", "discounts", "returns", "shipping", "taxes",
                  "cancelled_orders", "refunded_orders"):
        assert sum(getattr(f, field) for f in daily.values()) == getattr(total, field), field
    for d, f in itertools.islice(daily.items(), 0, None, 7):
        assert f.net_sales == f.gross_sales - f.discounts - f.returns
        assert f.total_sales == f.net_sales + f.shipping + f.taxes
        hours = truth.hourly(d).values()
        for field in ("orders", "units", "gross_sales", "discounts", "returns"):
            assert sum(getattr(h, field) for h in hours) == getattr(f, field), (d, field)
        products = truth.product_daily(d).values()
        for field in ("gross_sales", "discounts", "returns", "units", "net_sales"):
            assert sum((getattr(p, field) for p in products), 0) == getattr(f, field), (d, field)
    products = truth.products(truth.start, truth.end)
    assert sum(p.net_sales for p in products.values()) == total.net_sales
    top = truth.top_products(truth.start, truth.end, 5)
    assert [p.net_sales for p in top] == sorted((p.net_sales for p in top), reverse=True)
    assert top[0].net_sales == max(p.net_sales for p in products.values())
    assert total.average_order_value == (total.gross_sales - total.discounts) / total.orders
    assert total.new_customers == len(truth.first_order_dates())
    assert total.returning_customers == 0
    autumn = truth.window(dt.date(2026, 9, 1), dt.date(2026, 11, 25))
    assert autumn.returning_customers > 0.2 * (autumn.new_customers + autumn.returning_customers)
    first = truth.first_order_dates()
    assert autumn.new_customers == sum(dt.date(2026, 9, 1) <= d for d in first.values())


def test_backfill_is_the_final_state(canonical: Pass, backfill: Backfill) -> None:
    """The backfill holds each kind in order, and every live order in its last version."""
    order = ["product", "inventory_item", "location", "inventory_level", "customer", "order"]
    assert backfill.kinds == sorted(backfill.kinds, key=order.index)
    assert set(backfill.kinds) == set(order)
    assert backfill.counts["customer"] == canonical.topics["customers/create"]
    assert backfill.skus == backfill.item_skus
    assert set(backfill.orders) == set(canonical.last_version) - canonical.deleted
    for oid, last in canonical.last_version.items():
        if oid in backfill.orders:
            got = backfill.orders[oid]
            assert got == {k: last[k] for k in got}, oid


def test_truth_matches_a_reference_reading_of_the_payloads(store: HotRodAN,
                                                           backfill: Backfill) -> None:
    """What the SQL side must compute from the final orders equals the model's truth."""
    for d, f in store.truth().daily().items():
        for field in ("orders", "units", "gross_sales", "discounts", "returns", "shipping",
                      "taxes"):
            assert Decimal(getattr(f, field)) == backfill.reference[d][field], (d, field)


def test_refund_discrepancies_are_returned_less() -> None:
    """Restocking fees (refund discrepancies) come off the shop's returns, not its products'."""
    shop = HotRodAN("season", seed=5, refund_discrepancy_rate=1.0)
    truth = shop.truth()
    assert truth.refund_discrepancy > 0
    total = truth.total()
    products = truth.products(truth.start, truth.end).values()
    assert sum(p.returns for p in products) - truth.refund_discrepancy == total.returns


def test_hmac_helper() -> None:
    """The sign and verify helpers compute and check Shopify's base64 HMAC-SHA256 of a body."""
    body = b'{"id":820982911946154508,"total_price":"49.00"}'
    expected = base64.b64encode(hmac.new(b"shpss_secret", body, hashlib.sha256).digest()).decode()
    assert sign("shpss_secret", body) == expected
    assert verify("shpss_secret", body, expected)
    assert not verify("shpss_secret", body + b" ", expected)
    assert not verify("another", body, expected)


def test_compliance_payloads(store: HotRodAN) -> None:
    """The mandatory compliance topics carry the customer, their orders and a valid HMAC."""
    customer = store.customers()[0]
    request, redact = store.compliance_deliveries(customer.id)
    assert request.topic == "customers/data_request"
    assert redact.topic == "customers/redact"
    assert redact.payload["customer"] == {"id": customer.id, "email": customer.email,
                                          "phone": customer.phone}
    assert redact.payload["orders_to_redact"]
    assert redact.payload["shop_domain"] == "hot-rod-an.myshopify.com"
    assert request.payload["orders_requested"] == redact.payload["orders_to_redact"]
    assert verify(store.shop["secret"], redact.raw_body, redact.hmac)
    shop = store.shop_redact_delivery()
    assert shop.payload == {"shop_id": store.shop["id"], "shop_domain": store.shop["domain"]}
    headers = shop.headers()
    assert headers["X-Shopify-Topic"] == "shop/redact"
    assert headers["X-Shopify-API-Version"]


def test_scales_and_streaming() -> None:
    """Scales resolve by name or tuple, large ones report progress, and events stream."""
    assert Scale.of("season").days == 92
    assert Scale.of("large").days == 3 * 365
    custom = Scale.of((2, 2_000_000))
    assert custom.days == 730
    assert custom.annual_revenue == 2_000_000
    with pytest.raises(ValueError, match="unknown scale 'huge'"):
        Scale.of("huge")
    large = HotRodAN("large", seed=1)
    assert large.progress
    assert not HotRodAN("default").progress
    started = time.monotonic()
    first = list(itertools.islice(HotRodAN("large", seed=1, progress=False).events(), 2000))
    assert time.monotonic() - started < 10  # a generator: nothing is precomputed
    assert first[0].triggered_at.date() <= dt.date(2023, 11, 28)
