"""What the tenancy proofs need to know about each table and api function.

Every table in schemas app and audit must be listed in TABLE_SEEDERS, and every function
in schema api in API_CALLS: tests/test_rls.py fails on any that is missing, so a new
table or function cannot slip past the row-level security properties. READERS names
the relations only some member roles may read.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from storepulse.testkit import seed
from tests import shopify_samples
from tests.auditing import db_now, insert_row_change

ROLES = ("owner", "manager", "operator", "viewer")


@dataclass
class World:
    """Shops, their members and per-shop fixtures, written by the admin (RLS bypassed)."""

    shops: list[uuid.UUID] = field(default_factory=list)
    members: dict[uuid.UUID, dict[uuid.UUID, str]] = field(default_factory=dict)  # user->shop->role
    target_member: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # shop->a viewer
    owner: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # shop->its founding owner
    suggestion: dict[uuid.UUID, str] = field(default_factory=dict)  # shop->an undecided one
    outsider: uuid.UUID | None = None  # a user in no shop
    domains: dict[uuid.UUID, str] = field(default_factory=dict)  # shop -> myshopify domain
    receipt: dict[uuid.UUID, int] = field(default_factory=dict)  # shop -> an open receipt


def _seed_suggestion(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    world.suggestion[shop] = seed.suggest(conn, shop)["suggestion_id"]


def _seed_decision(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    suggestion = seed.suggest(conn, shop, kind="send_reply", subject_type="conversation",
                              subject_id="conv-1", payload={"text": "Hi!"})
    seed.decide(conn, shop, suggestion["suggestion_id"], world.owner[shop])


def _seed_legal_hold(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    conn.execute("insert into app.shop_legal_hold (shop_id, reason) values (%s, 'seeded')",
                  (shop,))


def _seed_payload_retention(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    conn.execute("insert into app.shop_payload_retention (shop_id, replay_window_days) "
                 "values (%s, 120)", (shop,))


def _no_rows(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    """app.shop and app.shop_member rows come from building the world itself."""


def _legacy_row_change(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    """audit.row_change holds the changes recorded before the per-table stores."""
    insert_row_change(conn, shop, db_now(conn))


def _shopify(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    shopify_samples.seed_shop(conn, world.domains[shop])


def _inventory(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    shopify_samples.seed_inventory(conn, world.domains[shop])


def _fulfillment(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    """A shipped order with a tracking event (backfill), and a shipping calendar."""
    shopify_samples.seed_fulfillment(conn, world.domains[shop])
    conn.execute("insert into app.fulfillment_settings (shop_id, handling_days) values (%s, 2)",
                 (shop,))
    conn.execute("insert into app.shop_holiday (shop_id, day, name) "
                 "values (%s, '2026-11-26', 'Thanksgiving')", (shop,))
    conn.execute("insert into app.carrier_alias (shop_id, alias, carrier_key) "
                 "values (%s, 'upsfreight', 'ups')", (shop,))
    conn.execute("insert into app.carrier_service_sla (shop_id, carrier_key, service, "
                 "business_days) values (%s, 'ups', 'ground', 4)", (shop,))


def _planning(conn: psycopg.Connection, shop: uuid.UUID, world: World) -> None:
    """A supplier of the sample variant, a receipt, settings, and the day's figures."""
    world.receipt[shop] = shopify_samples.seed_planning(conn, shop)


# Tables: a function that writes at least one row of the table for a shop (each distinct
# function runs once per shop). app.shop and app.shop_member rows come from the world itself.
TABLE_SEEDERS: dict[str, Callable[[psycopg.Connection, uuid.UUID, World], None]] = {
    "app.shop": _no_rows,
    "app.shop_member": _no_rows,
    **{f"app.{t}": _shopify for t in (
        "inbound_event", "inbound_payload", "inbound_dead_letter", "shopify_customer",
        "shopify_customer_pii",
        "shopify_product", "shopify_variant", "shopify_inventory_item", "shopify_order",
        "shopify_order_deletion", "shopify_order_line", "shopify_order_discount_code",
        "shopify_refund", "shopify_refund_line", "shopify_order_adjustment",
        "shopify_transaction", "sales_daily", "sales_hourly", "sales_product_daily",
        "sales_customer_first_order")},
    **{f"app.{t}": _inventory for t in (
        "shopify_location", "shopify_inventory_level", "shopify_inventory_level_version",
        "inventory_level_day", "inventory_item_day")},
    **{f"app.{t}": _fulfillment for t in (
        "shopify_fulfillment", "shopify_fulfillment_line", "shopify_fulfillment_pii",
        "shopify_fulfillment_event", "fulfillment_settings", "shop_holiday", "carrier_alias",
        "carrier_service_sla", "fulfillment_line", "fulfillment_shipment")},
    **{f"app.{t}": _planning for t in (
        "inventory_settings", "inventory_supplier", "inventory_variant_supplier",
        "inventory_receipt", "inventory_sales_daily", "inventory_stats_day",
        "inventory_variant_stats", "inventory_variant_state", "inventory_state_totals",
        "inventory_state_cover")},
    "app.shop_legal_hold": _seed_legal_hold,
    "app.shop_payload_retention": _seed_payload_retention,
    "audit.suggestion": _seed_suggestion,
    "audit.decision": _seed_decision,
    "audit.row_change": _legacy_row_change,
    # written by the audit triggers on app.shop and app.shop_member as the world is built
    "audit.row_change__app__shop": _no_rows,
    "audit.row_change__app__shop_member": _no_rows,
    "audit.row_change__app__shop_legal_hold": _no_rows,  # written by _seed_legal_hold
    # written by _seed_payload_retention
    "audit.row_change__app__shop_payload_retention": _no_rows,
    # written by _planning
    **{f"audit.row_change__app__{t}": _no_rows for t in (
        "inventory_settings", "inventory_supplier", "inventory_variant_supplier",
        "inventory_receipt")},
    # written by _fulfillment
    **{f"audit.row_change__app__{t}": _no_rows for t in (
        "fulfillment_settings", "shop_holiday", "carrier_alias", "carrier_service_sla")},
}

