-- Inventory Watch's planning stores: suppliers, lead times, expected receipts, settings, and the rollups.
-- depends: 20261201_29_create-inventory-policies
--
-- Shopify has no purchase-order API, so owners and managers record what they buy
-- (app.inventory_supplier, app.inventory_variant_supplier, app.inventory_receipt) and how
-- the tile plans (app.inventory_settings) through the api; these are operator-facing, so
-- every change to them is audited. app.inventory_sales_daily holds each variant's units,
-- refunded units and net sales per shop-local day (the sales rollups' definitions, kept by
-- a subscriber of shopify_order); app.inventory_variant_stats holds each variant's figures
-- over the lookback that ends the day before app.inventory_stats_day.stats_day, kept
-- current by the change feed and rolled each day by the pg_cron job.
-- New tables. Rollback retires their audit stores and drops them.

create table app.inventory_settings (
    shop_id uuid not null,
    lookback_days integer not null default 30,
    slow_lookback_days integer not null default 90,
    slow_mover_units integer not null default 10,
    min_in_stock_days integer not null default 7,
    default_lead_time_days integer not null default 14,
    target_cover_days integer not null default 30,
    review_days integer not null default 7,
    dead_stock_days integer not null default 90,
    updated_by uuid,
    updated_at timestamptz not null default now(),
    constraint pk_inventory_settings primary key (shop_id),
    constraint fk_inventory_settings_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_inventory_settings_days check (
        lookback_days between 7 and 90
        and slow_lookback_days between lookback_days and 90
        and min_in_stock_days between 1 and lookback_days
        and slow_mover_units between 0 and 100000
        and default_lead_time_days between 1 and 365
        and target_cover_days between 1 and 365
        and review_days between 0 and 365
        and dead_stock_days between 30 and 90)
);

alter table app.inventory_settings enable row level security;

comment on table app.inventory_settings is 'How Inventory Watch plans for a shop, when it is not the defaults (owners and managers set it with api.set_inventory_settings).';
comment on column app.inventory_settings.shop_id is 'The shop.';
comment on column app.inventory_settings.lookback_days is 'Days of sales velocity is measured over (7 to 90; 30 by default).';
comment on column app.inventory_settings.slow_lookback_days is 'The longer lookback of slow movers (up to 90; 90 by default).';
comment on column app.inventory_settings.slow_mover_units is 'A variant with fewer net units than this over the lookback is a slow mover (10 by default).';
comment on column app.inventory_settings.min_in_stock_days is 'A variant with fewer in-stock days than this in the lookback takes the longer one too (7 by default).';
comment on column app.inventory_settings.default_lead_time_days is 'Lead time of a variant without its own or its supplier''s (14 days by default).';
comment on column app.inventory_settings.target_cover_days is 'Days of demand a reorder should cover beyond the lead time (30 by default).';
comment on column app.inventory_settings.review_days is 'The review period in the overstock test (7 days by default).';
comment on column app.inventory_settings.dead_stock_days is 'Days without a sale that make stock dead (30 to 90; 90 by default).';
comment on column app.inventory_settings.updated_by is 'Who last changed them.';
comment on column app.inventory_settings.updated_at is 'When.';

grant select on app.inventory_settings to authenticated;
grant insert, update, delete on app.inventory_settings to authenticated;
grant select, insert, update, delete on app.inventory_settings to service_role;

create table app.inventory_supplier (
    shop_id uuid not null,
    supplier_id bigint generated always as identity,
    name text not null,
    lead_time_days integer not null,
    order_multiple integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pk_inventory_supplier primary key (shop_id, supplier_id),
    constraint unique_inventory_supplier_name unique (shop_id, name),
    constraint fk_inventory_supplier_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_inventory_supplier_name check (btrim(name) <> '' and char_length(name) <= 200),
    constraint check_inventory_supplier_lead_time_days check (lead_time_days between 1 and 365),
    constraint check_inventory_supplier_order_multiple check (order_multiple between 1 and 100000)
);

alter table app.inventory_supplier enable row level security;

