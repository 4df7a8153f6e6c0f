"""Synthetic Shopify data for Hot Rod AN, with its own ground truth.

A deterministic simulation of a Shopify store selling AN fittings, hose and fuel-system
parts (USD, America/Los_Angeles, about $1M of total sales a year by default), seen the way
Shopify shows it: REST-shaped webhook deliveries (Admin API 2025-10), Admin API backfill
pages, and the Sales Pulse figures computed independently from the simulation's own
orders and refunds (never by parsing the payloads), and its stock with the Inventory
Watch figures computed from the simulation's own stock ledger. Standard library only.

    from storepulse.synth import HotRodAN
    store = HotRodAN(scale="default", seed=7)   # "season" | "default" | "large" |
                                                 # Scale(...) | (years, annual_revenue)
    HotRodAN(..., stockout_suppression=1.0)     # chance a wanted line of a variant out of
                                                 # stock is lost (else sold as a backorder,
                                                 # available < 0); 0.0: stock changes no order
    store.shop            # {"id", "domain": "hot-rod-an.myshopify.com", "name", "currency",
                          #  "iana_timezone", "secret", "as_of", "first_day", "last_day"}
    store.events(topics=None)   # Delivery per webhook, once each, in true (triggered) order;
                          # topics: a set of topics to keep (default all)
    store.deliveries(duplicate_rate=0.03, reorder_rate=0.05, stale_retry_rate=0.01,
                     topics=None)
                          # the same in arrival order; all rates 0 = in order, no duplicates;
                          # filtered after the arrivals are drawn: a delivery arrives at the
                          # same moment whatever the filter
    store.backfill_resources(batch_size=250)
                          # lists of {"kind": product | inventory_item | location |
                          #   inventory_level | customer | order, "resource": {...}}: the
                          #   final state as of as_of (levels: each connected level's latest
                          #   version; gift cards' inventory items say tracked false)
    store.truth()         # Truth: daily(), day(d), hourly(d), window(a, b), total(),
                          # products(a, b), product_daily(d), top_products(a, b, n),
                          # first_order_dates()
    store.inventory_truth()   # InventoryTruth: figures(as_of=None) -> InventoryFigures (shop
                          # figures, .variants {variant id: VariantFigures}), snapshot(day)
                          # {(variant id, location id): (close, low)}, variant_day(day)
                          # {variant id: (close, low)}, levels_at(ts | aware datetime)
                          # {(variant id, location id): available | None}, level_versions_at,
                          # tracked_variants(ts), lost_demand() [LostDemand(variant_id, day,
                          # units, ts, kind)]; definitions in storepulse.synth.inventory_truth
    store.locations()     # REST locations: the warehouse (every tracked variant) and a 3PL
    store.suppliers()     # [Supplier(name, lead_time_days, order_multiple, variant_ids,
                          #           lead_time_overrides {variant id: days})]
    store.purchase_orders()   # [PurchaseOrder(reference "PO-1001", supplier, variant_id,
                          #   quantity, ordered_at (UTC), expected_on (local date = ordered
                          #   day + quoted lead time), received_at (UTC, None if not by as_of))]
    store.unit_costs()    # variant id -> unit cost (never changes)
    store.customers()     # final customer state
    store.compliance_deliveries(customer_id)   # customers/data_request, customers/redact
    store.shop_redact_delivery()               # shop/redact
    sign(secret, raw_body) / verify(secret, raw_body, header)   # X-Shopify-Hmac-Sha256
    arrival_stats(deliveries)   # duplicates, out-of-order and stale versions in a stream

A `Delivery` has topic, shop_domain, webhook_id, event_id (a retry keeps both), triggered_at
(aware UTC), api_version, payload (dict), raw_body (the exact bytes signed), hmac,
delivered_at (arrival, aware UTC) and attempt; `headers()` gives the X-Shopify-* headers.

Topics: orders/create, orders/paid, orders/updated, orders/cancelled, orders/edited (body
{"order_edit": {...}} as Shopify sends it; the orders/updated that follows carries the
edited order), orders/delete ({"id"}), refunds/create (the refund, with order_id),
products/create, products/update (price changes), products/delete ({"id"}),
customers/create, customers/update, shop/update, inventory_levels/update and
inventory_levels/connect ({inventory_item_id, location_id, available, updated_at,
admin_graphql_api_id}; updated_at strictly increasing per level), inventory_levels/disconnect
({inventory_item_id, location_id}: its version is the delivery's triggered_at),
inventory_items/create (with its cost), inventory_items/delete, locations/update. Every
level is connected an hour before the first day (a launched product's at its launch) and
disconnected when its product is deleted. Every orders/* body but orders/edited and
orders/delete is the full order as of that moment; `updated_at` moves with each change
(a "no-change" orders/updated keeps nothing but a later updated_at). Nothing happens after
`as_of` (default 2026-11-25 15:30 America/Los_Angeles: that day is partial); late
arrivals of earlier events may have delivered_at after it.

Scales: "season" (92 days to as_of at a $1M/yr rate), "default" (365 days, $1M/yr, 20 %
growth a year), "large" (3 years doubling yearly to $10M in the last year; streams, with
progress on stderr every 10 %). Every pass re-runs the simulation from the seed; memory
stays bounded by the orders still open (refund windows), not by the history.

Stock (storepulse.synth.stock): sales take stock when the order is created (3PL first
when it stocks the variant and has enough); cancellations, returns and voids put units
back at the warehouse; the owner's own buying policy places POs (received at the
warehouse, late sometimes, so real stock-outs happen), transfers to the 3PL and adjusts
counts. Scales use the "standard" catalog (about 430 variants) but "large", whose
"extended" one has over 5,000 (`Scale.catalog`).

Modules: catalog (products, variants, unit costs), model (orders and their arithmetic),
timeline (scales, demand calendar, regions and taxes), lifecycle (checkout and each
order's steps), stock (locations, suppliers, levels, the owner's buying), simulate (the
event loop), payloads / order_payloads (REST shapes), shopify (this API), truth (Sales
Pulse ground truth), inventory_truth (Inventory Watch ground truth).
"""

from storepulse.synth.inventory_truth import InventoryFigures, InventoryTruth, VariantFigures
from storepulse.synth.shopify import API_VERSION, Delivery, HotRodAN, arrival_stats, sign, verify
from storepulse.synth.stock import LostDemand, PurchaseOrder, Supplier
from storepulse.synth.timeline import Scale
from storepulse.synth.truth import DayFigures, HourFigures, ProductFigures, Truth, WindowFigures

__all__ = ["API_VERSION", "DayFigures", "Delivery", "HotRodAN", "HourFigures", "InventoryFigures",
           "InventoryTruth", "LostDemand", "ProductFigures", "PurchaseOrder", "Scale", "Supplier",
           "Truth", "VariantFigures", "WindowFigures", "arrival_stats", "sign", "verify"]
