-- API views of shops and members, run with the caller's rights.
-- depends: 20261125_05_create-shop-policies
--
-- security_invoker: row-level security on app tables decides what each caller sees.

create view api.shops
with (security_invoker = true)
as
select
    s.shop_id,
    s.shopify_domain,
    s.name,
    s.currency,
    s.iana_timezone,
    m.role as my_role,
    s.created_at,
    s.updated_at
from app.shop as s
    left join app.shop_member as m
        on m.shop_id = s.shop_id
        and m.user_id = (select auth.uid());

comment on view api.shops is 'The shops the caller may see, with the caller''s role in each (null for service_role).';
comment on column api.shops.shop_id is 'Tenant key.';
comment on column api.shops.shopify_domain is 'The store''s myshopify.com domain.';
comment on column api.shops.name is 'Display name of the store.';
comment on column api.shops.currency is 'ISO 4217 currency of all the shop''s money.';
comment on column api.shops.iana_timezone is 'IANA time zone the shop''s days are bucketed in.';
comment on column api.shops.my_role is 'The caller''s role in this shop.';
comment on column api.shops.created_at is 'When the shop was created in storepulse.';
comment on column api.shops.updated_at is 'When the shop''s settings last changed.';

grant select on api.shops to authenticated, service_role;

create view api.shop_members
with (security_invoker = true)
as
select
    m.shop_id,
    m.user_id,
    m.role,
    m.created_at,
    m.updated_at
from app.shop_member as m;

comment on view api.shop_members is 'Members of the shops the caller belongs to.';
comment on column api.shop_members.shop_id is 'The shop.';
comment on column api.shop_members.user_id is 'The member''s auth user id.';
comment on column api.shop_members.role is 'The member''s role: owner, manager, operator or viewer.';
comment on column api.shop_members.created_at is 'When the member was added.';
comment on column api.shop_members.updated_at is 'When the member''s role last changed.';

grant select on api.shop_members to authenticated, service_role;
