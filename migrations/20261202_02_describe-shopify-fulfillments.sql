-- Describe Shopify's fulfillments and tracking events to the inbound pipeline.
-- depends: 20261202_01_create-fulfillment-tables
-- folder-content: mixed, because the compile must read the rows inserted here, and its undoing must run after they are deleted
--
-- The topics fulfillments/create and update, fulfillment_events/create and delete,
-- orders/fulfilled and orders/partially_fulfilled (the order, as orders/updated sends it),
-- and the backfill kind fulfillment (a fulfillment with its events in "events", as the
-- Admin API's fulfillments and fulfillment events endpoints give them), with their
-- resources and fields; the order's shipping line title (the carrier service the buyer
-- chose, for the delivery promise) and the order's fulfillments[] (applied like the
-- fulfillments/* bodies, so a missed webhook is made good by the next order update)
-- become fields too. Then
-- private.compile_inbound_source('shopify') writes their checks and rows functions. A
-- fulfillment's email and destination are personal keys already (scrubbed from stored
-- bodies by the redactions); its subject is the order, so customers/redact finds it
-- through orders_to_redact. Shopify's sample fulfillment has a null shipment_status and
-- location_id; a sample event a null estimated_delivery_at: every field but the ids and
-- an event's status may be absent or null.
-- Rollback deletes the rows and compiles the source again.

insert into private.inbound_resource (source, resource, parent_resource, parent_field, description)
values
    ('shopify', 'fulfillment', null, null, 'A fulfillment: a parcel of an order from one location, with tracking (fulfillments/* webhooks, and the backfill with its events).'),
    ('shopify', 'fulfillment_line_item', 'fulfillment', 'line_items', 'An order line a fulfillment ships, with its quantity in the parcel.'),
    ('shopify', 'fulfillment_event', null, null, 'A carrier tracking event of a fulfillment (fulfillment_events/create, and a backfilled fulfillment''s events).'),
    ('shopify', 'fulfillment_event_deletion', null, null, 'fulfillment_events/delete: the deleted event.');

insert into private.inbound_field (source, resource, field, position, kind, is_required, is_key,
    max_length, item_resource, item_kind, match_item_field, match_field, column_name, extract_field,
    default_value, description)
values
    ('shopify', 'order', 'fulfillments', 260, 'array', false, false, null, 'fulfillment', null, 'order_id', 'id', null, null, null, 'The order''s fulfillments as of the order''s version; each must belong to it.'),
    ('shopify', 'shipping_line', 'title', 20, 'text', false, false, 255, null, null, null, null, 'title', null, null, 'The shipping rate''s title: the carrier service the buyer chose (UPS Ground).'),
    ('shopify', 'fulfillment', 'id', 10, 'id', true, true, null, null, null, null, null, 'fulfillment_id', null, null, 'Shopify fulfillment id.'),
    ('shopify', 'fulfillment', 'order_id', 20, 'id', true, false, null, null, null, null, null, 'order_id', null, null, 'The order it ships.'),
    ('shopify', 'fulfillment', 'location_id', 30, 'id', false, false, null, null, null, null, null, 'location_id', null, null, 'The location it ships from.'),
    ('shopify', 'fulfillment', 'name', 40, 'text', false, false, 255, null, null, null, null, 'name', null, null, 'Its name (#1001.1).'),
    ('shopify', 'fulfillment', 'status', 50, 'text', false, false, 40, null, null, null, null, 'status', null, null, 'pending, open, success, cancelled, error or failure.'),
    ('shopify', 'fulfillment', 'shipment_status', 60, 'text', false, false, 40, null, null, null, null, 'shipment_status', null, null, 'The latest tracking status; null before any.'),
    ('shopify', 'fulfillment', 'service', 70, 'text', false, false, 255, null, null, null, null, 'service', null, null, 'The fulfillment service handle.'),
    ('shopify', 'fulfillment', 'tracking_company', 80, 'text', false, false, 255, null, null, null, null, 'tracking_company', null, null, 'The carrier, as typed.'),
    ('shopify', 'fulfillment', 'tracking_number', 90, 'text', false, false, 255, null, null, null, null, 'tracking_number', null, null, 'The first tracking number.'),
    ('shopify', 'fulfillment', 'tracking_url', 100, 'text', false, false, 2000, null, null, null, null, 'tracking_url', null, null, 'The first tracking URL.'),
    ('shopify', 'fulfillment', 'created_at', 110, 'timestamp', false, false, null, null, null, null, null, 'created_at', null, null, 'When it was created (shipped).'),
    ('shopify', 'fulfillment', 'updated_at', 120, 'timestamp', false, false, null, null, null, null, null, 'updated_at', null, null, 'The version: older or equal versions are ignored; absent, the delivery''s triggered_at counts.'),
    ('shopify', 'fulfillment', 'line_items', 130, 'array', false, false, null, 'fulfillment_line_item', null, null, null, null, null, null, 'The order lines in the parcel (the latest version replaces the stored ones).'),
    ('shopify', 'fulfillment', 'events', 140, 'array', false, false, null, 'fulfillment_event', null, null, null, null, null, null, 'A backfilled fulfillment''s tracking events (each names its fulfillment).'),
    ('shopify', 'fulfillment', 'email', 150, 'text', false, false, null, null, null, null, null, 'email', null, null, 'The buyer''s email (personal data).'),
    ('shopify', 'fulfillment', 'destination', 160, 'json', false, false, null, null, null, null, null, 'destination', null, null, 'The destination address (personal data).'),
    ('shopify', 'fulfillment_line_item', 'id', 10, 'id', true, true, null, null, null, null, null, 'line_item_id', null, null, 'The order line.'),
    ('shopify', 'fulfillment_line_item', 'quantity', 20, 'count', true, false, null, null, null, null, null, 'quantity', null, null, 'Units of it in the parcel.'),
    ('shopify', 'fulfillment_event', 'id', 10, 'id', true, true, null, null, null, null, null, 'event_id', null, null, 'Shopify fulfillment event id.'),
    ('shopify', 'fulfillment_event', 'fulfillment_id', 20, 'id', true, false, null, null, null, null, null, 'fulfillment_id', null, null, 'Its fulfillment.'),
    ('shopify', 'fulfillment_event', 'order_id', 30, 'id', false, false, null, null, null, null, null, 'order_id', null, null, 'Its order.'),
    ('shopify', 'fulfillment_event', 'status', 40, 'text', true, false, 40, null, null, null, null, 'status', null, null, 'The tracking status (text: the list grows with API versions).'),
    ('shopify', 'fulfillment_event', 'message', 50, 'text', false, false, 2000, null, null, null, null, 'message', null, null, 'The carrier''s message.'),
    ('shopify', 'fulfillment_event', 'happened_at', 60, 'timestamp', false, false, null, null, null, null, null, 'happened_at', null, null, 'When it happened; absent, when Shopify recorded it.'),
    ('shopify', 'fulfillment_event', 'estimated_delivery_at', 70, 'timestamp', false, false, null, null, null, null, null, 'estimated_delivery_at', null, null, 'The carrier''s estimated delivery as of the event.'),
    ('shopify', 'fulfillment_event', 'city', 80, 'text', false, false, 255, null, null, null, null, 'city', null, null, 'Where it happened.'),
    ('shopify', 'fulfillment_event', 'province', 90, 'text', false, false, 255, null, null, null, null, 'province', null, null, 'Its province or state.'),
    ('shopify', 'fulfillment_event', 'country', 100, 'text', false, false, 255, null, null, null, null, 'country', null, null, 'Its country.'),
    ('shopify', 'fulfillment_event', 'created_at', 110, 'timestamp', false, false, null, null, null, null, null, 'created_at', null, null, 'When Shopify recorded it.'),
    ('shopify', 'fulfillment_event', 'updated_at', 120, 'timestamp', false, false, null, null, null, null, null, 'updated_at', null, null, 'The version: older or equal versions are ignored; absent, the delivery''s triggered_at counts.'),
    ('shopify', 'fulfillment_event_deletion', 'id', 10, 'id', true, true, null, null, null, null, null, 'event_id', null, null, 'The deleted event.'),
    ('shopify', 'fulfillment_event_deletion', 'fulfillment_id', 20, 'id', false, false, null, null, null, null, null, 'fulfillment_id', null, null, 'Its fulfillment.');

insert into private.inbound_topic (source, topic, resource, wrapped_key, wrapped_resource,
    subject_path, person_path, description)
values
    ('shopify', 'fulfillments/create', 'fulfillment', null, null, '$.order_id', null, 'A parcel shipped: the fulfillment, its lines and personal data are stored.'),
    ('shopify', 'fulfillments/update', 'fulfillment', null, null, '$.order_id', null, 'A fulfillment changed (its tracking, shipment status or lines): the newer version replaces the stored one.'),
    ('shopify', 'fulfillment_events/create', 'fulfillment_event', null, null, '$.order_id', null, 'A tracking event: kept, in any order, even before its fulfillment arrives.'),
    ('shopify', 'fulfillment_events/delete', 'fulfillment_event_deletion', null, null, '$.order_id', null, 'A tracking event was deleted: it is marked so and no longer counts.'),
    ('shopify', 'orders/fulfilled', 'order', null, null, '$.id', '$.customer.id', 'An order was fulfilled: the order as orders/updated sends it.'),
    ('shopify', 'orders/partially_fulfilled', 'order', null, null, '$.id', '$.customer.id', 'Some of an order''s lines were fulfilled: the order as orders/updated sends it.'),
    ('shopify', 'backfill/fulfillment', 'fulfillment', null, null, '$.order_id', null, 'A fulfillment from the Admin API, with its tracking events.');

select private.compile_inbound_source('shopify');
