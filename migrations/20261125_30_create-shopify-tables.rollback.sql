drop table private.shopify_webhook_secret;

drop table app.shopify_transaction;

drop table app.shopify_order_adjustment;

drop table app.shopify_refund_line;

drop table app.shopify_refund;

drop table app.shopify_order_discount_code;

drop table app.shopify_order_line;

drop table app.shopify_order_deletion;

drop table app.shopify_order;

drop table app.shopify_inventory_item;

drop table app.shopify_variant;

drop table app.shopify_product;

drop table app.shopify_customer_pii;

drop table app.shopify_customer;

drop table app.shopify_dead_letter;

drop table app.shopify_event;
