"""Fulfillments and tracking events through the shared pipeline.

Versions, any arrival order, events before their fulfillment, deletions, carriers, shipping
services and personal data.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storepulse.testkit import postgrest_standin, seed
from storepulse.testkit.postgrest_standin import Response, rpc
from tests import shopify_samples as ss

STATE = {
    "shopify_fulfillment": "fulfillment_id, order_id, status, shipment_status, tracking_company, "
                           "tracking_number, created_at, updated_at",
    "shopify_fulfillment_line": "fulfillment_id, line_item_id, quantity",
    "shopify_fulfillment_event": "event_id, fulfillment_id, status, happened_at, "
                                 "estimated_delivery_at, updated_at, deleted_at",
    "shopify_fulfillment_pii": "fulfillment_id, email, destination ->> 'address1'",
}


def new_shop(db: psycopg.Connection) -> tuple[uuid.UUID, str]:
    """A fresh shop and its domain."""
    owner = seed.create_user(db)
    domain = f"ful-{uuid.uuid4().hex[:10]}.myshopify.com"
    return seed.create_shop(db, owner, domain, iana_timezone="America/Los_Angeles"), domain


def hook(db: psycopg.Connection, domain: str, topic: str, payload: dict[str, Any],
         event_id: str | None = None) -> Response:
    """POST /rpc/ingest_shopify_webhook as service_role."""
    event_id = event_id or str(uuid.uuid4())
    return rpc(db, "ingest_shopify_webhook",
               {"topic": topic, "shop_domain": domain, "webhook_id": event_id,
                "event_id": event_id, "triggered_at": "2026-11-22T18:15:00Z",
                "api_version": "2025-10", "payload": payload},
               identity=postgrest_standin.service_role())


def state(db: psycopg.Connection, shop: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    """The shop's fulfillment rows (no surrogate keys), sorted."""
    return {t: db.execute(f"select {c} from app.{t} where shop_id = %s order by 1, 2",  # noqa: S608
                          (shop,)).fetchall() for t, c in STATE.items()}


def test_a_fulfillment_its_lines_and_its_personal_data_are_stored(db: psycopg.Connection) -> None:
    """fulfillments/create: the parcel, the units of each line, the email and address apart."""
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).body["outcome"] == "applied"
    rows = state(db, shop)
    assert [r[:5] for r in rows["shopify_fulfillment"]] == [(8001, 9001, "success", None, "UPS")]
    assert rows["shopify_fulfillment_line"] == [(8001, 90010, 2)]
    assert rows["shopify_fulfillment_pii"] == [(8001, "c@example.test", "1 Pit Lane")]
    title = db.execute("select shipping_title from app.shopify_order where shop_id = %s",
                       (shop,)).fetchone()[0]
    assert title == "Ground"
    # a later version without personal data (an order's fulfillments[]) keeps it
    newer = ss.fulfillment(updated_at="2026-11-22T09:00:00-08:00") | {"shipment_status":
                                                                       "in_transit"}
    for key in ("email", "destination"):
        newer.pop(key)
    assert hook(db, domain, "orders/updated", ss.order(updated_at="2026-11-22T09:00:00-08:00")
                | {"fulfillments": [newer], "fulfillment_status": "fulfilled"}).ok
    rows = state(db, shop)
    assert rows["shopify_fulfillment"][0][3] == "in_transit"
    assert rows["shopify_fulfillment_pii"] == [(8001, "c@example.test", "1 Pit Lane")]


def test_stale_versions_of_fulfillments_and_events_change_nothing(db: psycopg.Connection) -> None:
    """An older or equal updated_at is stale, whichever arrives first."""
    shop, domain = new_shop(db)
    new = ss.fulfillment(updated_at="2026-11-22T09:00:00-08:00") | {"shipment_status": "delivered"}
    assert hook(db, domain, "fulfillments/update", new).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).body["outcome"] == "stale"
    assert hook(db, domain, "fulfillments/update", new).body["outcome"] == "stale"
    assert state(db, shop)["shopify_fulfillment"][0][3] == "delivered"
    event = ss.fulfillment_event()
    revised = event | {"updated_at": "2026-11-22T08:00:00-08:00", "status": "delayed"}
    assert hook(db, domain, "fulfillment_events/create", revised).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillment_events/create", event).body["outcome"] == "stale"
    assert [r[2] for r in state(db, shop)["shopify_fulfillment_event"]] == ["delayed"]


def test_an_event_before_its_fulfillment_waits_and_a_deleted_one_stays_deleted(
        db: psycopg.Connection) -> None:
    """Events are kept without their fulfillment; a delete before the create wins."""
    shop, domain = new_shop(db)
    first = ss.fulfillment_event(80011)
    wrong = ss.fulfillment_event(80012, status="delivered",
                                 happened_at="2026-11-22T10:00:00-08:00", eta=None)
    assert hook(db, domain, "fulfillment_events/create", first).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillment_events/delete", wrong).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillment_events/create", wrong).body["outcome"] == "applied"
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).ok
    events = state(db, shop)["shopify_fulfillment_event"]
    assert [(e[0], e[2], e[6] is not None) for e in events] == [
        (80011, "in_transit", False), (80012, "delivered", True)]


