-- Row-level security for the sales rollups' first orders.
-- depends: 20261201_09_change-sales-model
--
-- Members read their shops' rows, as with the other sales rollups; writes come only from
-- the rollup functions, run by service_role.

create policy "members can read their shops' sales customer first orders"
    on app.sales_customer_first_order
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));
