-- Row-level security for shops and members.
-- depends: 20261125_04_create-membership-helpers
--
-- One permissive policy per table, command and role. Every auth call is wrapped in
-- (select ...) so the planner runs it once as an InitPlan and compares shop_id, the
-- leading column of every tenant index, against the resulting array.
-- service_role bypasses RLS; anon has no grants and no policies.

create policy "members can read their shops"
    on app.shop
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

create policy "owners and managers can update their shops"
    on app.shop
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner,manager}'))));

create policy "members can read their shops' members"
    on app.shop_member
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

-- Owners manage every member; managers manage operators and viewers only.
create policy "owners and managers can add members"
    on app.shop_member
    for insert
    to authenticated
    with check (
        shop_id = any (array(select private.my_shop_ids('{owner}')))
        or (
            role in ('operator', 'viewer')
            and shop_id = any (array(select private.my_shop_ids('{manager}')))
        )
    );

create policy "owners and managers can change members' roles"
    on app.shop_member
    for update
    to authenticated
    using (
        shop_id = any (array(select private.my_shop_ids('{owner}')))
        or (
            role in ('operator', 'viewer')
            and shop_id = any (array(select private.my_shop_ids('{manager}')))
        )
    )
    with check (
        shop_id = any (array(select private.my_shop_ids('{owner}')))
        or (
            role in ('operator', 'viewer')
            and shop_id = any (array(select private.my_shop_ids('{manager}')))
        )
    );

create policy "owners and managers can remove members"
    on app.shop_member
    for delete
    to authenticated
    using (
        shop_id = any (array(select private.my_shop_ids('{owner}')))
        or (
            role in ('operator', 'viewer')
            and shop_id = any (array(select private.my_shop_ids('{manager}')))
        )
    );
