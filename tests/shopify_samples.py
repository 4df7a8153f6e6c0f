"""Small hand-written Shopify payloads: a product, an order with a refund, and friends.

The generator (storepulse.synth) makes realistic streams; these are for tests that need
one exact payload to poke at.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import psycopg

TZ_OFFSET = "-08:00"


def money(amount: str) -> dict[str, Any]:
    """A Shopify *_set money object in USD."""
    return {"shop_money": {"amount": amount, "currency_code": "USD"},
            "presentment_money": {"amount": amount, "currency_code": "USD"}}


def product(product_id: int = 5001, updated_at: str = f"2026-11-01T09:00:00{TZ_OFFSET}",
            price: str = "24.99") -> dict[str, Any]:
    """A products/create payload with one variant."""
    return {"id": product_id, "title": "AN -6 Straight Hose End, Blue/Red",
            "handle": "an6-straight", "product_type": "Hose Ends", "vendor": "Hot Rod AN",
            "status": "active", "tags": "AN6",
            "created_at": f"2026-01-01T09:00:00{TZ_OFFSET}", "updated_at": updated_at,
            "variants": [{"id": product_id * 10, "product_id": product_id, "sku": "AN6-STR-BLU",
                          "title": "Blue/Red", "price": price,
                          "inventory_item_id": product_id * 100}]}


def customer(customer_id: int = 7001, updated_at: str = f"2026-11-20T10:15:00{TZ_OFFSET}") -> dict:
    """A customers/create payload (with personal data)."""
    return {"id": customer_id, "email": f"c{customer_id}@example.test", "first_name": "Ada",
            "last_name": "Racer", "phone": "+15555550100", "state": "enabled",
            "created_at": f"2026-11-20T10:15:00{TZ_OFFSET}", "updated_at": updated_at,
            "default_address": {"address1": "1 Pit Lane", "city": "Fresno"}}


def refund(order_id: int = 9001, refund_id: int = 9901,
           created_at: str = f"2026-11-22T09:00:00{TZ_OFFSET}") -> dict[str, Any]:
    """A refunds/create payload: one unit back, a shipping refund, the money sent back."""
    return {"id": refund_id, "order_id": order_id, "created_at": created_at, "note": "wrong size",
            "refund_line_items": [{"id": refund_id * 10, "line_item_id": order_id * 10,
                                   "quantity": 1, "restock_type": "return", "subtotal": "22.49",
                                   "subtotal_set": money("22.49"), "total_tax": "1.86",
                                   "total_tax_set": money("1.86")}],
            "order_adjustments": [{"id": refund_id * 10 + 1, "kind": "shipping_refund",
                                   "amount": "-9.95", "amount_set": money("-9.95"),
                                   "tax_amount": "0.00", "reason": "Shipping refund"}],
            "transactions": [{"id": refund_id * 10 + 2, "kind": "refund", "status": "success",
                              "gateway": "shopify_payments", "amount": "34.30",
                              "processed_at": created_at}]}


def order(order_id: int = 9001, updated_at: str = f"2026-11-20T10:15:00{TZ_OFFSET}", *,
          quantity: int = 2, with_refund: bool = False, test: bool = False,
          customer_id: int | None = 7001, product_id: int = 5001) -> dict[str, Any]:
    """An orders/create payload: one line with a discount code, tax and shipping."""
    gross = 24.99 * quantity
    payload: dict[str, Any] = {
        "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#{order_id}", "created_at": f"2026-11-20T10:15:00{TZ_OFFSET}",
        "processed_at": f"2026-11-20T10:15:00{TZ_OFFSET}", "updated_at": updated_at,
        "test": test, "financial_status": "paid", "fulfillment_status": None, "currency": "USD",
        "email": "c@example.test", "phone": "+15555550100",
        "subtotal_price": f"{gross - 2.5:.2f}", "total_discounts": "2.50",
        "total_discounts_set": money("2.50"), "total_tax": "4.12", "total_tax_set": money("4.12"),
        "total_shipping_price_set": money("9.95"),
        "total_price": f"{gross - 2.5 + 4.12 + 9.95:.2f}",
        "discount_codes": [{"code": "SPRING10", "amount": "2.50", "type": "percentage"}],
        "shipping_lines": [{"price": "9.95", "price_set": money("9.95"), "title": "Ground"}],
        "billing_address": {"address1": "1 Pit Lane", "city": "Fresno"},
        "line_items": [{"id": order_id * 10, "product_id": product_id,
                        "variant_id": product_id * 10, "sku": "AN6-STR-BLU",
                        "title": "AN -6 Straight Hose End",
                        "quantity": quantity, "price": "24.99", "price_set": money("24.99"),
                        "gift_card": False, "requires_shipping": True,
                        "discount_allocations": [{"amount": "2.50", "amount_set": money("2.50"),
                                                  "discount_application_index": 0}],
                        "tax_lines": [{"price": "4.12", "price_set": money("4.12"), "rate": 0.0825,
                                       "title": "CA State Tax"}]}],
        "refunds": [refund(order_id)] if with_refund else [],
    }
    if customer_id is not None:
        payload["customer"] = customer(customer_id) | {"updated_at": updated_at}
    return payload


def inventory_item(item_id: int = 500100, cost: str = "11.20") -> dict[str, Any]:
    """An inventory item resource with the variant's unit cost."""
    return {"id": item_id, "sku": "AN6-STR-BLU", "cost": cost, "tracked": True,
            "updated_at": f"2026-11-01T09:00:00{TZ_OFFSET}"}