comment on table app.inventory_supplier is 'The shop''s suppliers, with their quoted lead time and order multiple (recorded with api.set_supplier).';
comment on column app.inventory_supplier.shop_id is 'The shop.';
comment on column app.inventory_supplier.supplier_id is 'The supplier''s id.';
comment on column app.inventory_supplier.name is 'The supplier''s name, unique in the shop.';
comment on column app.inventory_supplier.lead_time_days is 'Days from ordering to receiving, as quoted.';
comment on column app.inventory_supplier.order_multiple is 'Orders are whole multiples of this many units (a case pack).';
comment on column app.inventory_supplier.created_at is 'When it was recorded.';
comment on column app.inventory_supplier.updated_at is 'When it last changed.';

grant select, insert, update, delete on app.inventory_supplier to authenticated;
grant select, insert, update, delete on app.inventory_supplier to service_role;

create table app.inventory_variant_supplier (
    shop_id uuid not null,
    variant_id bigint not null,
    supplier_id bigint not null,
    lead_time_days integer,
    updated_at timestamptz not null default now(),
    constraint pk_inventory_variant_supplier primary key (shop_id, variant_id),
    constraint fk_inventory_variant_supplier_supplier_id_inventory_supplier
        foreign key (shop_id, supplier_id)
        references app.inventory_supplier (shop_id, supplier_id) on delete cascade,
    constraint check_inventory_variant_supplier_lead_time_days
        check (lead_time_days between 1 and 365)
);

create index index_inventory_variant_supplier_on_shop_id_supplier_id
    on app.inventory_variant_supplier (shop_id, supplier_id);

alter table app.inventory_variant_supplier enable row level security;

comment on table app.inventory_variant_supplier is 'Who supplies each variant, and its own lead time when it differs from the supplier''s (api.set_variant_supplier).';
comment on column app.inventory_variant_supplier.shop_id is 'The shop.';
comment on column app.inventory_variant_supplier.variant_id is 'Shopify variant id.';
comment on column app.inventory_variant_supplier.supplier_id is 'Its supplier.';
comment on column app.inventory_variant_supplier.lead_time_days is 'The variant''s own lead time in days; null: the supplier''s.';
comment on column app.inventory_variant_supplier.updated_at is 'When it last changed.';

grant select, insert, update, delete on app.inventory_variant_supplier to authenticated;
grant select, insert, update, delete on app.inventory_variant_supplier to service_role;

create table app.inventory_receipt (
    shop_id uuid not null,
    receipt_id bigint generated always as identity,
    variant_id bigint not null,
    supplier_id bigint,
    quantity integer not null,
    expected_on date not null,
    ordered_at timestamptz not null default now(),
    received_at timestamptz,
    cancelled_at timestamptz,
    reference text,
    recorded_by uuid,
    constraint pk_inventory_receipt primary key (shop_id, receipt_id),
    constraint fk_inventory_receipt_supplier_id_inventory_supplier
        foreign key (shop_id, supplier_id)
        references app.inventory_supplier (shop_id, supplier_id),
    constraint fk_inventory_receipt_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_inventory_receipt_quantity check (quantity between 1 and 10000000),
    constraint check_inventory_receipt_closed_once check (num_nonnulls(received_at, cancelled_at) <= 1),
    constraint check_inventory_receipt_reference
        check (reference is null or char_length(reference) <= 200)
);

create index index_inventory_receipt_on_shop_id_variant_id
    on app.inventory_receipt (shop_id, variant_id);

alter table app.inventory_receipt enable row level security;

comment on table app.inventory_receipt is 'Stock expected in: a purchase order line (variant, quantity, expected date), recorded by owners and managers with api.record_expected_receipt; on order until received or cancelled (api.close_receipt).';
comment on column app.inventory_receipt.shop_id is 'The shop.';
comment on column app.inventory_receipt.receipt_id is 'The receipt''s id.';
comment on column app.inventory_receipt.variant_id is 'Shopify variant id.';
comment on column app.inventory_receipt.supplier_id is 'Who ships it (null: unknown).';
comment on column app.inventory_receipt.quantity is 'Units expected.';
comment on column app.inventory_receipt.expected_on is 'The shop-local day it is expected.';
comment on column app.inventory_receipt.ordered_at is 'When it was ordered: on order from then.';
comment on column app.inventory_receipt.received_at is 'When it was received (no longer on order).';
comment on column app.inventory_receipt.cancelled_at is 'When it was cancelled (no longer on order).';
comment on column app.inventory_receipt.reference is 'The purchase order''s reference (PO-1042).';
comment on column app.inventory_receipt.recorded_by is 'Who recorded it.';

