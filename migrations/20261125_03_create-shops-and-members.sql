-- Tenancy core: shops and their members.
-- depends: 20261125_02_create-is-iana-timezone
--
-- A shop is one Shopify store; every tenant-owned table carries shop_id first in its
-- primary key and in its foreign keys, so no row can reference another shop's row and
-- the schema stays distributable by shop_id. Members link auth users to shops.

create type app.member_role as enum ('owner', 'manager', 'operator', 'viewer');

comment on type app.member_role is 'What a member may do in a shop: owner (everything, incl. members), manager (settings, operators and viewers), operator (acts on suggestions), viewer (reads).';

create table app.shop (
    shop_id uuid not null default gen_random_uuid(),
    shopify_domain text not null,
    name text not null,
    currency char(3) not null,
    iana_timezone text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_shop primary key (shop_id),
    constraint unique_shop_shopify_domain unique (shopify_domain),
    constraint check_shop_shopify_domain_format
        check (shopify_domain ~ '^[a-z0-9][a-z0-9-]*\.myshopify\.com$'),
    constraint check_shop_name_not_blank check (btrim(name) <> ''),
    constraint check_shop_currency_iso4217 check (currency ~ '^[A-Z]{3}$'),
    constraint check_shop_iana_timezone_known check (private.is_iana_timezone(iana_timezone))
);

alter table app.shop enable row level security;

comment on table app.shop is 'One Shopify store using storepulse: the tenant every other row belongs to.';
comment on column app.shop.shop_id is 'Tenant key; leads the primary key of every tenant-owned table.';
comment on column app.shop.shopify_domain is 'The store''s permanent myshopify.com domain, as Shopify sends it in X-Shopify-Shop-Domain.';
comment on column app.shop.name is 'Display name of the store.';
comment on column app.shop.currency is 'ISO 4217 code of the shop''s currency; all money of the shop is in it.';
comment on column app.shop.iana_timezone is 'IANA time zone the shop''s days are bucketed in (Shopify''s iana_timezone).';
comment on column app.shop.created_at is 'When the shop was created in storepulse.';
comment on column app.shop.updated_at is 'When the shop''s settings last changed.';

grant select, update (name, currency, iana_timezone, updated_at) on app.shop to authenticated;

grant select, insert, update, delete on app.shop to service_role;

create table app.shop_member (
    shop_id uuid not null,
    user_id uuid not null,
    role app.member_role not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_shop_member primary key (shop_id, user_id),
    constraint fk_shop_member_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint fk_shop_member_user_id_users foreign key (user_id)
        references auth.users (id) on delete cascade
);

alter table app.shop_member enable row level security;

comment on table app.shop_member is 'Who may see and act on a shop, and in which role.';
comment on column app.shop_member.shop_id is 'The shop.';
comment on column app.shop_member.user_id is 'The member''s auth user (auth.users.id, the JWT''s sub).';
comment on column app.shop_member.role is 'The member''s role in this shop.';
comment on column app.shop_member.created_at is 'When the member was added.';
comment on column app.shop_member.updated_at is 'When the member''s role last changed.';

-- Row-level security looks members up by user first (private.my_shop_ids).
create index index_shop_member_on_user_id_shop_id on app.shop_member (user_id, shop_id);

grant select, insert, update (role, updated_at), delete on app.shop_member to authenticated;

grant select, insert, update, delete on app.shop_member to service_role;
