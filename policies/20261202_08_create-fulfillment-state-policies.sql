-- Row-level security for Fulfillment Flow's kept state: members read their shops' rows.
-- depends: 20261202_07_create-fulfillment-rollups
--
-- Only the change feed and the rebuild write them, as service_role (which bypasses
-- row-level security). Rollback drops the policies.

create policy "members can read their shops' fulfillment line rows"
    on app.fulfillment_line
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' fulfillment shipment rows"
    on app.fulfillment_shipment
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));