# Relations only some member roles may read (the others see none of their rows).
READERS: dict[str, frozenset[str]] = {
    "app.inbound_event": frozenset({"owner", "manager"}),
    "app.inbound_payload": frozenset({"owner", "manager"}),
    "app.inbound_dead_letter": frozenset({"owner", "manager"}),
    "app.shopify_customer_pii": frozenset({"owner", "manager", "operator"}),
    "app.shopify_fulfillment_pii": frozenset({"owner", "manager", "operator"}),
    "audit.row_change": frozenset({"owner", "manager"}),
    "audit.row_change__app__shop": frozenset({"owner", "manager"}),
    "audit.row_change__app__shop_member": frozenset({"owner", "manager"}),
    "audit.row_change__app__shop_legal_hold": frozenset({"owner", "manager"}),
    "audit.row_change__app__shop_payload_retention": frozenset({"owner", "manager"}),
    **{f"audit.row_change__app__{t}": frozenset({"owner", "manager"}) for t in (
        "inventory_settings", "inventory_supplier", "inventory_variant_supplier",
        "inventory_receipt", "fulfillment_settings", "shop_holiday", "carrier_alias",
        "carrier_service_sla")},
}


def _csv_rows(body: str) -> int:
    return len(list(csv.reader(io.StringIO(body, newline="")))) - 1


def _jsonl_rows(body: str) -> int:
    return body.count("\n")  # one record a line, each ending in \n


@dataclass(frozen=True)
class ApiCall:
    """How to call an api function for a shop, and which member roles may."""

    args: Callable[[uuid.UUID, World], dict[str, Any]]
    allowed: frozenset[str]
    per_shop: bool = True  # False: not about one shop (e.g. create_shop)
    kind: str = "write"  # 'write': refused with 42501; 'read': hidden rows are absent
    rows: Callable[[Any], int] = len  # 'read': how many rows of the shop a body holds


