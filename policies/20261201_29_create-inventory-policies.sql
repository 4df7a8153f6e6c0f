-- Row-level security for Inventory Watch's stores: members read their shops' rows.
-- depends: 20261201_28_create-inventory-snapshots
--
-- Writes come only from the ingestion functions, run by service_role (which bypasses
-- row-level security). Rollback drops the policies.

create policy "members can read their shops' shopify location rows"
    on app.shopify_location
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' inventory level rows"
    on app.shopify_inventory_level
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' inventory level version rows"
    on app.shopify_inventory_level_version
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' level snapshot rows"
    on app.inventory_level_day
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' item snapshot rows"
    on app.inventory_item_day
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));
