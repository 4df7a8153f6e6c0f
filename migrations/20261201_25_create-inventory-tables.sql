-- Inventory Watch's stores: locations, levels, every level version, and the daily snapshots.
-- depends: 20261201_24_revoke-registry-writers-from-service-role
--
-- Shopify tells us a level (one inventory item at one location) only as its `available`
-- and `updated_at` (inventory_levels/update, connect, disconnect). The newest version is
-- the level (app.shopify_inventory_level); every version is kept
-- (app.shopify_inventory_level_version), whatever order they arrive in, and the daily
-- snapshots are derived from the versions: per level (app.inventory_level_day) and per
-- inventory item over all its locations (app.inventory_item_day), on the days a version
-- fell (a day without a row carries the day before's close). New tables, and a nullable
-- column on app.shopify_inventory_item (no rewrite; lock_timeout bounds the lock).
-- Rollback drops them.

set local lock_timeout = '5s';

alter table app.shopify_inventory_item
    add column deleted_at timestamptz;

comment on column app.shopify_inventory_item.deleted_at is 'When inventory_items/delete said the item was deleted (its row stays for past orders and snapshots).';

create table app.shopify_location (
    shop_id uuid not null,
    location_id bigint not null,
    name text,
    city text,
    province_code text,
    country_code text,
    is_active boolean,
    is_legacy boolean,
    created_at timestamptz,
    updated_at timestamptz not null,
    deleted_at timestamptz,
    constraint pk_shopify_location primary key (shop_id, location_id),
    constraint fk_shopify_location_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.shopify_location enable row level security;

comment on table app.shopify_location is 'Shopify locations (a warehouse, a 3PL, a store): where inventory levels are held. Business addresses are not kept.';
comment on column app.shopify_location.shop_id is 'The shop.';
comment on column app.shopify_location.location_id is 'Shopify location id.';
comment on column app.shopify_location.name is 'The location''s name.';
comment on column app.shopify_location.city is 'Its city.';
comment on column app.shopify_location.province_code is 'Its province or state code.';
comment on column app.shopify_location.country_code is 'Its country (ISO 3166-1 alpha-2).';
comment on column app.shopify_location.is_active is 'Whether the location is active (stocks and fulfils).';
comment on column app.shopify_location.is_legacy is 'Whether it is a legacy fulfilment-service location.';
comment on column app.shopify_location.created_at is 'When it was created.';
comment on column app.shopify_location.updated_at is 'Shopify''s updated_at of the version stored (older or equal versions are ignored).';
comment on column app.shopify_location.deleted_at is 'When locations/delete said it was deleted; its levels stay in the history.';

grant select on app.shopify_location to authenticated;
grant select, insert, update, delete on app.shopify_location to service_role;

create table app.shopify_inventory_level (
    shop_id uuid not null,
    inventory_item_id bigint not null,
    location_id bigint not null,
    available integer,
    updated_at timestamptz not null,
    constraint pk_shopify_inventory_level primary key (shop_id, inventory_item_id, location_id),
    constraint fk_shopify_inventory_level_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.shopify_inventory_level enable row level security;

comment on table app.shopify_inventory_level is 'Each inventory level as its newest version says: an inventory item''s available units at a location. A stale or equal updated_at never overwrites it.';
comment on column app.shopify_inventory_level.shop_id is 'The shop.';
comment on column app.shopify_inventory_level.inventory_item_id is 'Shopify inventory item id (a variant''s stock).';
comment on column app.shopify_inventory_level.location_id is 'Shopify location id.';
comment on column app.shopify_inventory_level.available is 'Units available (may be negative when oversold); null when Shopify sends none or the level was disconnected.';
comment on column app.shopify_inventory_level.updated_at is 'Shopify''s updated_at of the newest version (for a disconnect, which carries none, when Shopify raised it).';

grant select on app.shopify_inventory_level to authenticated;
grant select, insert, update, delete on app.shopify_inventory_level to service_role;

create table app.shopify_inventory_level_version (
    shop_id uuid not null,
    inventory_item_id bigint not null,
    location_id bigint not null,
    updated_at timestamptz not null,
    version_id bigint generated always as identity,
    available integer,
    is_disconnect boolean not null default false,
    constraint pk_shopify_inventory_level_version
        primary key (shop_id, inventory_item_id, location_id, updated_at),
    constraint unique_shopify_inventory_level_version_version_id
        unique (shop_id, version_id),
    constraint fk_shopify_inventory_level_version_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.shopify_inventory_level_version enable row level security;

comment on table app.shopify_inventory_level_version is 'Every version of every inventory level, as delivered (webhooks and backfill), in any order: the history the daily snapshots are derived from. A version already held (same level and updated_at) is not stored twice.';
comment on column app.shopify_inventory_level_version.shop_id is 'The shop.';
comment on column app.shopify_inventory_level_version.inventory_item_id is 'Shopify inventory item id.';
comment on column app.shopify_inventory_level_version.location_id is 'Shopify location id.';
comment on column app.shopify_inventory_level_version.updated_at is 'When the level took this value (Shopify''s updated_at; for a disconnect, when Shopify raised it).';
comment on column app.shopify_inventory_level_version.version_id is 'The version''s key in the change feed (entity shopify_inventory_level_version).';
comment on column app.shopify_inventory_level_version.available is 'Units available from then on; null: none sent, or disconnected (counts as 0 in the snapshots).';
comment on column app.shopify_inventory_level_version.is_disconnect is 'Whether this version is an inventory_levels/disconnect.';

grant select on app.shopify_inventory_level_version to authenticated;
grant select, insert, update, delete on app.shopify_inventory_level_version to service_role;
grant usage on sequence app.shopify_inventory_level_version_version_id_seq to service_role;

create table app.inventory_level_day (
    shop_id uuid not null,
    inventory_item_id bigint not null,
    location_id bigint not null,
    day date not null,
    close integer not null,
    low integer not null,
    constraint pk_inventory_level_day primary key (shop_id, inventory_item_id, location_id, day),
    constraint fk_inventory_level_day_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.inventory_level_day enable row level security;

comment on table app.inventory_level_day is 'The end-of-day stock snapshot of each level, on the shop-local days one of its versions fell (a day without a row closes where the day before closed, and its low is that close). Derived from app.shopify_inventory_level_version.';
comment on column app.inventory_level_day.shop_id is 'The shop.';
comment on column app.inventory_level_day.inventory_item_id is 'Shopify inventory item id.';
comment on column app.inventory_level_day.location_id is 'Shopify location id.';
comment on column app.inventory_level_day.day is 'The shop-local day.';
comment on column app.inventory_level_day.close is 'Units available at the end of the day (null versions count as 0).';
comment on column app.inventory_level_day.low is 'The least units available during the day: at its start (when a version came before) and after each version within it.';

grant select on app.inventory_level_day to authenticated;
grant select, insert, update, delete on app.inventory_level_day to service_role;

create table app.inventory_item_day (
    shop_id uuid not null,
    inventory_item_id bigint not null,
    day date not null,
    close integer not null,
    low integer not null,
    constraint pk_inventory_item_day primary key (shop_id, inventory_item_id, day),
    constraint fk_inventory_item_day_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.inventory_item_day enable row level security;

comment on table app.inventory_item_day is 'The end-of-day stock snapshot of each inventory item over all its locations (a variant''s stock), on the shop-local days a version of one of its levels fell; a day without a row closes where the day before closed. A day whose low is 0 or less is an out-of-stock day.';
comment on column app.inventory_item_day.shop_id is 'The shop.';
comment on column app.inventory_item_day.inventory_item_id is 'Shopify inventory item id.';
comment on column app.inventory_item_day.day is 'The shop-local day.';
comment on column app.inventory_item_day.close is 'Units available over all locations at the end of the day.';
comment on column app.inventory_item_day.low is 'The least units available over all locations during the day: at its start (when a version came before) and at each moment versions took effect within it (versions of one moment together).';

grant select on app.inventory_item_day to authenticated;
grant select, insert, update, delete on app.inventory_item_day to service_role;