def location(location_id: int = 700100) -> dict[str, Any]:
    """A location resource (the shop's warehouse)."""
    return {"id": location_id, "name": "Warehouse", "city": "Reno", "province_code": "NV",
            "country_code": "US", "active": True, "legacy": False,
            "updated_at": f"2026-01-01T09:00:00{TZ_OFFSET}"}


def inventory_level(item_id: int = 500100, location_id: int = 700100, available: int | None = 12,
                    updated_at: str = f"2026-11-01T09:00:00{TZ_OFFSET}") -> dict[str, Any]:
    """An inventory level: the variant's stock at a location."""
    return {"inventory_item_id": item_id, "location_id": location_id, "available": available,
            "updated_at": updated_at}


def fulfillment(fulfillment_id: int = 8001, order_id: int = 9001, *,
                updated_at: str = f"2026-11-21T09:30:00{TZ_OFFSET}",
                company: str | None = "UPS", quantity: int = 2) -> dict[str, Any]:
    """A fulfillments/create payload: the order's line shipped from location() by UPS."""
    number = None if company is None else f"1Z{fulfillment_id:016d}"
    return {"id": fulfillment_id, "order_id": order_id, "status": "success",
            "created_at": f"2026-11-21T09:30:00{TZ_OFFSET}", "service": "manual",
            "updated_at": updated_at, "tracking_company": company, "shipment_status": None,
            "location_id": 700100, "origin_address": None, "email": "c@example.test",
            "destination": {"first_name": "Cam", "last_name": "Shaft", "address1": "1 Pit Lane",
                            "city": "Fresno", "zip": "93650", "phone": "+15555550100",
                            "province_code": "CA", "country_code": "US"},
            "line_items": [{"id": order_id * 10, "variant_id": 50010, "quantity": quantity,
                            "fulfillment_status": "fulfilled"}],
            "tracking_number": number, "tracking_numbers": [number] if number else [],
            "tracking_url": number and f"https://www.ups.com/track?tracknum={number}",
            "tracking_urls": [f"https://www.ups.com/track?tracknum={number}"] if number else [],
            "receipt": {}, "name": f"#{order_id}.1",
            "admin_graphql_api_id": f"gid://shopify/Fulfillment/{fulfillment_id}"}


def fulfillment_event(event_id: int = 80011, fulfillment_id: int = 8001, order_id: int = 9001, *,
                      status: str = "in_transit",
                      happened_at: str = f"2026-11-21T18:00:00{TZ_OFFSET}",
                      eta: str | None = f"2026-11-25T20:00:00{TZ_OFFSET}") -> dict[str, Any]:
    """A fulfillment_events/create payload."""
    return {"id": event_id, "fulfillment_id": fulfillment_id, "status": status,
            "message": status.replace("_", " "), "happened_at": happened_at, "city": "Fresno",
            "province": "California", "country": "US", "zip": "93650", "address1": None,
            "latitude": None, "longitude": None, "shop_id": 548380009,
            "created_at": happened_at, "updated_at": happened_at,
            "estimated_delivery_at": eta, "order_id": order_id,
            "admin_graphql_api_id": f"gid://shopify/FulfillmentEvent/{event_id}"}


