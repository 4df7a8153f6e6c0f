update private.inbound_resource as r
set violation = null
where r.source = 'shopify';

drop function private.shopify_variant_rows(jsonb);

drop function private.shopify_transaction_rows(jsonb);

drop function private.shopify_shop_rows(jsonb);

drop function private.shopify_refund_rows(jsonb);

drop function private.shopify_refund_line_item_rows(jsonb);

drop function private.shopify_product_rows(jsonb);

drop function private.shopify_product_deletion_rows(jsonb);

drop function private.shopify_order_rows(jsonb);

drop function private.shopify_order_deletion_rows(jsonb);

drop function private.shopify_order_adjustment_rows(jsonb);

drop function private.shopify_line_item_rows(jsonb);

drop function private.shopify_inventory_item_rows(jsonb);

drop function private.shopify_discount_code_rows(jsonb);

drop function private.shopify_customer_rows(jsonb);
