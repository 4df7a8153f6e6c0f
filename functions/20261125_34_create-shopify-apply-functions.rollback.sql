drop function private.rebuild_sales_rollups(uuid);

drop function private.shopify_apply_inventory_items(uuid, jsonb);

drop function private.shopify_delete_product(uuid, bigint, timestamptz);

drop function private.shopify_apply_products(uuid, jsonb);

drop function private.shopify_delete_order(uuid, bigint, timestamptz);

drop function private.shopify_apply_refunds(uuid, jsonb);

drop function private.shopify_apply_orders(uuid, jsonb);

drop function private.refresh_first_orders(uuid, bigint[]);

drop function private.shopify_apply_customers(uuid, jsonb);

drop function private.shopify_insert_refunds(uuid, text, jsonb);

drop function private.lock_shopify_orders(uuid, bigint[]);

drop function private.apply_sales_contributions(uuid, bigint[], integer);

drop function private.sales_contributions(uuid, bigint[]);