API_CALLS: dict[str, ApiCall] = {
    "create_shop": ApiCall(
        lambda shop, w: {"shopify_domain": f"new-{uuid.uuid4().hex[:10]}.myshopify.com",
                         "name": "New", "currency": "EUR", "iana_timezone": "Europe/Berlin"},
        frozenset(ROLES), per_shop=False),
    "update_shop": ApiCall(lambda shop, w: {"shop_id": str(shop), "name": "Renamed"},
                           frozenset({"owner", "manager"})),
    "add_shop_member": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "user_id": str(w.outsider), "role": "viewer"},
        frozenset({"owner", "manager"})),
    "set_shop_member_role": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "user_id": str(w.target_member[shop]),
                         "role": "operator"},
        frozenset({"owner", "manager"})),
    "remove_shop_member": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "user_id": str(w.target_member[shop])},
        frozenset({"owner", "manager"})),
    # service_role only: every member role is refused
    "ingest_shopify_webhook": ApiCall(
        lambda shop, w: {"topic": "orders/create", "shop_domain": w.domains[shop],
                         "webhook_id": str(uuid.uuid4()), "payload": shopify_samples.order(42)},
        frozenset()),
    "ingest_shopify_backfill": ApiCall(
        lambda shop, w: {"shop_domain": w.domains[shop], "resources": [
            {"kind": "product", "resource": shopify_samples.product(42)}]},
        frozenset()),
    "replay_shopify_dead_letters": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset()),
    "replay_dead_letters": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset()),
    "rebuild_sales_rollups": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset()),
    "set_shopify_webhook_secret": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "secret": "s" * 32}, frozenset()),
    # a stable read, but strangers are refused with 403 rather than shown an empty tile
    "sales_pulse": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset(ROLES)),
    "payload_retention": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset(ROLES)),
    "set_payload_retention": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "replay_window_days": 30}, frozenset({"owner"})),
    "discard_dead_letters": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "dead_letter_ids": [1, 2]}, frozenset({"owner"})),
    "suggest_action": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "kind": "fix_seo_page", "subject_type": "page",
                         "subject_id": "/products/widget", "payload": {"title": "Widget"},
                         "source": "seo-rules", "model_version": "r7"},
        frozenset({"owner", "manager", "operator"})),
    "decide_action": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "suggestion_id": w.suggestion[shop],
                         "outcome": "rejected", "note": "Not now"},
        frozenset({"owner", "manager", "operator"})),
    "set_legal_hold": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "held": True, "reason": "Dispute 42"},
        frozenset({"owner"})),
    "decision_log": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset(ROLES),
                            kind="read"),
    "decision_latency": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset(ROLES),
                                kind="read"),
    "approval_rates": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset(ROLES),
                              kind="read"),
    "export_decisions_csv": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset(ROLES),
                                    kind="read", rows=_csv_rows),
    "export_decisions_jsonl": ApiCall(lambda shop, w: {"shop_id": str(shop)},
                                      frozenset(ROLES), kind="read", rows=_jsonl_rows),
    "row_changes": ApiCall(lambda shop, w: {"shop_id": str(shop)},
                           frozenset({"owner", "manager"}), kind="read"),
    "inventory_watch": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset(ROLES)),
    "fulfillment_flow": ApiCall(lambda shop, w: {"shop_id": str(shop)}, frozenset(ROLES)),
    "set_fulfillment_settings": ApiCall(lambda shop, w: {"shop_id": str(shop), "handling_days": 2},
                                        frozenset({"owner", "manager"})),
    "set_shop_holiday": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "day": "2026-12-24", "name": "Christmas Eve"},
        frozenset({"owner", "manager"})),
    "set_carrier_alias": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "tracking_company": "U.P.S. Freight",
                         "carrier_key": "ups"}, frozenset({"owner", "manager"})),
    "set_carrier_service_sla": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "carrier_key": "ups", "service": "UPS Ground",
                         "business_days": 4}, frozenset({"owner", "manager"})),
    "set_supplier": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "name": "Fittings Co", "lead_time_days": 21},
        frozenset({"owner", "manager"})),
    "set_variant_supplier": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "variant_id": shopify_samples.VARIANT_ID,
                         "supplier_id": None}, frozenset({"owner", "manager"})),
    "record_expected_receipt": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "variant_id": shopify_samples.VARIANT_ID,
                         "quantity": 24, "expected_on": "2026-12-10"},
        frozenset({"owner", "manager"})),
    "close_receipt": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "receipt_id": w.receipt[shop],
                         "status": "cancelled"}, frozenset({"owner", "manager"})),
    "set_inventory_settings": ApiCall(
        lambda shop, w: {"shop_id": str(shop), "lookback_days": 28},
        frozenset({"owner", "manager"})),
}


def build_world(conn: psycopg.Connection, n_shops: int,
                memberships: list[dict[int, str]]) -> World:
    """Shops with a founding owner and a target viewer each, plus the given members."""
    world = World(outsider=seed.create_user(conn))
    for i in range(n_shops):
        founder = seed.create_user(conn)
        shop = conn.execute(
            "insert into app.shop (shopify_domain, name, currency, iana_timezone) "
            "values (%s, %s, 'USD', 'America/Chicago') returning shop_id",
            (f"rls-{uuid.uuid4().hex[:12]}.myshopify.com", f"Shop {i}"),
        ).fetchone()[0]
        world.shops.append(shop)
        world.domains[shop] = conn.execute("select shopify_domain from app.shop where shop_id = %s",
                                           (shop,)).fetchone()[0]
        world.owner[shop] = founder
        seed.add_member(conn, shop, founder, "owner")
        target = seed.create_user(conn)
        seed.add_member(conn, shop, target, "viewer")
        world.target_member[shop] = target
    for member_of in memberships:
        user_id = seed.create_user(conn)
        world.members[user_id] = {}
        for idx, role in member_of.items():
            shop = world.shops[idx % n_shops]
            if shop in world.members[user_id]:
                continue
            seed.add_member(conn, shop, user_id, role)
            world.members[user_id][shop] = role
    for shop in world.shops:
        for seeder in dict.fromkeys(TABLE_SEEDERS.values()):
            seeder(conn, shop, world)
    return world