def mutate(payload: dict[str, Any], path: list[Any], value: object) -> dict[str, Any]:
    """A deep copy of a payload with one field set (value ... deletes it)."""
    out = copy.deepcopy(payload)
    target = out
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


def webhook(conn: psycopg.Connection, domain: str, topic: str, payload: dict[str, Any],
            event_id: str) -> dict[str, Any]:
    """Call api.ingest_shopify_webhook directly as the admin (for seeding)."""
    row = conn.execute(
        "select api.ingest_shopify_webhook(topic => %s, shop_domain => %s, webhook_id => %s, "
        "event_id => %s, triggered_at => now(), api_version => '2025-10', payload => %s::jsonb)",
        (topic, domain, event_id, event_id, json.dumps(payload))).fetchone()
    return row[0]


def seed_shop(conn: psycopg.Connection, domain: str) -> None:
    """A row in every Shopify table for one shop: backfill, webhooks, a dead letter, a deletion."""
    resources = [{"kind": "product", "resource": product()},
                 {"kind": "inventory_item", "resource": inventory_item()},
                 {"kind": "customer", "resource": customer()},
                 {"kind": "order", "resource": order(with_refund=True)}]
    conn.execute("select api.ingest_shopify_backfill(%s, %s::jsonb)",
                 (domain, json.dumps(resources)))
    webhook(conn, domain, "orders/create", order(9002), f"{domain}-o2")
    webhook(conn, domain, "orders/delete", {"id": 9002}, f"{domain}-d2")
    webhook(conn, domain, "orders/create",
            mutate(order(9003), ["line_items", 0, "price_set", "shop_money", "amount"], "x"),
            f"{domain}-bad")


def seed_inventory(conn: psycopg.Connection, domain: str) -> None:
    """A row in every inventory table for one shop: a location and a level, by backfill."""
    resources = [{"kind": "location", "resource": location()},
                 {"kind": "inventory_level", "resource": inventory_level()}]
    conn.execute("select api.ingest_shopify_backfill(%s, %s::jsonb)",
                 (domain, json.dumps(resources)))


def seed_fulfillment(conn: psycopg.Connection, domain: str) -> None:
    """A row in every fulfillment table for one shop: order(), shipped, with one event."""
    resources = [{"kind": "order", "resource": order()},
                 {"kind": "fulfillment", "resource": fulfillment() | {
                     "events": [fulfillment_event()]}}]
    conn.execute("select api.ingest_shopify_backfill(%s, %s::jsonb)",
                 (domain, json.dumps(resources)))


VARIANT_ID = 50010  # the variant of product() and order()


def seed_planning(conn: psycopg.Connection, shop_id: object) -> int:
    """Settings, a supplier of the sample variant, an open receipt and the day's figures.

    Written as the admin (row-level security bypassed); returns the receipt's id.
    """
    conn.execute("insert into app.inventory_settings (shop_id, lookback_days) values (%s, 30)",
                 (shop_id,))
    supplier = conn.execute("insert into app.inventory_supplier (shop_id, name, lead_time_days) "
                            "values (%s, 'Seeded Supply', 21) returning supplier_id",
                            (shop_id,)).fetchone()[0]
    conn.execute("insert into app.inventory_variant_supplier (shop_id, variant_id, supplier_id) "
                 "values (%s, %s, %s)", (shop_id, VARIANT_ID, supplier))
    receipt = conn.execute(
        "insert into app.inventory_receipt (shop_id, variant_id, supplier_id, quantity, "
        "expected_on) values (%s, %s, %s, 12, current_date + 7) returning receipt_id",
        (shop_id, VARIANT_ID, supplier)).fetchone()[0]
    conn.execute("select private.roll_inventory_stats(%s, '2026-11-20')", (shop_id,))
    return int(receipt)
