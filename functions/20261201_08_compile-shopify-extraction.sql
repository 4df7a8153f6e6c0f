-- Compile Shopify's field descriptions: its one-pass checks and its rows functions.
-- depends: 20261201_07_describe-shopify-resources
--
-- Writes private.inbound_resource.violation for Shopify's resources and one
-- private.shopify_<resource>_rows(jsonb) per resource that fills columns (order,
-- line_item, discount_code, refund, refund_line_item, order_adjustment, transaction,
-- customer, product, variant, inventory_item, shop, order_deletion, product_deletion).
-- Rollback drops them.

select private.compile_inbound_source('shopify');
