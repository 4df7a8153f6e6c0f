"""Load a synthetic Hot Rod AN into a database through the ingestion API.

Used by the demo, the tests and the benchmark: the shop is created through
api.create_shop by its owner, its webhook secret set by service_role, then webhooks go
through api.ingest_shopify_webhook (raw body and HMAC, as the Edge Function forwards them)
or pages through api.ingest_shopify_backfill, each call a PostgREST-style request.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple

import psycopg

from storepulse.synth import Delivery, HotRodAN
from storepulse.testkit import postgrest_standin, seed

PROGRESS_EVERY_S = 5  # seconds between progress lines


def create_store_shop(conn: psycopg.Connection, store: HotRodAN,
                      owner: uuid.UUID | None = None) -> tuple[uuid.UUID, uuid.UUID]:
    """Create the store's shop (owned by `owner`, or a new user) and set its secret."""
    info = store.shop
    owner = owner or seed.create_user(conn, "olive@hotrodan.example")
    shop_id = seed.create_shop(conn, owner, info["domain"], name=info["name"],
                               currency=info["currency"], iana_timezone=info["iana_timezone"])
    postgrest_standin.rpc(conn, "set_shopify_webhook_secret", {"shop_id": str(shop_id),
                                                       "secret": info["secret"]},
                  identity=postgrest_standin.service_role()).raise_for_status()
    return shop_id, owner


def webhook_args(d: Delivery) -> dict[str, Any]:
    """The named arguments an Edge Function sends for one delivery."""
    return {"topic": d.topic, "shop_domain": d.shop_domain, "webhook_id": d.webhook_id,
            "event_id": d.event_id, "triggered_at": d.triggered_at.isoformat(),
            "api_version": d.api_version, "raw_body": d.raw_body.decode("utf-8"),
            "hmac": d.hmac}


def ingest_deliveries(conn: psycopg.Connection, deliveries: Iterable[Delivery], *,
                      total: int | None = None, progress: bool = False) -> Counter[str]:
    """Send every delivery through api.ingest_shopify_webhook; count the outcomes."""
    outcomes: Counter[str] = Counter()
    ident = postgrest_standin.service_role()
    t0 = last = time.monotonic()
    for n, d in enumerate(deliveries, 1):
        resp = postgrest_standin.rpc(conn, "ingest_shopify_webhook", webhook_args(d),
                                     identity=ident)
        outcomes[resp.body.get("outcome", f"http {resp.status}") if isinstance(resp.body, dict)
                 else f"http {resp.status}"] += 1
        if progress and time.monotonic() - last > PROGRESS_EVERY_S:
            last = time.monotonic()
            done = f"{n}/{total}" if total else str(n)
            print(f"  ingested {done} webhooks ({n / (last - t0):.0f}/s)", file=sys.stderr,
                  flush=True)
    return outcomes


class PageBody(NamedTuple):
    """A backfill page already serialized as the request body (JSON text)."""

    orders: int
    text: str

    @classmethod
    def of(cls, domain: str, page: list[dict[str, Any]]) -> PageBody:
        """The body api.ingest_shopify_backfill receives for `page` of `domain`."""
        return cls(sum(r["kind"] == "order" for r in page),
                   json.dumps({"shop_domain": domain, "resources": page}))


def ingest_backfill(conn: psycopg.Connection,
                    pages: Iterable[list[dict[str, Any]] | PageBody],
                    domain: str, *, progress: bool = False) -> Counter[str]:
    """Send backfill pages through api.ingest_shopify_backfill; count resources.

    A page is a list of resources of shop `domain`, or a PageBody serialized already
    (which names its shop itself).
    """
    counts: Counter[str] = Counter()
    ident = postgrest_standin.service_role()
    t0 = last = time.monotonic()
    for page in pages:
        sent = page if isinstance(page, PageBody) else PageBody.of(domain, page)
        resp = postgrest_standin.rpc(conn, "ingest_shopify_backfill", body=sent.text,
                             columns=("shop_domain", "resources"), identity=ident)
        body = resp.body if isinstance(resp.body, dict) else {}
        counts["received"] += body.get("received", 0)
        counts["dead_lettered"] += body.get("dead_lettered", 0)
        counts["orders"] += sent.orders
        if progress and time.monotonic() - last > PROGRESS_EVERY_S:
            last = time.monotonic()
            print(f"  backfilled {counts['received']} resources "
                  f"({counts['orders'] / (last - t0):.0f} orders/s)", file=sys.stderr, flush=True)
    return counts


def record_purchasing(conn: psycopg.Connection, store: HotRodAN, shop_id: uuid.UUID,
                      owner: uuid.UUID) -> Counter[str]:
    """Record the store's suppliers, lead times and purchase orders as its owner would.

    Through api.set_supplier, api.set_variant_supplier, api.record_expected_receipt and
    api.close_receipt (received ones), each a PostgREST-style request. Variants the
    database does not hold (a deleted product's) are skipped.
    """
    ident, counts = postgrest_standin.user(owner), Counter[str]()
    known = {r[0] for r in conn.execute("select variant_id from app.shopify_variant "
                                        "where shop_id = %s", (shop_id,))}

    def call(fn: str, **args: Any) -> Any:  # noqa: ANN401 - the function's JSON answer
        counts[fn] += 1
        resp = postgrest_standin.rpc(conn, fn, {"shop_id": str(shop_id), **args}, identity=ident)
        resp.raise_for_status()
        return resp.body

    ids: dict[str, int] = {}
    for s in store.suppliers():
        ids[s.name] = call("set_supplier", name=s.name, lead_time_days=s.lead_time_days,
                           order_multiple=s.order_multiple)
        for vid in s.variant_ids:
            if vid in known:
                call("set_variant_supplier", variant_id=vid, supplier_id=ids[s.name],
                     lead_time_days=s.lead_time_overrides.get(vid))
    for po in store.purchase_orders():
        if po.variant_id not in known:
            counts["skipped"] += 1
            continue
        receipt = call("record_expected_receipt", variant_id=po.variant_id,
                       quantity=po.quantity, expected_on=po.expected_on.isoformat(),
                       supplier_id=ids.get(po.supplier), reference=po.reference,
                       ordered_at=po.ordered_at.isoformat())
        if po.received_at is not None:
            call("close_receipt", receipt_id=receipt, status="received",
                 at=po.received_at.isoformat())
    return counts


LEVEL_TOPICS = frozenset({"inventory_levels/update", "inventory_levels/connect"})


def ingest_inventory_history(conn: psycopg.Connection, deliveries: Iterable[Delivery],
                             domain: str) -> Counter[str]:
    """Inventory deliveries, in their order: level versions as backfill pages, the rest as webhooks.

    A page of inventory_level resources goes through the same applier and change feed as
    the webhooks, set-based, so a long history loads fast; disconnects (which carry no
    version of their own), inventory items and locations go one by one through
    api.ingest_shopify_webhook. `domain` may differ from the deliveries' (the HMAC covers
    the body only).
    """
    counts: Counter[str] = Counter()
    page: list[dict[str, Any]] = []

    def flush() -> None:
        if page:
            counts.update(ingest_backfill(conn, [PageBody.of(domain, page)], domain))
            page.clear()

    for d in deliveries:
        if d.topic in LEVEL_TOPICS:
            page.append({"kind": "inventory_level", "resource": d.payload})
            if len(page) == 250:  # noqa: PLR2004 - a page, as the Admin API pages them
                flush()
        else:
            flush()
            counts.update(ingest_deliveries(conn, [dataclasses.replace(d, shop_domain=domain)]))
    flush()
    return counts
