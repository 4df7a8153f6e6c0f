-- Undo: forget Shopify's inventory topics and resources, drop their rows functions and
-- compile the source again (its other checks and rows functions stay as they were).

drop function private.shopify_inventory_level_rows(jsonb);

drop function private.shopify_location_rows(jsonb);

drop function private.shopify_location_deletion_rows(jsonb);

drop function private.shopify_inventory_item_deletion_rows(jsonb);

delete from private.inbound_topic as t
where t.source = 'shopify'
    and t.topic in ('inventory_levels/update', 'inventory_levels/connect',
                    'inventory_levels/disconnect', 'inventory_items/create',
                    'inventory_items/update', 'inventory_items/delete', 'locations/create',
                    'locations/update', 'locations/delete', 'backfill/location',
                    'backfill/inventory_level');

delete from private.inbound_field as f
where f.source = 'shopify'
    and f.resource in ('inventory_level', 'location', 'location_deletion',
                       'inventory_item_deletion');

delete from private.inbound_resource as r
where r.source = 'shopify'
    and r.resource in ('inventory_level', 'location', 'location_deletion',
                       'inventory_item_deletion');

select private.compile_inbound_source('shopify');
