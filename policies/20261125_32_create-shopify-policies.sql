-- Row-level security for the Shopify model and the Sales Pulse rollups.
-- depends: 20261125_31_create-sales-rollups
--
-- Members read their shops' rows; writes come only from the ingestion functions,
-- run by service_role (which bypasses RLS). Raw payloads and dead letters hold
-- personal data until redaction, so only owners and managers read them; customers'
-- personal data is hidden from viewers.

create policy "members can read their shops' shopify customer rows"
    on app.shopify_customer
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify product rows"
    on app.shopify_product
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify variant rows"
    on app.shopify_variant
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify inventory item rows"
    on app.shopify_inventory_item
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify order rows"
    on app.shopify_order
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify order deletion rows"
    on app.shopify_order_deletion
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify order line rows"
    on app.shopify_order_line
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify order discount code rows"
    on app.shopify_order_discount_code
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify refund rows"
    on app.shopify_refund
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify refund line rows"
    on app.shopify_refund_line
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify order adjustment rows"
    on app.shopify_order_adjustment
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' shopify transaction rows"
    on app.shopify_transaction
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' sales daily rows"
    on app.sales_daily
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' sales hourly rows"
    on app.sales_hourly
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' sales product daily rows"
    on app.sales_product_daily
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "owners and managers can read their shops' shopify event rows"
    on app.shopify_event
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can read their shops' shopify dead letter r"
    on app.shopify_dead_letter
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners, managers and operators can read shopify customer pii"
    on app.shopify_customer_pii
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager,operator}'))));
