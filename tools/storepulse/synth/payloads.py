"""REST-shaped Shopify resources (Admin API 2025-10), built from the internal model.

Shapes follow Shopify's REST resources and webhook bodies: numeric `id` plus
`admin_graphql_api_id`, money as decimal strings ("49.00") with `*_set` objects in shop and
presentment money (both USD here), timestamps in ISO 8601 with the shop's UTC offset.
Simplifications, documented: one combined tax line per jurisdiction; fulfillments carry
trimmed line items; no transactions on the order (they are on each refund); line items'
deprecated `total_discount` is "0.00" as Shopify sends it for code discounts (use
`discount_allocations`); no `inventory_quantity` on variants (stock is on the inventory
levels: inventory_levels/* webhooks and the backfill's levels); a product's unit cost
lives on its InventoryItem (`cost`): the backfill and inventory_items/create carry it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from functools import lru_cache
from typing import Any

from storepulse.synth import catalog as cat
from storepulse.synth import model as m
from storepulse.synth.timeline import TZ

CURRENCY = "USD"
SHOP_ID = 68_190_388_241
SHOP_DOMAIN = "hot-rod-an.myshopify.com"
LOCATION_ID = 71_350_460_513


@lru_cache(maxsize=65_536)
def iso(ts: int) -> str:
    """"2026-04-22T14:30:00-07:00" in the shop's time zone."""
    return dt.datetime.fromtimestamp(ts, TZ).isoformat()


def money(d: Decimal) -> str:
    """"49.00"."""
    return f"{d:.2f}"


def money_set(d: Decimal) -> dict[str, Any]:
    """{shop_money, presentment_money}."""
    s = {"amount": f"{d:.2f}", "currency_code": CURRENCY}
    return {"shop_money": s, "presentment_money": dict(s)}


def gid(kind: str, rid: int) -> str:
    """"gid://shopify/Order/123"."""
    return f"gid://shopify/{kind}/{rid}"


