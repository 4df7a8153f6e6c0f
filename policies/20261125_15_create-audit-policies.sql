-- Row-level security for the decision log, the row-change audit and legal holds.
-- depends: 20261125_14_create-shop-legal-hold
--
-- Members read their shops' suggestions and decisions; only owners and managers read the
-- row-change audit. No API role may write the audit tables at all (no grant): rows come
-- from security definer functions. Owners place, change and lift legal holds; every
-- member may see whether their shop is under one.

create policy "members can read their shops' suggestions"
    on audit.suggestion
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' decisions"
    on audit.decision
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "owners and managers can read their shops' row changes"
    on audit.row_change
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "members can read their shops' legal holds"
    on app.shop_legal_hold
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "owners can place legal holds"
    on app.shop_legal_hold
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner}'))));

create policy "owners can change legal holds"
    on app.shop_legal_hold
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner}'))));

create policy "owners can lift legal holds"
    on app.shop_legal_hold
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner}'))));
