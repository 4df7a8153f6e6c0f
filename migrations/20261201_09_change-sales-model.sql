-- Sales model: line unit costs, gross profit in the rollups, and first orders owned by sales.
-- depends: 20261201_08_compile-shopify-extraction
--
-- Gross profit needs the cost of the units sold: an order line keeps the unit cost its
-- variant had when the line was first stored (for live webhooks, the cost when sold), and
-- the rollups add the cost of goods and the net sales of lines with a known cost.
-- A customer's first counted order day moves from app.shopify_customer to
-- app.sales_customer_first_order, maintained by the sales rollups from the orders alone:
-- a buyer whose customer record never arrived (or arrived without timestamps, as
-- Shopify's samples send it) is still new on their first order. Locks: each ALTER takes a brief ACCESS EXCLUSIVE lock
-- (new nullable or constant-default columns rewrite nothing); lock_timeout bounds the wait.
-- Rollback restores first_order_date from the new table and drops what this adds.
-- folder-content: mixed, because the rollback rebuilds app.shopify_customer to put the
-- column back in its place, and a rebuilt table needs its read policy again.

set local lock_timeout = '5s';

alter table app.shopify_order_line add column unit_cost numeric(14, 2);

comment on column app.shopify_order_line.unit_cost is 'The variant''s unit cost when the line was first stored (its inventory item''s cost): the cost of goods of the units sold; null when not known then.';

alter table app.sales_daily
    add column costed_net_sales numeric(14, 2) not null default 0,
    add column cost_of_goods numeric(14, 2) not null default 0;

comment on column app.sales_daily.costed_net_sales is 'Net sales of the lines with a known unit cost (gross less discounts on the order''s day, less their returns on the refund''s day).';
comment on column app.sales_daily.cost_of_goods is 'Units times unit cost on the order''s day, less refunded units times unit cost on the refund''s day (lines with a known cost).';

alter table app.sales_hourly
    add column costed_net_sales numeric(14, 2) not null default 0,
    add column cost_of_goods numeric(14, 2) not null default 0;

comment on column app.sales_hourly.costed_net_sales is 'Net sales of the lines with a known unit cost (gross less discounts on the order''s day, less their returns on the refund''s day).';
comment on column app.sales_hourly.cost_of_goods is 'Units times unit cost on the order''s day, less refunded units times unit cost on the refund''s day (lines with a known cost).';

alter table app.sales_product_daily
    add column costed_net_sales numeric(14, 2) not null default 0,
    add column cost_of_goods numeric(14, 2) not null default 0;

comment on column app.sales_product_daily.costed_net_sales is 'Net sales of the lines with a known unit cost (gross less discounts on the order''s day, less their returns on the refund''s day).';
comment on column app.sales_product_daily.cost_of_goods is 'Units times unit cost on the order''s day, less refunded units times unit cost on the refund''s day (lines with a known cost).';

create table app.sales_customer_first_order (
    shop_id uuid not null,
    customer_id bigint not null,
    first_order_date date not null,
    constraint pk_sales_customer_first_order primary key (shop_id, customer_id),
    constraint fk_sales_customer_first_order_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.sales_customer_first_order enable row level security;

comment on table app.sales_customer_first_order is 'Each buyer''s first counted order day (test and deleted orders excluded), from the orders alone: new and returning customers. Maintained with the sales rollups.';
comment on column app.sales_customer_first_order.shop_id is 'The shop.';
comment on column app.sales_customer_first_order.customer_id is 'The Shopify customer id on the orders (guests have none and count in neither).';
comment on column app.sales_customer_first_order.first_order_date is 'Shop-local day of their first counted order.';

create index index_sales_customer_first_order_on_shop_id_first_order_date
    on app.sales_customer_first_order (shop_id, first_order_date);

grant select on app.sales_customer_first_order to authenticated;

grant select, insert, update, delete on app.sales_customer_first_order to service_role;

insert into app.sales_customer_first_order (shop_id, customer_id, first_order_date)
select o.shop_id, o.customer_id, pg_catalog.min(o.local_date)
from app.shopify_order as o
where o.customer_id is not null
    and not o.is_test
group by o.shop_id, o.customer_id;

-- its values are in app.sales_customer_first_order now (above), and app is never exposed;
-- its index goes with it
-- squawk-ignore ban-drop-column
alter table app.shopify_customer drop column first_order_date;
