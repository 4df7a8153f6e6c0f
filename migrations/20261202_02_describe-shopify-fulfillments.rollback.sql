-- Undo: forget Shopify's fulfillment topics, resources and the shipping line title, drop
-- their rows functions and compile the source again (its other checks and rows functions
-- stay as they were).

drop function private.shopify_fulfillment_rows(jsonb);

drop function private.shopify_fulfillment_line_item_rows(jsonb);

drop function private.shopify_fulfillment_event_rows(jsonb);

drop function private.shopify_fulfillment_event_deletion_rows(jsonb);

drop function private.shopify_shipping_line_rows(jsonb);

delete from private.inbound_topic as t
where t.source = 'shopify'
    and t.topic in ('fulfillments/create', 'fulfillments/update', 'fulfillment_events/create',
                    'fulfillment_events/delete', 'orders/fulfilled', 'orders/partially_fulfilled',
                    'backfill/fulfillment');

delete from private.inbound_field as f
where f.source = 'shopify'
    and (f.resource in ('fulfillment', 'fulfillment_line_item', 'fulfillment_event',
                        'fulfillment_event_deletion')
         or (f.resource = 'shipping_line' and f.field = 'title')
         or (f.resource = 'order' and f.field = 'fulfillments'));

delete from private.inbound_resource as r
where r.source = 'shopify'
    and r.resource in ('fulfillment', 'fulfillment_line_item', 'fulfillment_event',
                       'fulfillment_event_deletion');

select private.compile_inbound_source('shopify');