def test_carrier_names_map_to_keys_and_shops_can_add_their_own(db: psycopg.Connection) -> None:
    """Free text to a key: the defaults, a shop's own alias over them, else unmapped."""
    shop, _ = new_shop(db)
    other, _ = new_shop(db)
    db.execute("insert into app.carrier_alias (shop_id, alias, carrier_key) "
               "values (%s, 'speedyfreight', 'speedy'), (%s, 'ups', 'ups_freight')", (shop, shop))
    names = ["UPS", "ups", "United Parcel Service", "U.S. Postal Service", "FEDEX", "Other",
             "Speedy Freight", "", None]
    keys = db.execute("select array_agg(private.carrier_key(%s, n) order by i), "
                      "array_agg(private.carrier_key(%s, n) order by i) "
                      "from unnest(%s::text[]) with ordinality as x (n, i)",
                      (shop, other, names)).fetchone()
    assert keys[0] == ["ups_freight", "ups_freight", "ups", "usps", "fedex", "other", "speedy",
                       None, None]
    assert keys[1] == ["ups", "ups", "ups", "usps", "fedex", "other", None, None, None]


def test_a_backfilled_fulfillment_brings_its_events(db: psycopg.Connection) -> None:
    """backfill/fulfillment: the fulfillment and its events, each by its own version."""
    shop, domain = new_shop(db)
    resources = [{"kind": "fulfillment", "resource": ss.fulfillment() | {"events": [
        ss.fulfillment_event(80011), ss.fulfillment_event(
            80013, status="delivered", happened_at="2026-11-24T12:00:00-08:00", eta=None)]}}]
    resp = rpc(db, "ingest_shopify_backfill", {"shop_domain": domain, "resources": resources},
               identity=postgrest_standin.service_role())
    assert resp.ok, resp
    rows = state(db, shop)
    assert len(rows["shopify_fulfillment"]) == 1
    assert [e[:3] for e in rows["shopify_fulfillment_event"]] == [
        (80011, 8001, "in_transit"), (80013, 8001, "delivered")]


def test_customers_redact_deletes_their_fulfillments_personal_data(db: psycopg.Connection) -> None:
    """The email and destination go; the fulfillment and its figures stay."""
    shop, domain = new_shop(db)
    assert hook(db, domain, "orders/create", ss.order()).ok
    assert hook(db, domain, "fulfillments/create", ss.fulfillment()).ok
    assert hook(db, domain, "customers/redact", {
        "shop_id": 1, "shop_domain": domain, "customer": {"id": 7001},
        "orders_to_redact": [9001]}).ok
    rows = state(db, shop)
    assert rows["shopify_fulfillment_pii"] == []
    assert len(rows["shopify_fulfillment"]) == 1


def deliveries() -> list[tuple[str, dict[str, Any]]]:
    """One parcel's life: created, three events (one revised, one deleted), two updates."""
    f1 = ss.fulfillment()
    f2 = ss.fulfillment(updated_at="2026-11-23T09:00:00-08:00") | {"shipment_status":
                                                                   "in_transit"}
    f3 = ss.fulfillment(updated_at="2026-11-25T15:00:00-08:00") | {"shipment_status":
                                                                   "delivered"}
    e1 = ss.fulfillment_event(80011)
    e1b = e1 | {"updated_at": "2026-11-22T07:00:00-08:00",
                "estimated_delivery_at": "2026-11-26T20:00:00-08:00"}
    e2 = ss.fulfillment_event(80012, status="delayed", happened_at="2026-11-23T09:00:00-08:00")
    e3 = ss.fulfillment_event(80013, status="delivered",
                              happened_at="2026-11-25T15:00:00-08:00", eta=None)
    return [("fulfillments/create", f1), ("fulfillment_events/create", e1),
            ("fulfillments/update", f2), ("fulfillment_events/create", e1b),
            ("fulfillment_events/create", e2), ("fulfillment_events/delete", e2),
            ("fulfillment_events/create", e3), ("fulfillments/update", f3)]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed_=st.integers(0, 2**32 - 1))
def test_any_interleaving_and_duplication_ends_in_the_in_order_state(
        db: psycopg.Connection, seed_: int) -> None:
    """Shuffled and duplicated deliveries (a delete stays a delete) end where in order does."""
    with db.transaction(force_rollback=True):
        shop, domain = new_shop(db)
        for topic, body in deliveries():
            assert hook(db, domain, topic, body).ok
        in_order = state(db, shop)
    rng = random.Random(seed_)
    stream = deliveries() + rng.sample(deliveries(), 3)
    rng.shuffle(stream)
    with db.transaction(force_rollback=True):
        shop, domain = new_shop(db)
        for topic, body in stream:
            assert hook(db, domain, topic, body).ok
        assert state(db, shop) == in_order
