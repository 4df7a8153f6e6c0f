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
