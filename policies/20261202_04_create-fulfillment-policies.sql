-- Row-level security for Fulfillment Flow's stores.
-- depends: 20261202_03_create-fulfillment-appliers
--
-- Members read their shops' fulfillments, lines and tracking events, and their shipping
-- calendar and carrier tables; owners and managers change the calendar and carriers
-- (through the api functions, which run as the caller). Fulfillments' personal data is
-- read as customers' is: by owners, managers and operators (who answer "where is my
-- order"), never by viewers. The defaults in private have no policy: only the definer
-- functions read them.
-- Rollback drops the policies.

create policy "members can read their shops' shopify fulfillment rows"
    on app.shopify_fulfillment
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' fulfillment line rows"
    on app.shopify_fulfillment_line
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' fulfillment event rows"
    on app.shopify_fulfillment_event
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' fulfillment settings rows"
    on app.fulfillment_settings
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' holiday rows"
    on app.shop_holiday
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' carrier alias rows"
    on app.carrier_alias
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "members can read their shops' carrier service promise rows"
    on app.carrier_service_sla
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "owners and managers can add fulfillment settings rows"
    on app.fulfillment_settings
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can change fulfillment settings rows"
    on app.fulfillment_settings
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can remove fulfillment settings rows"
    on app.fulfillment_settings
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can add holiday rows"
    on app.shop_holiday
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can change holiday rows"
    on app.shop_holiday
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can remove holiday rows"
    on app.shop_holiday
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can add carrier alias rows"
    on app.carrier_alias
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can change carrier alias rows"
    on app.carrier_alias
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can remove carrier alias rows"
    on app.carrier_alias
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can add carrier service promise rows"
    on app.carrier_service_sla
    for insert
    to authenticated
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can change carrier service promise rows"
    on app.carrier_service_sla
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners and managers can remove carrier service promise rows"
    on app.carrier_service_sla
    for delete
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "owners, managers and operators read fulfillment personal data"
    on app.shopify_fulfillment_pii
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager,operator}'))));