grant select, insert, update on app.inventory_receipt to authenticated;
grant select, insert, update, delete on app.inventory_receipt to service_role;

create table app.inventory_sales_daily (
    shop_id uuid not null,
    day date not null,
    variant_id bigint not null,
    units integer not null default 0,
    refunded_units integer not null default 0,
    net_sales numeric(14,2) not null default 0,
    constraint pk_inventory_sales_daily primary key (shop_id, variant_id, day),
    constraint fk_inventory_sales_daily_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.inventory_sales_daily enable row level security;

comment on table app.inventory_sales_daily is 'Inventory Watch''s sales per variant and shop-local day, from the Sales Pulse contributions: units on the order''s day, refunded units and returns on the refund''s day.';
comment on column app.inventory_sales_daily.shop_id is 'The shop.';
comment on column app.inventory_sales_daily.day is 'The shop-local day.';
comment on column app.inventory_sales_daily.variant_id is 'Shopify variant id.';
comment on column app.inventory_sales_daily.units is 'Units ordered (counted orders, not voided; gift cards excluded), on the order''s day.';
comment on column app.inventory_sales_daily.refunded_units is 'Units refunded, on the refund''s day.';
comment on column app.inventory_sales_daily.net_sales is 'Gross sales less discounts on the order''s day, less returns on the refund''s day.';

grant select on app.inventory_sales_daily to authenticated;
grant select, insert, update, delete on app.inventory_sales_daily to service_role;

create table app.inventory_stats_day (
    shop_id uuid not null,
    stats_day date not null,
    computed_at timestamptz not null default now(),
    state_as_of timestamptz,
    constraint pk_inventory_stats_day primary key (shop_id),
    constraint fk_inventory_stats_day_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.inventory_stats_day enable row level security;

comment on table app.inventory_stats_day is 'The shop-local day whose lookbacks app.inventory_variant_stats holds (they end the day before): rolled by the pg_cron job after local midnight.';
comment on column app.inventory_stats_day.shop_id is 'The shop.';
comment on column app.inventory_stats_day.stats_day is 'The day: its lookbacks are the complete days before it.';
comment on column app.inventory_stats_day.computed_at is 'When the day was rolled.';
comment on column app.inventory_stats_day.state_as_of is 'When app.inventory_variant_state was last brought up to date: the tile reads it for any as_of from then on, within the stats day.';

grant select on app.inventory_stats_day to authenticated;
grant select, insert, update, delete on app.inventory_stats_day to service_role;

create table app.inventory_variant_stats (
    shop_id uuid not null,
    variant_id bigint not null,
    inventory_item_id bigint not null,
    lookback_days integer not null,
    in_stock_days integer not null,
    velocity numeric(14,4),
    sigma numeric(14,4) not null,
    net_units_30 integer not null,
    units_ordered_30 integer not null,
    units_ordered_dead integer not null,
    net_sales_90 numeric(14,2) not null,
    first_day date,
    close_before integer,
    abc text,
    constraint pk_inventory_variant_stats primary key (shop_id, variant_id),
    constraint fk_inventory_variant_stats_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.inventory_variant_stats enable row level security;

comment on table app.inventory_variant_stats is 'Each tracked variant''s figures over the lookbacks that end the day before app.inventory_stats_day.stats_day (private.inventory_variant_figures): what the tile reads instead of 90 days of history. Kept current by the change feed; the day roll computes them all again.';
comment on column app.inventory_variant_stats.shop_id is 'The shop.';
comment on column app.inventory_variant_stats.variant_id is 'Shopify variant id.';
comment on column app.inventory_variant_stats.inventory_item_id is 'Its inventory item.';
comment on column app.inventory_variant_stats.lookback_days is 'The lookback used: 30, or 90 for a slow mover (the settings'').';
comment on column app.inventory_variant_stats.in_stock_days is 'In-stock days in it.';
comment on column app.inventory_variant_stats.velocity is 'Net units per in-stock day, 4 places, never below 0; null without an in-stock day.';
comment on column app.inventory_variant_stats.sigma is 'Sample standard deviation of the in-stock days'' net units, 4 places (0 with fewer than 2).';
comment on column app.inventory_variant_stats.net_units_30 is 'Net units over the shorter lookback (every day of it).';
comment on column app.inventory_variant_stats.units_ordered_30 is 'Units ordered over the shorter lookback (sell-through).';
comment on column app.inventory_variant_stats.units_ordered_dead is 'Units ordered over the dead-stock window.';
comment on column app.inventory_variant_stats.net_sales_90 is 'Net sales over the last 90 days (ABC).';
comment on column app.inventory_variant_stats.first_day is 'The first shop-local day of its stock history.';
comment on column app.inventory_variant_stats.close_before is 'Units available at the end of the day before (null: not yet observed).';
comment on column app.inventory_variant_stats.abc is 'Its ABC class by net_sales_90 among the shop''s variants (private.refresh_inventory_abc).';

grant select on app.inventory_variant_stats to authenticated;
grant select, insert, update, delete on app.inventory_variant_stats to service_role;

create table app.inventory_variant_state (
    shop_id uuid not null,
    variant_id bigint not null,
    product_id bigint not null,
    sku text,
    title text,
    variant_title text,
    price numeric(14,2) not null,
    unit_cost numeric(14,2),
    available integer not null,
    on_order integer not null,
    inventory_position integer not null,
    next_receipt date,
    lookback_days integer not null,
    in_stock_days integer not null,
    velocity numeric(14,4),
    sigma numeric(14,4) not null,
    net_units_30 integer not null,
    units_ordered_30 integer not null,
    net_sales_90 numeric(14,2) not null,
    abc text not null,
    z numeric(6,4) not null,
    lead_time_days integer not null,
    supplier_id bigint,
    supplier text,
    safety_stock numeric(14,2) not null,
    reorder_point numeric(14,2),
    needs_reorder boolean not null,
    reorder_quantity integer not null,
    days_of_cover numeric(14,1),
    cover_ratio numeric,
    stockout_date date,
    urgent boolean not null,
    lost_revenue_per_day numeric(14,2),
    excess_units integer not null,
    excess_value numeric(14,2),
    dead_stock boolean not null,
    dead_stock_value numeric(14,2),
    close_before integer,
    cover_bucket text not null,
    line jsonb not null,
    priority numeric,
    constraint pk_inventory_variant_state primary key (shop_id, variant_id),
    constraint fk_inventory_variant_state_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

create index index_inventory_variant_state_stocked_out
    on app.inventory_variant_state (shop_id, lost_revenue_per_day desc nulls last, variant_id)
    where available <= 0;

create index index_inventory_variant_state_below_reorder_point
    on app.inventory_variant_state (shop_id, urgent desc, stockout_date, priority desc, variant_id)
    where needs_reorder;

create index index_inventory_variant_state_overstock
    on app.inventory_variant_state (shop_id, excess_value desc nulls last, variant_id)
    where excess_units > 0;

create index index_inventory_variant_state_dead_stock
    on app.inventory_variant_state (shop_id, dead_stock_value desc nulls last, variant_id)
    where dead_stock;

create index index_inventory_variant_state_movers
    on app.inventory_variant_state (shop_id, net_units_30 desc, variant_id);

alter table app.inventory_variant_state enable row level security;

comment on table app.inventory_variant_state is 'Each tracked variant''s Inventory Watch figures as of app.inventory_stats_day.state_as_of (private.inventory_variant_rows), kept current as levels, receipts, suppliers, settings and the stored figures change: what the tile reads on its usual call, with an index per list.';
comment on column app.inventory_variant_state.shop_id is 'The shop.';
comment on column app.inventory_variant_state.variant_id is 'Shopify variant id; the other columns are private.inventory_variant_rows''s (README.md, Inventory Watch numbers).';
comment on column app.inventory_variant_state.product_id is 'Its product.';
comment on column app.inventory_variant_state.sku is 'Stock keeping unit.';
comment on column app.inventory_variant_state.title is 'The product''s title.';
comment on column app.inventory_variant_state.variant_title is 'The variant''s title.';
comment on column app.inventory_variant_state.price is 'Its current price.';
comment on column app.inventory_variant_state.unit_cost is 'Its unit cost (null: unknown).';
comment on column app.inventory_variant_state.available is 'Units available over every location.';
comment on column app.inventory_variant_state.on_order is 'Units on order.';
comment on column app.inventory_variant_state.inventory_position is 'available + on_order.';
comment on column app.inventory_variant_state.next_receipt is 'The earliest expected day of its open receipts.';
comment on column app.inventory_variant_state.lookback_days is 'The lookback of its velocity (30, or 90 for a slow mover).';
comment on column app.inventory_variant_state.in_stock_days is 'In-stock days in the lookback.';
comment on column app.inventory_variant_state.velocity is 'Net units per in-stock day (null: no in-stock day).';
comment on column app.inventory_variant_state.sigma is 'Sample standard deviation of the in-stock days'' net units.';
comment on column app.inventory_variant_state.net_units_30 is 'Net units over 30 days.';
comment on column app.inventory_variant_state.units_ordered_30 is 'Units ordered over 30 days.';
comment on column app.inventory_variant_state.net_sales_90 is 'Net sales over 90 days.';
comment on column app.inventory_variant_state.abc is 'ABC class.';
comment on column app.inventory_variant_state.z is 'The z of its class''s service level.';
comment on column app.inventory_variant_state.lead_time_days is 'Lead time in days.';
comment on column app.inventory_variant_state.supplier_id is 'Its supplier.';
comment on column app.inventory_variant_state.supplier is 'Its supplier''s name.';
comment on column app.inventory_variant_state.safety_stock is 'z times sigma times the square root of the lead time.';
comment on column app.inventory_variant_state.reorder_point is 'velocity times lead time plus safety stock.';
comment on column app.inventory_variant_state.needs_reorder is 'Whether the position is at or below the reorder point (with a velocity).';
comment on column app.inventory_variant_state.reorder_quantity is 'Units to order (to the target cover, in the supplier''s multiple).';
comment on column app.inventory_variant_state.days_of_cover is 'available / velocity, 1 place.';
comment on column app.inventory_variant_state.cover_ratio is 'available / velocity, unrounded.';
comment on column app.inventory_variant_state.stockout_date is 'The day stock runs out at the velocity.';
comment on column app.inventory_variant_state.urgent is 'Below the reorder point and out before the next receipt.';
comment on column app.inventory_variant_state.lost_revenue_per_day is 'velocity times price, when stocked out.';
comment on column app.inventory_variant_state.excess_units is 'Units beyond demand over lead time, review period and safety stock.';
comment on column app.inventory_variant_state.excess_value is 'Their value at cost.';
comment on column app.inventory_variant_state.dead_stock is 'Stock without a sale in the dead-stock window.';
comment on column app.inventory_variant_state.dead_stock_value is 'Its value at cost.';
comment on column app.inventory_variant_state.close_before is 'Units available at the end of the day before the stats day.';
comment on column app.inventory_variant_state.cover_bucket is 'Its bucket of the days-of-cover distribution.';
comment on column app.inventory_variant_state.line is 'The variant as the tile''s lists show it (private.inventory_variant_rows builds it).';
comment on column app.inventory_variant_state.priority is 'Velocity times price: the order among variants below the reorder point after urgency and stock-out date.';

grant select on app.inventory_variant_state to authenticated;
grant select, insert, update, delete on app.inventory_variant_state to service_role;

create table app.inventory_state_totals (
    shop_id uuid not null,
    variants integer not null default 0,
    stocked_out integer not null default 0,
    below_reorder_point integer not null default 0,
    urgent integer not null default 0,
    lost_revenue_per_day numeric(16,2) not null default 0,
    units_on_order bigint not null default 0,
    stock_value numeric(16,2) not null default 0,
    units bigint not null default 0,
    costed_units bigint not null default 0,
    units_ordered_30 bigint not null default 0,
    units_left bigint not null default 0,
    overstock_variants integer not null default 0,
    overstock_units bigint not null default 0,
    overstock_value numeric(16,2) not null default 0,
    dead_stock_variants integer not null default 0,
    dead_stock_units bigint not null default 0,
    dead_stock_value numeric(16,2) not null default 0,
    constraint pk_inventory_state_totals primary key (shop_id),
    constraint fk_inventory_state_totals_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.inventory_state_totals enable row level security;

comment on table app.inventory_state_totals is 'The sums of app.inventory_variant_state for each shop, kept with it (what leaves a row is taken off, what enters is added): the tile''s summary, stock value, sell-through, overstock and dead stock without reading every variant.';
comment on column app.inventory_state_totals.shop_id is 'The shop.';
comment on column app.inventory_state_totals.variants is 'Tracked variants.';
comment on column app.inventory_state_totals.stocked_out is 'Variants with available <= 0.';
comment on column app.inventory_state_totals.below_reorder_point is 'Variants that need a reorder.';
comment on column app.inventory_state_totals.urgent is 'Of them, out before their next receipt.';
comment on column app.inventory_state_totals.lost_revenue_per_day is 'Sum of lost revenue per day.';
comment on column app.inventory_state_totals.units_on_order is 'Units on order.';
comment on column app.inventory_state_totals.stock_value is 'Sum of max(available, 0) times unit cost.';
comment on column app.inventory_state_totals.units is 'Sum of max(available, 0).';
comment on column app.inventory_state_totals.costed_units is 'Of them, units with a known cost.';
comment on column app.inventory_state_totals.units_ordered_30 is 'Units ordered over 30 days (sell-through).';
comment on column app.inventory_state_totals.units_left is 'Sum of max(close the day before, 0) (sell-through).';
comment on column app.inventory_state_totals.overstock_variants is 'Variants with excess units.';
comment on column app.inventory_state_totals.overstock_units is 'Excess units.';
comment on column app.inventory_state_totals.overstock_value is 'Their value at cost.';
comment on column app.inventory_state_totals.dead_stock_variants is 'Dead-stock variants.';
comment on column app.inventory_state_totals.dead_stock_units is 'Their units.';
comment on column app.inventory_state_totals.dead_stock_value is 'Their value at cost.';

grant select on app.inventory_state_totals to authenticated;
grant select, insert, update, delete on app.inventory_state_totals to service_role;

create table app.inventory_state_cover (
    shop_id uuid not null,
    bucket text not null,
    variants integer not null default 0,
    stock_value numeric(16,2) not null default 0,
    constraint pk_inventory_state_cover primary key (shop_id, bucket),
    constraint fk_inventory_state_cover_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.inventory_state_cover enable row level security;

comment on table app.inventory_state_cover is 'The days-of-cover distribution of app.inventory_variant_state per shop, kept with it.';
comment on column app.inventory_state_cover.shop_id is 'The shop.';
comment on column app.inventory_state_cover.bucket is 'stocked_out, 0-7, 7-14, 14-30, 30-60, 60-90, 90+ or no_sales.';
comment on column app.inventory_state_cover.variants is 'Variants in it.';
comment on column app.inventory_state_cover.stock_value is 'Their stock at cost.';

grant select on app.inventory_state_cover to authenticated;
grant select, insert, update, delete on app.inventory_state_cover to service_role;

select private.enable_row_audit('app.inventory_settings');

select private.enable_row_audit('app.inventory_supplier');

select private.enable_row_audit('app.inventory_variant_supplier');

select private.enable_row_audit('app.inventory_receipt');
