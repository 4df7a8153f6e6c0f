set local lock_timeout = '5s';

-- app.shopify_customer is rebuilt with first_order_date in its old place (a column added
-- back would land last, and the schema would differ from the one before the migration)
alter table app.shopify_customer_pii
    drop constraint fk_shopify_customer_pii_customer_id_shopify_customer;

alter table app.shopify_customer rename to shopify_customer_before_rollback;

alter table app.shopify_customer_before_rollback
    rename constraint pk_shopify_customer to pk_shopify_customer_before_rollback;

alter table app.shopify_customer_before_rollback
    rename constraint fk_shopify_customer_shop_id_shop to fk_shopify_customer_before_rollback_shop_id;

create table app.shopify_customer (
    shop_id uuid not null,
    customer_id bigint not null,
    created_at timestamptz,
    updated_at timestamptz not null,
    state text,
    tags text,
    first_order_date date,
    redacted_at timestamptz,
    constraint pk_shopify_customer primary key (shop_id, customer_id),
    constraint fk_shopify_customer_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.shopify_customer enable row level security;

comment on table app.shopify_customer is 'Shopify customers without personal data (that is in app.shopify_customer_pii).';
comment on column app.shopify_customer.shop_id is 'The shop.';
comment on column app.shopify_customer.customer_id is 'Shopify customer id.';
comment on column app.shopify_customer.created_at is 'When the customer was created in Shopify.';
comment on column app.shopify_customer.updated_at is 'Shopify''s updated_at of the version stored (older versions are ignored).';
comment on column app.shopify_customer.state is 'Account state (disabled, invited, enabled, declined).';
comment on column app.shopify_customer.tags is 'Shopify tags, comma separated.';
comment on column app.shopify_customer.first_order_date is 'Shop-local day of the customer''s first counted order (test and deleted orders excluded): new vs returning customers.';
comment on column app.shopify_customer.redacted_at is 'When customers/redact removed the personal data.';

grant select on app.shopify_customer to authenticated;

grant select, insert, update, delete on app.shopify_customer to service_role;

insert into app.shopify_customer (shop_id, customer_id, created_at, updated_at, state, tags,
    first_order_date, redacted_at)
select c.shop_id, c.customer_id, c.created_at, c.updated_at, c.state, c.tags,
    f.first_order_date, c.redacted_at
from app.shopify_customer_before_rollback as c
    left join app.sales_customer_first_order as f
        on f.shop_id = c.shop_id
        and f.customer_id = c.customer_id;

drop table app.shopify_customer_before_rollback;

create policy "members can read their shops' shopify customer rows"
    on app.shopify_customer
    for select
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids())));

alter table app.shopify_customer_pii
    add constraint fk_shopify_customer_pii_customer_id_shopify_customer
        foreign key (shop_id, customer_id)
        references app.shopify_customer (shop_id, customer_id) on delete cascade;

create index index_shopify_customer_on_shop_id_first_order_date
    on app.shopify_customer (shop_id, first_order_date);

drop table app.sales_customer_first_order;

alter table app.sales_product_daily
    drop column cost_of_goods,
    drop column costed_net_sales;

alter table app.sales_hourly
    drop column cost_of_goods,
    drop column costed_net_sales;

alter table app.sales_daily
    drop column cost_of_goods,
    drop column costed_net_sales;

alter table app.shopify_order_line drop column unit_cost;
