-- Membership helpers for row-level security, and the one definer step of shop creation.
-- depends: 20261125_03_create-shops-and-members
--
-- Policies call these wrapped as (select ...), so each runs once per statement as an
-- InitPlan, not once per row. They are security definer so that reading
-- app.shop_member from inside its own policies cannot recurse (42P17).

create function private.my_shop_ids(p_roles app.member_role[])
    returns setof uuid
    language sql
    stable
    security definer
    set search_path = ''
as $$
    select m.shop_id
    from app.shop_member as m
    where m.user_id = (select auth.uid())
        and m.role = any (p_roles)
$$;

comment on function private.my_shop_ids(app.member_role[]) is 'The shops where the calling user holds one of the given roles. Use in policies as shop_id = any (array(select private.my_shop_ids(''{owner,manager}''))).';

grant execute on function private.my_shop_ids(app.member_role[]) to authenticated, service_role;

create function private.my_shop_ids()
    returns setof uuid
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select private.my_shop_ids(pg_catalog.enum_range(null::app.member_role))
$$;

comment on function private.my_shop_ids() is 'The shops the calling user is a member of, in any role. Use in policies as shop_id = any (array(select private.my_shop_ids())).';

grant execute on function private.my_shop_ids() to authenticated, service_role;

create function private.create_shop_owned_by_caller(
    p_shopify_domain text,
    p_name text,
    p_currency text,
    p_iana_timezone text
)
    returns uuid
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    v_user_id uuid := (select auth.uid());
    v_shop_id uuid;
begin
    if v_user_id is null
        or not exists (select from auth.users as u where u.id = v_user_id) then
        raise exception 'creating a shop needs a signed-in user'
            using errcode = '42501',
                hint = 'Call api.create_shop with a user''s JWT; its sub must be in auth.users.';
    end if;
    insert into app.shop (shopify_domain, name, currency, iana_timezone)
    values (p_shopify_domain, p_name, p_currency, p_iana_timezone)
    returning shop_id into v_shop_id;
    insert into app.shop_member (shop_id, user_id, role)
    values (v_shop_id, v_user_id, 'owner');
    return v_shop_id;
end
$$;

comment on function private.create_shop_owned_by_caller(text, text, text, text) is 'Creates a shop and makes the calling user its owner. Definer because no policy can let a user insert into a shop they are not yet a member of.';

grant execute on function private.create_shop_owned_by_caller(text, text, text, text) to authenticated;
