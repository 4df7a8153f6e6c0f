"""Synthetic Shopify data for Hot Rod AN, with its own ground truth.

A deterministic simulation of a Shopify store selling AN fittings, hose and fuel-system
parts (USD, America/Los_Angeles, about $1M of total sales a year by default), seen the way
Shopify shows it: REST-shaped webhook deliveries (Admin API 2025-10), Admin API backfill
pages, and the Sales Pulse figures computed independently from the simulation's own
orders and refunds (never by parsing the payloads). Standard library only.

    from storepulse.synth import HotRodAN
    store = HotRodAN(scale="default", seed=7)   # "season" | "default" | "large" |
                                                 # Scale(...) | (years, annual_revenue)
    store.shop            # {"id", "domain": "hot-rod-an.myshopify.com", "name", "currency",
                          #  "iana_timezone", "secret", "as_of", "first_day", "last_day"}
    store.events()        # Delivery per webhook, once each, in true (triggered) order
    store.deliveries(duplicate_rate=0.03, reorder_rate=0.05, stale_retry_rate=0.01)
                          # the same in arrival order; all rates 0 = in order, no duplicates
    store.backfill_resources(batch_size=250)
                          # lists of {"kind": product | inventory_item | customer | order,
                          #           "resource": {...}}: the final state as of as_of
    store.truth()         # Truth: daily(), day(d), hourly(d), window(a, b), total(),
                          # products(a, b), product_daily(d), top_products(a, b, n),
                          # first_order_dates()
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
customers/create, customers/update, shop/update. Every orders/* body but orders/edited and
orders/delete is the full order as of that moment; `updated_at` moves with each change
(a "no-change" orders/updated keeps nothing but a later updated_at). Nothing happens after
`as_of` (default 2026-11-25 15:30 America/Los_Angeles: that day is partial); late
arrivals of earlier events may have delivered_at after it.

Scales: "season" (92 days to as_of at a $1M/yr rate), "default" (365 days, $1M/yr, 20 %
growth a year), "large" (3 years doubling yearly to $10M in the last year; streams, with
progress on stderr every 10 %). Every pass re-runs the simulation from the seed; memory
stays bounded by the orders still open (refund windows), not by the history.

Modules: catalog (products, variants, unit costs), model (orders and their arithmetic),
timeline (scales, demand calendar, regions and taxes), lifecycle (checkout and each
order's steps), simulate (the event loop), payloads / order_payloads (REST shapes),
shopify (this API), truth (ground truth).
"""

from storepulse.synth.shopify import API_VERSION, Delivery, HotRodAN, arrival_stats, sign, verify
from storepulse.synth.timeline import Scale
from storepulse.synth.truth import DayFigures, HourFigures, ProductFigures, Truth, WindowFigures

__all__ = ["API_VERSION", "DayFigures", "Delivery", "HotRodAN", "HourFigures", "ProductFigures",
           "Scale", "Truth", "WindowFigures", "arrival_stats", "sign", "verify"]
