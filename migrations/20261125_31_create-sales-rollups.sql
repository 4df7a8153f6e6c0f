-- Sales Pulse rollups: daily, hourly and per product, per shop.
-- depends: 20261125_30_create-shopify-tables
--
-- Maintained incrementally by the ingestion functions (subtract an order's old
-- contribution, add its new one), so a tile reflects a webhook at once. Money in the
-- shop's currency; days and hours in the shop's time zone. Definitions: README.md.

create table app.sales_daily (
    shop_id uuid not null,
    day date not null,
    orders integer not null default 0,
    units integer not null default 0,
    gross_sales numeric(14, 2) not null default 0,
    discounts numeric(14, 2) not null default 0,
    returns numeric(14, 2) not null default 0,
    shipping numeric(14, 2) not null default 0,
    taxes numeric(14, 2) not null default 0,
    cancelled_orders integer not null default 0,
    refunded_units integer not null default 0,
    constraint pk_sales_daily primary key (shop_id, day),
    constraint fk_sales_daily_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.sales_daily enable row level security;

comment on table app.sales_daily is 'Sales Pulse daily rollup per shop and local day, maintained incrementally at ingestion; private.rebuild_sales_rollups recomputes it from scratch with the same result.';
comment on column app.sales_daily.shop_id is 'The shop.';
comment on column app.sales_daily.day is 'The shop-local day.';
comment on column app.sales_daily.orders is 'Counted orders placed (test and deleted orders never count; cancelled ones do).';
comment on column app.sales_daily.units is 'Units ordered, gift cards excluded.';
comment on column app.sales_daily.gross_sales is 'Units times unit price, before discounts; gift cards and voided orders excluded. On the order''s day.';
comment on column app.sales_daily.discounts is 'Line discounts of those sales, on the order''s day.';
comment on column app.sales_daily.returns is 'Refunded line subtotals less refund discrepancies, on the refund''s day.';
comment on column app.sales_daily.shipping is 'Shipping charged on the order''s day, less shipping refunded on the refund''s day.';
comment on column app.sales_daily.taxes is 'Tax charged on the order''s day, less tax refunded on the refund''s day.';
comment on column app.sales_daily.cancelled_orders is 'Counted orders placed that day and cancelled since.';
comment on column app.sales_daily.refunded_units is 'Units refunded, on the refund''s day.';

grant select on app.sales_daily to authenticated;

grant select, insert, update, delete on app.sales_daily to service_role;

create table app.sales_hourly (
    shop_id uuid not null,
    day date not null,
    hour smallint not null,
    orders integer not null default 0,
    units integer not null default 0,
    gross_sales numeric(14, 2) not null default 0,
    discounts numeric(14, 2) not null default 0,
    returns numeric(14, 2) not null default 0,
    shipping numeric(14, 2) not null default 0,
    taxes numeric(14, 2) not null default 0,
    cancelled_orders integer not null default 0,
    refunded_units integer not null default 0,
    constraint pk_sales_hourly primary key (shop_id, day, hour),
    constraint fk_sales_hourly_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.sales_hourly enable row level security;

comment on table app.sales_hourly is 'Sales Pulse hourly rollup per shop, local day and hour (for today so far against the same weekday last week).';
comment on column app.sales_hourly.shop_id is 'The shop.';
comment on column app.sales_hourly.day is 'The shop-local day.';
comment on column app.sales_hourly.hour is 'The shop-local hour, 0-23.';
comment on column app.sales_hourly.orders is 'Counted orders placed (test and deleted orders never count; cancelled ones do).';
comment on column app.sales_hourly.units is 'Units ordered, gift cards excluded.';
comment on column app.sales_hourly.gross_sales is 'Units times unit price, before discounts; gift cards and voided orders excluded. On the order''s day.';
comment on column app.sales_hourly.discounts is 'Line discounts of those sales, on the order''s day.';
comment on column app.sales_hourly.returns is 'Refunded line subtotals less refund discrepancies, on the refund''s day.';
comment on column app.sales_hourly.shipping is 'Shipping charged on the order''s day, less shipping refunded on the refund''s day.';
comment on column app.sales_hourly.taxes is 'Tax charged on the order''s day, less tax refunded on the refund''s day.';
comment on column app.sales_hourly.cancelled_orders is 'Counted orders placed that day and cancelled since.';
comment on column app.sales_hourly.refunded_units is 'Units refunded, on the refund''s day.';

grant select on app.sales_hourly to authenticated;

grant select, insert, update, delete on app.sales_hourly to service_role;

create table app.sales_product_daily (
    shop_id uuid not null,
    day date not null,
    product_id bigint not null,
    units integer not null default 0,
    gross_sales numeric(14, 2) not null default 0,
    discounts numeric(14, 2) not null default 0,
    returns numeric(14, 2) not null default 0,
    refunded_units integer not null default 0,
    constraint pk_sales_product_daily primary key (shop_id, day, product_id),
    constraint fk_sales_product_daily_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.sales_product_daily enable row level security;

comment on table app.sales_product_daily is 'Sales Pulse daily rollup per product (top products by net sales).';
comment on column app.sales_product_daily.shop_id is 'The shop.';
comment on column app.sales_product_daily.day is 'The shop-local day.';
comment on column app.sales_product_daily.product_id is 'Shopify product id; 0 for custom items without a product.';
comment on column app.sales_product_daily.units is 'Units ordered, gift cards excluded.';
comment on column app.sales_product_daily.gross_sales is 'Units times unit price, before discounts; gift cards and voided orders excluded. On the order''s day.';
comment on column app.sales_product_daily.discounts is 'Line discounts of those sales, on the order''s day.';
comment on column app.sales_product_daily.returns is 'Refunded line subtotals less refund discrepancies, on the refund''s day.';
comment on column app.sales_product_daily.refunded_units is 'Units refunded, on the refund''s day.';

grant select on app.sales_product_daily to authenticated;

grant select, insert, update, delete on app.sales_product_daily to service_role;
