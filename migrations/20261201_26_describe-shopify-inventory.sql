-- Describe Shopify's inventory to the inbound pipeline: levels, locations, inventory items.
-- depends: 20261201_25_create-inventory-tables
-- folder-content: mixed, because the compile must read the rows inserted here, and its undoing must run after they are deleted
--
-- The topics inventory_levels/update, connect and disconnect, inventory_items/create,
-- update and delete, locations/create, update and delete, and the backfill kinds
-- location and inventory_level, with their resources and fields, then
-- private.compile_inbound_source('shopify') writes their checks and rows functions. An
-- inventory level is only {inventory_item_id, location_id, available, updated_at}:
-- `available` may be null, and a disconnect carries neither it nor updated_at (the
-- delivery's triggered_at is then its version). Locations are the shop's business
-- addresses: only name, city, province and country are extracted; their address keys
-- are personal keys already (scrubbed by shop/redact like any other body).
-- Rollback deletes the rows and compiles the source again.

insert into private.inbound_resource (source, resource, parent_resource, parent_field, description)
values
    ('shopify', 'inventory_level', null, null, 'An inventory level: an inventory item''s available units at a location (inventory_levels/* webhooks and backfill).'),
    ('shopify', 'location', null, null, 'A location (warehouse, 3PL, store), as locations/* webhooks and the Admin API send it.'),
    ('shopify', 'location_deletion', null, null, 'locations/delete: the id of a deleted location.'),
    ('shopify', 'inventory_item_deletion', null, null, 'inventory_items/delete: the id of a deleted inventory item.');

insert into private.inbound_field (source, resource, field, position, kind, is_required, is_key,
    max_length, item_resource, item_kind, match_item_field, match_field, column_name, extract_field,
    default_value, description)
values
    ('shopify', 'inventory_level', 'inventory_item_id', 10, 'id', true, false, null, null, null, null, null, 'inventory_item_id', null, null, 'The inventory item (a variant''s stock).'),
    ('shopify', 'inventory_level', 'location_id', 20, 'id', true, false, null, null, null, null, null, 'location_id', null, null, 'The location.'),
    ('shopify', 'inventory_level', 'available', 30, 'integer', false, false, null, null, null, null, null, 'available', null, null, 'Units available; null when Shopify has no quantity to send (negative when oversold).'),
    ('shopify', 'inventory_level', 'updated_at', 40, 'timestamp', false, false, null, null, null, null, null, 'updated_at', null, null, 'The version: older or equal versions never overwrite a newer one; absent (disconnect), the delivery''s triggered_at counts.'),
    ('shopify', 'location', 'id', 10, 'id', true, true, null, null, null, null, null, 'location_id', null, null, 'Shopify location id.'),
    ('shopify', 'location', 'name', 20, 'text', false, false, 255, null, null, null, null, 'name', null, null, 'The location''s name.'),
    ('shopify', 'location', 'city', 30, 'text', false, false, 255, null, null, null, null, 'city', null, null, 'Its city.'),
    ('shopify', 'location', 'province_code', 40, 'text', false, false, 16, null, null, null, null, 'province_code', null, null, 'Its province or state code.'),
    ('shopify', 'location', 'country_code', 50, 'text', false, false, 8, null, null, null, null, 'country_code', null, null, 'Its country code.'),
    ('shopify', 'location', 'active', 60, 'boolean', false, false, null, null, null, null, null, 'is_active', null, null, 'Whether it is active.'),
    ('shopify', 'location', 'legacy', 70, 'boolean', false, false, null, null, null, null, null, 'is_legacy', null, null, 'Whether it is a legacy fulfilment-service location.'),
    ('shopify', 'location', 'created_at', 80, 'timestamp', false, false, null, null, null, null, null, 'created_at', null, null, 'When it was created.'),
    ('shopify', 'location', 'updated_at', 90, 'timestamp', false, false, null, null, null, null, null, 'updated_at', null, null, 'The version: older or equal versions are ignored; absent, the delivery''s triggered_at counts.'),
    ('shopify', 'location_deletion', 'id', 10, 'id', true, true, null, null, null, null, null, 'location_id', null, null, 'The deleted location.'),
    ('shopify', 'inventory_item_deletion', 'id', 10, 'id', true, true, null, null, null, null, null, 'inventory_item_id', null, null, 'The deleted inventory item.');

insert into private.inbound_topic (source, topic, resource, wrapped_key, wrapped_resource,
    subject_path, person_path, description)
values
    ('shopify', 'inventory_levels/update', 'inventory_level', null, null, '$.inventory_item_id', null, 'A level changed: the version is kept, and becomes the level when newer than the stored one.'),
    ('shopify', 'inventory_levels/connect', 'inventory_level', null, null, '$.inventory_item_id', null, 'An inventory item was stocked at a location: the level''s first version.'),
    ('shopify', 'inventory_levels/disconnect', 'inventory_level', null, null, '$.inventory_item_id', null, 'An inventory item left a location: a version with nothing available, as of when Shopify raised it.'),
    ('shopify', 'inventory_items/create', 'inventory_item', null, null, '$.id', null, 'An inventory item was created, with its unit cost.'),
    ('shopify', 'inventory_items/update', 'inventory_item', null, null, '$.id', null, 'An inventory item changed (its unit cost, whether it is tracked): the newer version replaces the stored one.'),
    ('shopify', 'inventory_items/delete', 'inventory_item_deletion', null, null, '$.id', null, 'An inventory item was deleted: it is marked so, its row kept.'),
    ('shopify', 'locations/create', 'location', null, null, '$.id', null, 'A location was created.'),
    ('shopify', 'locations/update', 'location', null, null, '$.id', null, 'A location changed: the newer version replaces the stored one.'),
    ('shopify', 'locations/delete', 'location_deletion', null, null, '$.id', null, 'A location was deleted: it is marked so, its levels kept in the history.'),
    ('shopify', 'backfill/location', 'location', null, null, '$.id', null, 'A location from the Admin API.'),
    ('shopify', 'backfill/inventory_level', 'inventory_level', null, null, '$.inventory_item_id', null, 'An inventory level from the Admin API (its current version).');

select private.compile_inbound_source('shopify');
