"""REST-shaped orders, refunds, order edits, the shop, and GDPR compliance bodies.

`order(o, exists)` is the full order as of now (the body of every orders/* webhook except
orders/delete and orders/edited, and what the Admin API returns): `refunds[]` is included
once refunds exist, `updated_at` moves with each change. `exists(product_id)` tells whether
the product still exists (line items' `product_exists`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from storepulse.synth import catalog as cat
from storepulse.synth import model as m
from storepulse.synth import timeline as tl
from storepulse.synth.payloads import (
    CURRENCY,
    LOCATION_ID,
    SHOP_DOMAIN,
    SHOP_ID,
    address,
    customer,
    gid,
    iso,
    line_item,
    money,
    money_set,
    token,
)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, cat.ZERO)


def order(o: m.Order, exists: Callable[[int], bool]) -> dict[str, Any]:
    """The full order resource."""
    refund_lines = [rl for r in o.refunds for rl in r.lines]
    adjustments = [a for r in o.refunds for a in r.adjustments]
    items, discounts, tax = o.line_items_price, o.total_discounts, o.total_tax
    subtotal = items - discounts
    total = subtotal + o.shipping_price + tax
    cur_subtotal = subtotal - _sum(rl.subtotal for rl in refund_lines)
    cur_tax = tax - _sum(rl.total_tax for rl in refund_lines) + _sum(
        a.tax_amount for a in adjustments)
    cur_disc = discounts - _sum(cat.q2(li.discount * li.refunded / li.quantity)
                                for li in o.lines if li.refunded)
    cur_total = total - o.refunded_amount
    guest = (tl.FIRST_NAMES[o.id % 60], tl.LAST_NAMES[o.id // 7 % 60])
    name = ("QA", "Test") if o.test else guest
    billing_address = address(o.customer, o.region, name)
    shipping_address = billing_address if o.shipping_title else None
    disc = o.discount
    apps = [] if disc is None else [{
        "target_type": "line_item", "type": "discount_code", "value": f"{disc.value:.1f}",
        "value_type": disc.kind, "allocation_method": "across", "target_selection": "all",
        "code": disc.code}]
    codes = [] if disc is None else [{"code": disc.code, "amount": money(discounts),
                                      "type": disc.kind}]
    outstanding = total if o.financial_status == "authorized" else cat.ZERO
    tax_lines = [] if not tax else [{
        "price": money(tax), "rate": float(o.region.tax_rate),
        "title": o.region.tax_title, "price_set": money_set(tax), "channel_liable": False}]
    return {
        "id": o.id, "admin_graphql_api_id": gid("Order", o.id),
        "app_id": 580111 if o.source_name == "web" else 1354745,
        "browser_ip": None if o.source_name != "web" else f"198.51.100.{o.number % 250 + 1}",
        "buyer_accepts_marketing": bool(o.customer and o.customer.accepts_marketing),
        "cancel_reason": o.cancel_reason,
        "cancelled_at": iso(o.cancelled_ts) if o.cancelled_ts else None,
        "cart_token": token("cart", o.id)[:32], "checkout_id": o.id + 7,
        "checkout_token": token("checkout", o.id)[:32], "client_details": None,
        "closed_at": iso(o.closed_ts) if o.closed_ts else None,
        "confirmation_number": token("conf", o.id)[:9].upper(), "confirmed": True,
        "contact_email": o.email, "created_at": iso(o.created_ts), "currency": CURRENCY,
        "current_subtotal_price": money(cur_subtotal),
        "current_subtotal_price_set": money_set(cur_subtotal),
        "current_total_discounts": money(cur_disc),
        "current_total_discounts_set": money_set(cur_disc),
        "current_total_duties_set": None, "current_total_price": money(cur_total),
        "current_total_price_set": money_set(cur_total), "current_total_tax": money(cur_tax),
        "current_total_tax_set": money_set(cur_tax), "customer_locale": "en",
        "discount_codes": codes, "email": o.email, "estimated_taxes": False,
        "financial_status": o.financial_status, "fulfillment_status": o.fulfillment_status,
        "landing_site": o.landing_site or None, "location_id": None, "name": o.name,
        "note": None, "note_attributes": [], "number": o.number - 1000,
        "order_number": o.number,
        "order_status_url":
            f"https://{SHOP_DOMAIN}/{SHOP_ID}/orders/{token('s', o.id)[:32]}/authenticate",
        "original_total_duties_set": None, "payment_gateway_names": [o.gateway],
        "phone": None, "presentment_currency": CURRENCY, "processed_at": iso(o.created_ts),
        "reference": None, "referring_site": o.referring_site or None,
        "source_identifier": None, "source_name": o.source_name, "subtotal_price": money(subtotal),
        "subtotal_price_set": money_set(subtotal), "tags": "", "tax_exempt": False,
        "tax_lines": tax_lines, "taxes_included": False, "test": o.test,
        "token": token("order", o.id)[:32], "total_discounts": money(discounts),
        "total_discounts_set": money_set(discounts),
        "total_line_items_price": money(items),
        "total_line_items_price_set": money_set(items),
        "total_outstanding": money(outstanding), "total_price": money(total),
        "total_price_set": money_set(total),
        "total_shipping_price_set": money_set(o.shipping_price),
        "total_tax": money(tax), "total_tax_set": money_set(tax),
        "total_tip_received": "0.00", "total_weight": sum(li.grams * li.quantity for li in o.lines),
        "updated_at": iso(o.updated_ts), "user_id": None,
        "billing_address": billing_address,
        "customer": customer(o.customer, full=False) if o.customer else None,
        "discount_applications": apps,
        "fulfillments": _fulfillments(o),
        "line_items": [line_item(li, o, product_exists=exists(li.product_id))
                       for li in o.lines],
        "payment_terms": None,
        "refunds": [refund(r, o, exists) for r in o.refunds],
        "shipping_address": shipping_address,
        "shipping_lines": [] if not o.shipping_title else [{
            "id": o.id + 3, "carrier_identifier": None, "code": o.shipping_title,
            "discounted_price": money(o.shipping_price),
            "discounted_price_set": money_set(o.shipping_price), "is_removed": False,
            "phone": None, "price": money(o.shipping_price),
            "price_set": money_set(o.shipping_price),
            "requested_fulfillment_service_id": None, "source": "shopify",
            "title": o.shipping_title, "tax_lines": _ship_tax(o), "discount_allocations": []}],
    }


def _ship_tax(o: m.Order) -> list[dict[str, Any]]:
    if not o.shipping_tax:
        return []
    return [{"channel_liable": False, "price": money(o.shipping_tax),
             "price_set": money_set(o.shipping_tax), "rate": float(o.region.tax_rate),
             "title": o.region.tax_title}]


def _fulfillments(o: m.Order) -> list[dict[str, Any]]:
    if o.fulfillment_id is None or o.fulfilled_ts is None:
        return []
    ups = o.id % 3 != 0
    number = (("1Z" + token("trk", o.id)[:16].upper()) if ups
              else str(int(token("t", o.id)[:14], 16)))
    url = (f"https://www.ups.com/WebTracking?tracknum={number}" if ups
           else f"https://tools.usps.com/go/TrackConfirmAction?tLabels={number}")
    return [{"id": o.fulfillment_id, "admin_graphql_api_id": gid("Fulfillment", o.fulfillment_id),
             "created_at": iso(o.fulfilled_ts), "location_id": LOCATION_ID,
             "name": f"{o.name}.1", "order_id": o.id, "service": "manual",
             "shipment_status": None, "status": "success",
             "tracking_company": "UPS" if ups else "USPS", "tracking_number": number,
             "tracking_numbers": [number], "tracking_url": url, "tracking_urls": [url],
             "updated_at": iso(o.fulfilled_ts),
             "line_items": [{"id": li.id, "variant_id": li.variant_id, "sku": li.sku,
                             "quantity": li.quantity, "fulfillment_status": "fulfilled"}
                            for li in o.lines if not li.gift_card]}]


def refund(r: m.Refund, o: m.Order, exists: Callable[[int], bool]) -> dict[str, Any]:
    """A refund (the body of refunds/create, and each element of an order's refunds[])."""
    when = iso(r.created_ts)
    zero = money_set(cat.ZERO)
    return {
        "id": r.id, "admin_graphql_api_id": gid("Refund", r.id), "created_at": when,
        "note": r.note, "order_id": o.id, "processed_at": when,
        "restock": any(rl.restock_type in ("return", "cancel") for rl in r.lines),
        "total_duties_set": zero, "user_id": None,
        "order_adjustments": [{
            "id": a.id, "amount": money(a.amount), "amount_set": money_set(a.amount),
            "kind": a.kind, "order_id": o.id, "reason": a.reason, "refund_id": r.id,
            "tax_amount": money(a.tax_amount), "tax_amount_set": money_set(a.tax_amount)}
            for a in r.adjustments],
        "transactions": [{
            "id": r.transaction_id,
            "admin_graphql_api_id": gid("OrderTransaction", r.transaction_id),
            "amount": money(r.amount), "authorization": None, "created_at": when,
            "currency": CURRENCY, "device_id": None, "error_code": None, "gateway": o.gateway,
            "kind": "refund", "location_id": None, "message": "Refunded", "order_id": o.id,
            "parent_id": o.sale_transaction_id, "payment_id": f"c{o.id}.2",
            "processed_at": when, "receipt": {}, "source_name": "web", "status": "success",
            "test": o.test, "user_id": None}],
        "refund_line_items": [{
            "id": rl.id, "line_item_id": rl.line.id, "location_id": LOCATION_ID
            if rl.restock_type != "no_restock" else None, "quantity": rl.quantity,
            "restock_type": rl.restock_type, "subtotal": money(rl.subtotal),
            "subtotal_set": money_set(rl.subtotal), "total_tax": money(rl.total_tax),
            "total_tax_set": money_set(rl.total_tax),
            "line_item": line_item(rl.line, o, product_exists=exists(rl.line.product_id)),
        } for rl in r.lines],
        "duties": [], "additional_fees": [],
    }


def order_edit(e: m.OrderEdit) -> dict[str, Any]:
    """The orders/edited body: what changed, not the order (orders/updated carries that)."""
    when = iso(e.ts)
    return {"order_edit": {
        "id": e.id, "app_id": None, "created_at": when, "committed_at": when,
        "notify_customer": False, "order_id": e.order.id, "staff_note": "", "user_id": None,
        "line_items": {"additions": [{"id": lid, "delta": d} for lid, d in e.additions],
                       "removals": []},
        "discounts": {"additions": [], "removals": []},
        "shipping_lines": {"additions": [], "removals": []}}}


def shop(state: dict[str, Any], created_ts: int) -> dict[str, Any]:
    """The shop resource; `state["changes"]` says how many shop/update edits happened."""
    k = int(state.get("changes", 0))
    plan = ("Shopify", "basic") if k < 2 else ("Advanced", "advanced")
    return {"id": SHOP_ID, "name": "Hot Rod AN",
            "email": f"owner{'+' + str(k) if k else ''}@hotrodan.example",
            "domain": "www.hotrodan.example", "province": "California", "country": "US",
            "address1": "1200 Foundry St", "zip": "92831", "city": "Fullerton", "source": None,
            "phone": f"+1714555{100 + k:04d}", "latitude": 33.87, "longitude": -117.92,
            "primary_locale": "en", "address2": "", "created_at": iso(created_ts),
            "updated_at": iso(int(state["updated_ts"])), "country_code": "US",
            "country_name": "United States", "currency": CURRENCY,
            "customer_email": "support@hotrodan.example",
            "timezone": "(GMT-08:00) America/Los_Angeles", "iana_timezone": "America/Los_Angeles",
            "shop_owner": "Hank Dalton", "money_format": "${{amount}}",
            "money_with_currency_format": "${{amount}} USD", "weight_unit": "lb",
            "province_code": "CA", "taxes_included": False, "auto_configure_tax_inclusivity": None,
            "tax_shipping": None, "county_taxes": True, "plan_display_name": plan[0],
            "plan_name": plan[1], "has_discounts": True, "has_gift_cards": True,
            "myshopify_domain": SHOP_DOMAIN, "money_in_emails_format": "${{amount}}",
            "money_with_currency_in_emails_format": "${{amount}} USD",
            "eligible_for_payments": True, "requires_extra_payments_agreement": False,
            "password_enabled": False, "has_storefront": True, "finances": True,
            "primary_location_id": LOCATION_ID, "checkout_api_supported": True,
            "multi_location_enabled": True, "setup_required": False, "pre_launch_enabled": False,
            "enabled_presentment_currencies": [CURRENCY],
            "marketing_sms_consent_enabled_at_checkout": False, "transactional_sms_disabled": False}


def compliance(topic: str, c: m.Customer | None, order_ids: list[int],
               request_id: int = 0) -> dict[str, Any]:
    """customers/data_request, customers/redact or shop/redact (Shopify's mandatory topics)."""
    body: dict[str, Any] = {"shop_id": SHOP_ID, "shop_domain": SHOP_DOMAIN}
    if topic == "shop/redact":
        return body
    if c is None:
        raise ValueError(f"{topic} needs a customer")
    body["customer"] = {"id": c.id, "email": c.email, "phone": c.phone}
    if topic == "customers/redact":
        body["orders_to_redact"] = order_ids
    else:
        body["orders_requested"] = order_ids
        body["data_request"] = {"id": request_id}
    return body
