"""Hot Rod AN as Shopify shows it: webhook deliveries, Admin API backfill pages, the truth.

Each call re-runs the deterministic simulation (streaming, bounded memory); `truth()`,
`inventory_truth()`, the customers' final state, the POs and the compliance look-ups come
from one cached quiet pass.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import heapq
import hmac as _hmac
import itertools
import json
import random
import uuid
from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal
from typing import Any

from storepulse.synth import order_payloads as op
from storepulse.synth import payloads as pl
from storepulse.synth.inventory_truth import InventoryTruth
from storepulse.synth.model import Customer, LevelVersion, SimEvent
from storepulse.synth.simulate import VERSION_TOPICS, Simulation
from storepulse.synth.stock import PurchaseOrder, Supplier
from storepulse.synth.timeline import TZ, Scale
from storepulse.synth.truth import Truth

API_VERSION = "2025-10"
UTC = dt.UTC


def sign(secret: str | bytes, raw_body: bytes) -> str:
    """X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256(secret, raw body)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return base64.b64encode(_hmac.new(key, raw_body, hashlib.sha256).digest()).decode()


def verify(secret: str | bytes, raw_body: bytes, header: str) -> bool:
    """Whether a delivery's HMAC header matches its raw body (constant time)."""
    return _hmac.compare_digest(sign(secret, raw_body), header)


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook delivery attempt; a retry keeps webhook_id, event_id and the body."""

    topic: str
    shop_domain: str
    webhook_id: str
    event_id: str
    triggered_at: dt.datetime
    api_version: str
    payload: dict[str, Any]
    raw_body: bytes
    hmac: str
    delivered_at: dt.datetime
    attempt: int = 1

    def headers(self) -> dict[str, str]:
        """The X-Shopify-* headers of this delivery."""
        return {"X-Shopify-Topic": self.topic, "X-Shopify-Hmac-Sha256": self.hmac,
                "X-Shopify-Shop-Domain": self.shop_domain,
                "X-Shopify-API-Version": self.api_version,
                "X-Shopify-Webhook-Id": self.webhook_id,
                "X-Shopify-Triggered-At": self.triggered_at.isoformat().replace("+00:00", "Z"),
                "X-Shopify-Event-Id": self.event_id, "Content-Type": "application/json"}


def _uid(*parts: object) -> str:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _utc(ts: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, UTC)


class HotRodAN:
    """The store; see the package docstring for the API."""

    def __init__(self, scale: str | Scale | tuple[float, float | int | str] = "default",
                 seed: int = 7, *,
                 progress: bool | None = None, refund_discrepancy_rate: float = 0.0,
                 stockout_suppression: float = 1.0) -> None:
        """The store at `scale` (see `Scale.of`) from `seed`; nothing is simulated yet.

        `stockout_suppression`: the chance a wanted line of a variant out of stock is
        dropped (lost demand) rather than sold as a backorder; 0.0: stock never changes
        an order.
        """
        self.scale, self.seed = Scale.of(scale), seed
        self.discrepancy_rate = refund_discrepancy_rate
        self.suppression = stockout_suppression
        self.policy = "deny" if stockout_suppression >= 1 else "continue"
        expected = self.scale.days * float(self.scale.annual_revenue) / 365 / 150
        self.progress = expected > 60_000 if progress is None else progress
        secret = "shpss_" + hashlib.sha256(f"hot-rod-an:{seed}".encode()).hexdigest()[:32]
        self.shop: dict[str, Any] = {
            "id": pl.SHOP_ID, "domain": pl.SHOP_DOMAIN, "name": "Hot Rod AN", "currency": "USD",
            "iana_timezone": "America/Los_Angeles", "secret": secret, "as_of": self.scale.as_of,
            "first_day": self.scale.start_date, "last_day": self.scale.end_date}
        self._quiet: tuple[Truth, Simulation, dict[int, list[int]], InventoryTruth] | None = None

    def _sim(self, *, progress: bool = False) -> Simulation:
        return Simulation(self.scale, self.seed, progress=progress,
                          refund_discrepancy_rate=self.discrepancy_rate,
                          stockout_suppression=self.suppression)

    def _payload(self, sim: Simulation, e: SimEvent) -> dict[str, Any]:  # noqa: PLR0911 - a topic each
        def exists(pid: int) -> bool:
            return sim.product_by_id[pid].deleted_ts is None

        t, obj = e.topic, e.obj
        if t.startswith(("inventory_", "locations/")):
            return _stock_payload(e)
        if t in {"orders/delete", "products/delete"}:
            return {"id": obj.id}
        if t.startswith("orders/"):
            return op.order_edit(obj) if t == "orders/edited" else op.order(obj, exists)
        if t == "refunds/create":
            if e.order is None:
                raise AssertionError("a refunds/create event carries no order")
            return op.refund(obj, e.order, exists)
        if t.startswith("customers/"):
            return pl.customer(obj)
        if t.startswith("products/"):
            return pl.product(obj, self.policy)
        return op.shop(obj, sim.start_ts - 1600 * 86400)

    def _canonical(self, topics: Collection[str] | None = None
                   ) -> Iterator[tuple[str, int, int | None, Delivery | None]]:
        """(topic, time, next version time of the same order, delivery) in true order.

        The delivery is None for a topic outside `topics` (its ids are still drawn: the
        same event has the same ids whatever the filter).
        """
        sim, secret = self._sim(progress=self.progress), self.shop["secret"]
        n = 0
        for e in sim.run():
            if not e.topic:
                continue
            n += 1
            if topics is not None and e.topic not in topics:
                yield e.topic, e.ts, e.next_version_ts, None
                continue
            payload = self._payload(sim, e)
            body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
            when = _utc(e.ts)
            d = Delivery(e.topic, pl.SHOP_DOMAIN, _uid(self.seed, n, "webhook"),
                         _uid(self.seed, n, "event"), when, API_VERSION, payload, body,
                         sign(secret, body), when)
            yield e.topic, e.ts, e.next_version_ts, d

    def events(self, topics: Collection[str] | None = None) -> Iterator[Delivery]:
        """Every webhook once, in the order Shopify raised them (delivered_at = triggered_at).

        `topics`: only these (default all).
        """
        for _, _, _, d in self._canonical(topics):
            if d is not None:
                yield d

    def deliveries(self, duplicate_rate: float = 0.03, reorder_rate: float = 0.05,
                   stale_retry_rate: float = 0.01, topics: Collection[str] | None = None,
                   ) -> Iterator[Delivery]:
        """The webhooks in arrival order, with duplicates, reorderings and stale retries.

        duplicate_rate: share of events delivered twice (same ids and body, attempt 2,
          5 s to 30 min later). reorder_rate: share of events arriving late; one whose order
          has a newer version within 10 min arrives after that version, others 0.5-10 min
          late. stale_retry_rate: share of order versions (orders/create, paid, updated,
          cancelled) with a newer version within 24 h whose first attempts fail: the only
          delivery comes 1-4 h later, after the newer version (attempt 2-8). All zero:
          `events()` with arrival latencies, in the same order. `topics`: only these
          (default all); the arrivals are drawn for every event first, so a delivery
          arrives at the same moment whatever the filter.
        """
        rng, seq = random.Random(f"{self.seed}:deliveries"), itertools.count()
        heap: list[tuple[float, int, Delivery]] = []
        on_time = 0.0  # punctual deliveries keep their relative order
        for topic, ts, nxt, d in self._canonical(topics):
            while heap and heap[0][0] <= ts:
                yield heapq.heappop(heap)[2]
            on_time = arrive = max(on_time + 0.001, ts + rng.uniform(0.2, 2.5))
            attempt = 1
            if (topic in VERSION_TOPICS and nxt is not None and nxt - ts <= 86400
                    and rng.random() < stale_retry_rate):
                arrive = max(ts + rng.uniform(3600, 4 * 3600), nxt + rng.uniform(60, 3 * 3600))
                attempt = rng.randint(2, 8)
            elif rng.random() < reorder_rate:
                if nxt is not None and nxt - ts <= 600:
                    arrive = nxt + rng.uniform(3, 120)
                else:
                    arrive = ts + rng.uniform(30, 600)
            duplicate = rng.random() < duplicate_rate
            again = arrive + rng.uniform(5, 1800) if duplicate else 0.0
            if d is None:
                continue
            first = dataclasses.replace(d, delivered_at=_utc(arrive), attempt=attempt)
            heapq.heappush(heap, (arrive, next(seq), first))
            if duplicate:
                heapq.heappush(heap, (again, next(seq), dataclasses.replace(
                    d, delivered_at=_utc(again), attempt=attempt + 1)))
        while heap:
            yield heapq.heappop(heap)[2]

    def _quiet_pass(self) -> tuple[Truth, Simulation, dict[int, list[int]], InventoryTruth]:
        if self._quiet is None:
            sim = self._sim(progress=self.progress)
            truth = Truth(TZ, self.scale.start_date, self.scale.end_date, self.scale.as_of)
            inventory = InventoryTruth()
            orders_of: dict[int, list[int]] = {}
            for e in sim.run():
                if not e.topic:
                    truth.add(e.obj)
                    inventory.add(e.obj)
                    if e.obj.customer is not None and not e.obj.deleted:
                        orders_of.setdefault(e.obj.customer.id, []).append(e.obj.id)
            inventory.finish(sim)
            self._quiet = truth, sim, orders_of, inventory
        return self._quiet

    def truth(self) -> Truth:
        """The ground truth (computed once from the model, then cached)."""
        return self._quiet_pass()[0]

    def unit_costs(self) -> dict[int, Decimal]:
        """Variant id → unit cost, as the backfill's inventory items carry it.

        Live products only (a deleted one is absent from the backfill), no gift cards (their
        inventory items carry no cost). Costs never change: repricing moves prices only.
        """
        final = self._quiet_pass()[1]
        return {v.id: v.cost for p in final.products if p.deleted_ts is None
                for v in p.variants if not v.gift_card}

    def customers(self) -> list[Customer]:
        """Every customer in its final state."""
        return list(self._quiet_pass()[1].customers)

    def inventory_truth(self) -> InventoryTruth:
        """The Inventory Watch ground truth (from the stock model's ledger, cached)."""
        return self._quiet_pass()[3]

    def locations(self) -> list[dict[str, Any]]:
        """The shop's locations (REST), as they stand at as_of."""
        return [pl.location(loc) for loc in self._quiet_pass()[1].stock.locations]

    def suppliers(self) -> list[Supplier]:
        """The suppliers, with their quoted lead times, case packs and variants."""
        return list(self._quiet_pass()[1].stock.suppliers)

    def purchase_orders(self) -> list[PurchaseOrder]:
        """Every purchase order placed at or before as_of, as it stands at as_of."""
        return self._quiet_pass()[1].stock.purchase_orders()

    def backfill_resources(self, batch_size: int = 250) -> Iterator[list[dict[str, Any]]]:
        """Admin API pages of {"kind", "resource"}, one kind a page.

        Products, inventory_items, locations, inventory_levels (each level's latest version
        at as_of, connected levels of live items), customers, then orders (final state,
        refunds[] included; deleted ones absent). Unit costs are on the inventory items
        (here, and on inventory_items/create for a product launched later).
        """
        _, final, _, inventory = self._quiet_pass()
        live = [p for p in final.products if p.deleted_ts is None]
        yield from _pages("product", (pl.product(p, self.policy) for p in live), batch_size)
        yield from _pages("inventory_item", (pl.inventory_item(v, p) for p in live
                                             for v in p.variants), batch_size)
        yield from _pages("location", (pl.location(loc) for loc in final.stock.locations),
                          batch_size)
        items = final.variant_by_id
        levels = (pl.inventory_level(LevelVersion(items[vid].inventory_item_id, loc, avail, ts))
                  for (vid, loc), (avail, ts) in sorted(
                      inventory.level_versions_at(self.scale.as_of).items())
                  if avail is not None)
        yield from _pages("inventory_level", levels, batch_size)
        yield from _pages("customer", (pl.customer(c) for c in final.customers), batch_size)
        sim = self._sim(progress=self.progress)

        def exists(pid: int) -> bool:
            return final.product_by_id[pid].deleted_ts is None

        orders = (op.order(e.obj, exists) for e in sim.run() if not e.topic and not e.obj.deleted)
        yield from _pages("order", orders, batch_size)

    def compliance_deliveries(self, customer_id: int, at: dt.datetime | None = None,
                              ) -> list[Delivery]:
        """customers/data_request and customers/redact deliveries for one customer."""
        _, final, orders_of, _ = self._quiet_pass()
        c = next(c for c in final.customers if c.id == customer_id)
        ids = orders_of.get(customer_id, [])
        return [self._compliance("customers/data_request", c, ids, at),
                self._compliance("customers/redact", c, ids, at)]

    def shop_redact_delivery(self, at: dt.datetime | None = None) -> Delivery:
        """shop/redact (sent 48 hours after the app is uninstalled)."""
        return self._compliance("shop/redact", None, [], at)

    def _compliance(self, topic: str, c: Customer | None, ids: list[int],
                    at: dt.datetime | None) -> Delivery:
        when = (at or self.scale.as_of).astimezone(UTC)
        payload = op.compliance(topic, c, ids, request_id=(c.id % 100_000) if c else 0)
        body = json.dumps(payload, separators=(",", ":")).encode()
        key = (self.seed, topic, c.id if c else 0)
        return Delivery(topic, pl.SHOP_DOMAIN, _uid(*key, "webhook"), _uid(*key, "event"),
                        when, API_VERSION, payload, body, sign(self.shop["secret"], body), when)


def _stock_payload(e: SimEvent) -> dict[str, Any]:
    """inventory_levels/*, inventory_items/* and locations/* bodies."""
    t, obj = e.topic, e.obj
    if t == "inventory_levels/disconnect":
        return pl.inventory_level_disconnected(obj)
    if t.startswith("inventory_levels/"):
        return pl.inventory_level(obj)
    if t == "inventory_items/create":
        return pl.inventory_item(*obj)
    if t == "inventory_items/delete":
        return pl.inventory_item_deleted(obj[0])
    return pl.location(obj)


def _pages(kind: str, resources: Iterable[dict[str, Any]], size: int
           ) -> Iterator[list[dict[str, Any]]]:
    page: list[dict[str, Any]] = []
    for r in resources:
        page.append({"kind": kind, "resource": r})
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def arrival_stats(deliveries: Iterable[Delivery]) -> dict[str, int]:
    """Count what an ingester must cope with in an arrival stream.

    duplicates: deliveries of an event id already delivered; out_of_order: first arrivals
    triggered before an already-arrived event; stale_versions: orders/* bodies older
    (updated_at) than a version of the same order that already arrived.
    """
    seen: set[str] = set()
    newest: dict[int, str] = {}
    last = dt.datetime.min.replace(tzinfo=UTC)
    stats = dict.fromkeys(("deliveries", "events", "duplicates", "out_of_order",
                           "stale_versions"), 0)
    for d in deliveries:
        stats["deliveries"] += 1
        if d.event_id in seen:
            stats["duplicates"] += 1
            continue
        seen.add(d.event_id)
        stats["events"] += 1
        stats["out_of_order"] += d.triggered_at < last
        last = max(last, d.triggered_at)
        if d.topic in VERSION_TOPICS:
            oid, upd = d.payload["id"], dt.datetime.fromisoformat(d.payload["updated_at"])
            prev = newest.get(oid)
            if prev is not None and upd < dt.datetime.fromisoformat(prev):
                stats["stale_versions"] += 1
            elif prev is None or upd > dt.datetime.fromisoformat(prev):
                newest[oid] = d.payload["updated_at"]
    return stats
