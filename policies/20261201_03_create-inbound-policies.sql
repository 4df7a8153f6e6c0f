-- Row-level security for the inbound store and the payload retention settings.
-- depends: 20261201_02_create-inbound-store
--
-- Also: the policy on app.shopify_customer_pii was created with a name over 63 bytes,
-- which Postgres stored cut short; it now has a name that fits (as a fresh database gets
-- it). Rollback leaves the new name: the cut one was a defect, not a state to restore.
-- folder-content: mixed, because that policy is renamed only where it exists (databases
-- migrated before its name was fixed), which takes a DO block.
-- Raw deliveries and dead letters hold personal data until redaction, so only owners and
-- managers read them, as with the Shopify stores they replace; writes come only from the
-- pipeline's functions, run by service_role (which bypasses RLS). Every member may see a
-- shop's replay window; owners set it.

create policy "owners and managers can read their shops' inbound events"
    on app.inbound_event
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can read their shops' inbound payloads"
    on app.inbound_payload
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can read their shops' inbound dead letters"
    on app.inbound_dead_letter
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "members can read their shops' payload retention"
    on app.shop_payload_retention
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "owners can set their shops' payload retention"
    on app.shop_payload_retention
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner}'))));

create policy "owners can change their shops' payload retention"
    on app.shop_payload_retention
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner}'))));

create policy "owners can reset their shops' payload retention"
    on app.shop_payload_retention
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner}'))));

do $$
begin
    if exists (
        select
        from pg_catalog.pg_policies as p
        where p.schemaname = 'app'
            and p.tablename = 'shopify_customer_pii'
            and p.policyname = 'owners, managers and operators can read their shops'' shopify cu'
    ) then
        alter policy "owners, managers and operators can read their shops' shopify cu"
            on app.shopify_customer_pii
            rename to "owners, managers and operators can read shopify customer pii";
    end if;
end
$$;
