-- API functions to create shops and manage their members.
-- depends: 20261125_06_create-shop-views
--
-- All run with the caller's rights (security invoker): row-level security on app
-- tables decides what each caller may change. A write that touches no row raises
-- 42501 without telling whether the shop exists, so outsiders learn nothing.

create function private.to_member_role(p_role text)
    returns app.member_role
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    if p_role is null or p_role not in ('owner', 'manager', 'operator', 'viewer') then
        raise exception 'role must be one of owner, manager, operator, viewer (got %)',
            coalesce(pg_catalog.quote_literal(p_role), 'null')
            using errcode = '22023', column = 'role';
    end if;
    return p_role::app.member_role;
end
$$;

comment on function private.to_member_role(text) is 'Parses a member role from API input, raising 22023 that names the role field when it is not one of the four roles.';

grant execute on function private.to_member_role(text) to authenticated, service_role;

create function api.create_shop(
    shopify_domain text,
    name text,
    currency text,
    iana_timezone text
)
    returns api.shops
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop_id uuid;
    v_shop api.shops;
begin
    v_shop_id := private.create_shop_owned_by_caller(
        create_shop.shopify_domain, create_shop.name, create_shop.currency,
        create_shop.iana_timezone
    );
    select * into v_shop from api.shops as s where s.shop_id = v_shop_id;
    return v_shop;
end
$$;

comment on function api.create_shop(text, text, text, text) is 'Creates a shop with the caller as its owner and returns it. 409 if the domain is taken; 400 naming the field for a bad domain, currency or time zone.';

grant execute on function api.create_shop(text, text, text, text) to authenticated;

create function api.update_shop(
    shop_id uuid,
    name text default null,
    currency text default null,
    iana_timezone text default null
)
    returns api.shops
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop api.shops;
begin
    update app.shop as s
    set name = coalesce(update_shop.name, s.name),
        currency = coalesce(update_shop.currency, s.currency),
        iana_timezone = coalesce(update_shop.iana_timezone, s.iana_timezone),
        updated_at = pg_catalog.now()
    where s.shop_id = update_shop.shop_id;
    if not found then
        raise exception 'shop % not found, or your role may not change it', update_shop.shop_id
            using errcode = '42501', hint = 'Owners and managers may change a shop.';
    end if;
    select * into v_shop from api.shops as s where s.shop_id = update_shop.shop_id;
    return v_shop;
end
$$;

comment on function api.update_shop(uuid, text, text, text) is 'Changes a shop''s name, currency or time zone (omitted ones stay). Owners and managers only.';

grant execute on function api.update_shop(uuid, text, text, text) to authenticated, service_role;

create function api.add_shop_member(shop_id uuid, user_id uuid, role text)
    returns api.shop_members
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_member api.shop_members;
begin
    insert into app.shop_member (shop_id, user_id, role)
    values (add_shop_member.shop_id, add_shop_member.user_id,
            private.to_member_role(add_shop_member.role));
    select * into v_member
    from api.shop_members as m
    where m.shop_id = add_shop_member.shop_id
        and m.user_id = add_shop_member.user_id;
    return v_member;
end
$$;

comment on function api.add_shop_member(uuid, uuid, text) is 'Adds a user to a shop in a role. Owners add anyone; managers add operators and viewers. 409 if already a member.';

grant execute on function api.add_shop_member(uuid, uuid, text) to authenticated, service_role;

create function api.set_shop_member_role(shop_id uuid, user_id uuid, role text)
    returns api.shop_members
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_member api.shop_members;
begin
    update app.shop_member as m
    set role = private.to_member_role(set_shop_member_role.role),
        updated_at = pg_catalog.now()
    where m.shop_id = set_shop_member_role.shop_id
        and m.user_id = set_shop_member_role.user_id;
    if not found then
        raise exception 'member % of shop % not found, or your role may not change it',
            set_shop_member_role.user_id, set_shop_member_role.shop_id
            using errcode = '42501',
                hint = 'Owners change any role; managers change operators and viewers.';
    end if;
    select * into v_member
    from api.shop_members as m
    where m.shop_id = set_shop_member_role.shop_id
        and m.user_id = set_shop_member_role.user_id;
    return v_member;
end
$$;

comment on function api.set_shop_member_role(uuid, uuid, text) is 'Changes a member''s role. Owners change anyone; managers change operators and viewers. A shop always keeps an owner.';

grant execute on function api.set_shop_member_role(uuid, uuid, text) to authenticated, service_role;

create function api.remove_shop_member(shop_id uuid, user_id uuid)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    delete from app.shop_member as m
    where m.shop_id = remove_shop_member.shop_id
        and m.user_id = remove_shop_member.user_id;
    if not found then
        raise exception 'member % of shop % not found, or your role may not remove it',
            remove_shop_member.user_id, remove_shop_member.shop_id
            using errcode = '42501',
                hint = 'Owners remove anyone; managers remove operators and viewers.';
    end if;
end
$$;

comment on function api.remove_shop_member(uuid, uuid) is 'Removes a member from a shop. Owners remove anyone; managers remove operators and viewers. A shop always keeps an owner.';

grant execute on function api.remove_shop_member(uuid, uuid) to authenticated, service_role;
