drop policy "owners, managers and operators can read shopify customer pii" on app.shopify_customer_pii;

drop policy "owners and managers can read their shops' shopify dead letter r" on app.shopify_dead_letter;

drop policy "owners and managers can read their shops' shopify event rows" on app.shopify_event;

drop policy "members can read their shops' sales product daily rows" on app.sales_product_daily;

drop policy "members can read their shops' sales hourly rows" on app.sales_hourly;

drop policy "members can read their shops' sales daily rows" on app.sales_daily;

drop policy "members can read their shops' shopify transaction rows" on app.shopify_transaction;

drop policy "members can read their shops' shopify order adjustment rows" on app.shopify_order_adjustment;

drop policy "members can read their shops' shopify refund line rows" on app.shopify_refund_line;

drop policy "members can read their shops' shopify refund rows" on app.shopify_refund;

drop policy "members can read their shops' shopify order discount code rows" on app.shopify_order_discount_code;

drop policy "members can read their shops' shopify order line rows" on app.shopify_order_line;

drop policy "members can read their shops' shopify order deletion rows" on app.shopify_order_deletion;

drop policy "members can read their shops' shopify order rows" on app.shopify_order;

drop policy "members can read their shops' shopify inventory item rows" on app.shopify_inventory_item;

drop policy "members can read their shops' shopify variant rows" on app.shopify_variant;

drop policy "members can read their shops' shopify product rows" on app.shopify_product;

drop policy "members can read their shops' shopify customer rows" on app.shopify_customer;
