-- A shop always keeps at least one owner.
-- depends: 20261125_07_create-shop-api
--
-- Statement-level triggers with a transition table: one check per statement, over
-- the shops the statement touched. Deleting the shop itself (cascade) is allowed.
-- The touched shops' rows are locked first (in shop_id order, so two statements cannot
-- deadlock): two owners demoting each other at once are serialised, and the second sees
-- the first's change and is refused, instead of both passing and leaving no owner.

create function private.tg_shop_member__keep_an_owner()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as $$
declare
    v_shop_id uuid;
begin
    perform
    from app.shop as s
    where s.shop_id in (select o.shop_id from old_members as o)
    order by s.shop_id
    for update;
    select o.shop_id into v_shop_id
    from old_members as o
    where exists (select from app.shop as s where s.shop_id = o.shop_id)
        and not exists (
            select
            from app.shop_member as m
            where m.shop_id = o.shop_id
                and m.role = 'owner'
        )
    limit 1;
    if v_shop_id is not null then
        raise exception 'shop % would be left without an owner', v_shop_id
            using errcode = '23514', column = 'role',
                hint = 'Make another member owner first.';
    end if;
    return null;
end
$$;

comment on function private.tg_shop_member__keep_an_owner() is 'Trigger: refuses a member update or delete that leaves a shop without an owner. Definer so it sees every member, whatever the caller may see.';

-- Fail fast rather than queue every query on the table behind this migration.
set local lock_timeout = '5s';

create trigger _500_keep_an_owner_on_update
    after update on app.shop_member
    referencing old table as old_members
    for each statement
    execute function private.tg_shop_member__keep_an_owner();

create trigger _500_keep_an_owner_on_delete
    after delete on app.shop_member
    referencing old table as old_members
    for each statement
    execute function private.tg_shop_member__keep_an_owner();
