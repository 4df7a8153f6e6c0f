-- Row-level security for Inventory Watch's planning stores.
-- depends: 20261201_30_create-inventory-planning-tables
--
-- Members read their shops' rows. Owners and managers record suppliers, lead times,
-- expected receipts and settings (through the api functions, which run as the caller);
-- the rollups are written only by the change feed and the job, as service_role (which
-- bypasses row-level security). Rollback drops the policies.

create policy "members can read their shops' inventory settings rows"
    on app.inventory_settings
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' supplier rows"
    on app.inventory_supplier
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' variant supplier rows"
    on app.inventory_variant_supplier
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' expected receipt rows"
    on app.inventory_receipt
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' inventory sales rows"
    on app.inventory_sales_daily
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' inventory stats day rows"
    on app.inventory_stats_day
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' variant stats rows"
    on app.inventory_variant_stats
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' variant state rows"
    on app.inventory_variant_state
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' inventory totals rows"
    on app.inventory_state_totals
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' cover distribution rows"
    on app.inventory_state_cover
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "owners and managers can add inventory settings rows"
    on app.inventory_settings
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can change inventory settings rows"
    on app.inventory_settings
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can remove inventory settings rows"
    on app.inventory_settings
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can add supplier rows"
    on app.inventory_supplier
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can change supplier rows"
    on app.inventory_supplier
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can remove supplier rows"
    on app.inventory_supplier
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can add variant supplier rows"
    on app.inventory_variant_supplier
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can change variant supplier rows"
    on app.inventory_variant_supplier
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can remove variant supplier rows"
    on app.inventory_variant_supplier
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can add expected receipt rows"
    on app.inventory_receipt
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can change expected receipt rows"
    on app.inventory_receipt
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));