def token(*parts: object) -> str:
    """A stable hex token derived from ids (no randomness)."""
    return hashlib.sha1(":".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def variant(v: cat.Variant, p: cat.Product, inventory_policy: str = "deny") -> dict[str, Any]:
    """A product variant ("continue": sold when out of stock)."""
    return {"id": v.id, "product_id": p.id, "title": v.title, "price": money(v.price),
            "position": v.position, "inventory_policy": inventory_policy,
            "compare_at_price": None,
            "option1": v.title, "option2": None, "option3": None, "created_at": iso(p.created_ts),
            "updated_at": iso(p.updated_ts), "taxable": v.taxable, "barcode": None,
            "sku": v.sku, "inventory_item_id": v.inventory_item_id, "weight": v.grams / 1000,
            "weight_unit": "kg", "requires_shipping": v.requires_shipping, "image_id": None,
            "admin_graphql_api_id": gid("ProductVariant", v.id)}


def product(p: cat.Product, inventory_policy: str = "deny") -> dict[str, Any]:
    """A product with its variants and options."""
    return {"id": p.id, "title": p.title, "body_html": f"<p>{p.title} by {p.vendor}.</p>",
            "vendor": p.vendor, "product_type": p.product_type, "created_at": iso(p.created_ts),
            "handle": p.handle, "updated_at": iso(p.updated_ts), "published_at": iso(p.created_ts),
            "template_suffix": None, "published_scope": "global", "tags": p.tags,
            "status": "active", "admin_graphql_api_id": gid("Product", p.id),
            "variants": [variant(v, p, inventory_policy) for v in p.variants],
            "options": [{"id": p.id + 1, "product_id": p.id, "name": p.option_name, "position": 1,
                         "values": [v.title for v in p.variants]}],
            "images": [], "image": None}


def inventory_item(v: cat.Variant, p: cat.Product) -> dict[str, Any]:
    """The InventoryItem behind a variant, with its unit cost."""
    return {"id": v.inventory_item_id, "sku": v.sku, "created_at": iso(p.created_ts),
            "updated_at": iso(p.created_ts), "requires_shipping": v.requires_shipping,
            "cost": None if v.gift_card else money(v.cost), "country_code_of_origin": "US",
            "province_code_of_origin": None, "harmonized_system_code": "760900",
            "tracked": not v.gift_card, "country_harmonized_system_codes": [],
            "weight_value": round(v.grams / 453.59237, 3), "weight_unit": "lb",
            "admin_graphql_api_id": gid("InventoryItem", v.inventory_item_id)}


def inventory_item_deleted(v: cat.Variant) -> dict[str, Any]:
    """The body of inventory_items/delete."""
    return {"id": v.inventory_item_id, "country_code_of_origin": "US",
            "province_code_of_origin": None, "harmonized_system_code": "760900",
            "country_harmonized_system_codes": [],
            "admin_graphql_api_id": gid("InventoryItem", v.inventory_item_id)}


def inventory_level(lv: m.LevelVersion) -> dict[str, Any]:
    """An inventory level (inventory_levels/update and connect, and the backfill)."""
    return {"inventory_item_id": lv.inventory_item_id, "location_id": lv.location_id,
            "available": lv.available, "updated_at": iso(lv.updated_ts),
            "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{lv.location_id}"
                                    f"?inventory_item_id={lv.inventory_item_id}"}


def inventory_level_disconnected(lv: m.LevelVersion) -> dict[str, Any]:
    """The body of inventory_levels/disconnect."""
    return {"inventory_item_id": lv.inventory_item_id, "location_id": lv.location_id}


def location(loc: m.Location) -> dict[str, Any]:
    """A location (locations/* webhooks and the backfill)."""
    return {"id": loc.id, "name": loc.name, "address1": loc.address1, "address2": None,
            "city": loc.city, "zip": loc.zip, "province": loc.province, "country": "US",
            "phone": loc.phone, "created_at": iso(loc.created_ts),
            "updated_at": iso(loc.updated_ts), "country_code": "US",
            "country_name": "United States", "province_code": loc.province_code,
            "legacy": False, "active": True, "admin_graphql_api_id": gid("Location", loc.id)}


def address(c: m.Customer | None, region: m.Region,
            name: tuple[str, str] = ("", "")) -> dict[str, Any]:
    """A US address."""
    first, last = (c.first_name, c.last_name) if c else name
    return {"first_name": first, "address1": c.address1 if c else "100 Main St",
            "phone": c.phone if c else None, "city": region.city, "zip": region.zip,
            "province": region.province, "country": "United States", "last_name": last,
            "address2": None, "company": None, "latitude": None, "longitude": None,
            "name": f"{first} {last}".strip(), "country_code": "US",
            "province_code": region.province_code}


def customer(c: m.Customer, *, full: bool = True) -> dict[str, Any]:
    """A customer (full: with addresses, as customers/* and the Admin API return it)."""
    default = {"id": c.id + 1, "customer_id": c.id, **address(c, c.region), "default": True}
    out = {"id": c.id, "email": c.email, "created_at": iso(c.created_ts),
           "updated_at": iso(c.updated_ts), "first_name": c.first_name, "last_name": c.last_name,
           "state": "enabled", "note": c.note, "verified_email": True,
           "multipass_identifier": None, "tax_exempt": False, "phone": c.phone,
           "email_marketing_consent": {
               "state": "subscribed" if c.accepts_marketing else "not_subscribed",
               "opt_in_level": "single_opt_in", "consent_updated_at": iso(c.updated_ts)},
           "sms_marketing_consent": None, "tags": ", ".join(c.tags), "currency": CURRENCY,
           "tax_exemptions": [], "admin_graphql_api_id": gid("Customer", c.id),
           "default_address": default}
    if full:
        out["addresses"] = [default]
    return out


def _tax_lines(amount: Decimal, region: m.Region) -> list[dict[str, Any]]:
    if not region.tax_rate or not amount:
        return []
    return [{"channel_liable": False, "price": money(amount), "price_set": money_set(amount),
             "rate": float(region.tax_rate), "title": region.tax_title}]


def line_item(li: m.LineItem, o: m.Order, *, product_exists: bool) -> dict[str, Any]:
    """An order line with its tax lines and discount allocations."""
    done = o.fulfillment_status == "fulfilled"
    left = li.quantity - li.refunded
    allocations = [] if not li.discount else [
        {"amount": money(li.discount), "amount_set": money_set(li.discount),
         "discount_application_index": 0}]
    return {"id": li.id, "admin_graphql_api_id": gid("LineItem", li.id), "attributed_staffs": [],
            "current_quantity": left,
            "fulfillable_quantity": 0 if done or o.cancelled_ts else left,
            "fulfillment_service": "manual", "fulfillment_status": "fulfilled" if done else None,
            "gift_card": li.gift_card, "grams": li.grams,
            "name": f"{li.title} - {li.variant_title}", "price": money(li.price),
            "price_set": money_set(li.price), "product_exists": product_exists,
            "product_id": li.product_id, "properties": [], "quantity": li.quantity,
            "requires_shipping": not li.gift_card, "sku": li.sku, "taxable": not li.gift_card,
            "title": li.title, "total_discount": "0.00", "total_discount_set": money_set(cat.ZERO),
            "variant_id": li.variant_id, "variant_inventory_management": "shopify",
            "variant_title": li.variant_title, "vendor": li.vendor,
            "tax_lines": _tax_lines(li.tax, o.region), "duties": [],
            "discount_allocations": allocations}
