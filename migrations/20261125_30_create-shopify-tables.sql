-- Shopify data: raw deliveries, dead letters, and the normalised store model.
-- depends: 20261125_26_schedule-audit-jobs
--
-- Every payload lands raw in app.shopify_event before it is applied; a payload that
-- cannot be applied lands in app.shopify_dead_letter with the reason, for replay.
-- Ids are Shopify's numeric ids (bigint); every key starts with shop_id.
-- Money is numeric in the shop's currency (shop_money); local_date/local_hour are the
-- order's or refund's time in the shop's IANA time zone, fixed at ingestion.
-- Customers' personal data lives apart in app.shopify_customer_pii, so it can be redacted.

create table app.shopify_event (
    shop_id uuid not null,
    shopify_event_id bigint generated always as identity,
    source text not null,
    topic text not null,
    webhook_id text,
    event_id text,
    triggered_at timestamptz,
    api_version text,
    hmac_verified boolean,
    payload jsonb not null,
    status text not null,
    deliveries integer not null default 1,
    received_at timestamptz not null default now(),
    last_received_at timestamptz not null default now(),
    constraint pk_shopify_event primary key (shop_id, shopify_event_id),
    constraint fk_shopify_event_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint unique_shopify_event_event_id unique (shop_id, event_id),
    constraint check_shopify_event_source check (source in ('webhook', 'backfill', 'replay')),
    constraint check_shopify_event_status
        check (status in ('applied', 'stale', 'dead_lettered', 'recorded'))
);

alter table app.shopify_event enable row level security;

comment on table app.shopify_event is 'Every Shopify payload as it arrived (webhook, backfill or replay), kept raw for replay and audit. A redelivery of the same event id only bumps deliveries.';
comment on column app.shopify_event.shop_id is 'The shop the payload belongs to (from X-Shopify-Shop-Domain).';
comment on column app.shopify_event.shopify_event_id is 'Our sequence number of the payload within storepulse.';
comment on column app.shopify_event.source is 'webhook, backfill (Admin API resources) or replay (a dead letter re-applied).';
comment on column app.shopify_event.topic is 'Webhook topic (X-Shopify-Topic), or backfill/<kind> for backfilled resources.';
comment on column app.shopify_event.webhook_id is 'X-Shopify-Webhook-Id.';
comment on column app.shopify_event.event_id is 'X-Shopify-Event-Id: the same value on two deliveries means a duplicate.';
comment on column app.shopify_event.triggered_at is 'X-Shopify-Triggered-At: when Shopify raised the event (retries keep it).';
comment on column app.shopify_event.api_version is 'X-Shopify-API-Version the payload was serialised with.';
comment on column app.shopify_event.hmac_verified is 'True when the raw body''s HMAC matched the shop''s webhook secret; null when no HMAC was given.';
comment on column app.shopify_event.payload is 'The payload as received (personal data removed on redaction).';
comment on column app.shopify_event.status is 'applied, stale (older than the stored state), dead_lettered, or recorded (compliance topics).';
comment on column app.shopify_event.deliveries is 'How many times this event id was delivered.';
comment on column app.shopify_event.received_at is 'When the payload first arrived.';
comment on column app.shopify_event.last_received_at is 'When the payload last arrived (duplicates bump it).';

-- lz4 compresses the raw payloads several times faster than the default pglz, where the
-- server is built with it (Debian's and Supabase's are; some PyPI builds are not)
do $$
begin
    if exists (
        select
        from pg_catalog.pg_settings as s
        where s.name = 'default_toast_compression'
            and 'lz4' = any (s.enumvals)
    ) then
        alter table app.shopify_event alter column payload set compression lz4;
    end if;
end
$$;

create index index_shopify_event_on_shop_id_received_at
    on app.shopify_event (shop_id, received_at);

grant select on app.shopify_event to authenticated;

grant select, insert, update, delete on app.shopify_event to service_role;

create table app.shopify_dead_letter (
    shop_id uuid not null,
    dead_letter_id bigint generated always as identity,
    shopify_event_id bigint not null,
    topic text not null,
    error_code text not null,
    error_message text not null,
    error_field text,
    payload jsonb not null,
    failed_at timestamptz not null default now(),
    replayed_at timestamptz,
    replay_error text,
    constraint pk_shopify_dead_letter primary key (shop_id, dead_letter_id),
    constraint fk_shopify_dead_letter_shopify_event_id_shopify_event
        foreign key (shop_id, shopify_event_id)
        references app.shopify_event (shop_id, shopify_event_id) on delete cascade
);

alter table app.shopify_dead_letter enable row level security;

comment on table app.shopify_dead_letter is 'Payloads that could not be applied, with the reason; api.replay_shopify_dead_letters re-applies them after a fix.';
comment on column app.shopify_dead_letter.shop_id is 'The shop.';
comment on column app.shopify_dead_letter.dead_letter_id is 'Identifier of the dead letter.';
comment on column app.shopify_dead_letter.shopify_event_id is 'The raw payload in app.shopify_event.';
comment on column app.shopify_dead_letter.topic is 'Topic of the payload.';
comment on column app.shopify_dead_letter.error_code is 'SQLSTATE of the refusal.';
comment on column app.shopify_dead_letter.error_message is 'Why the payload was refused.';
comment on column app.shopify_dead_letter.error_field is 'The payload field at fault (a JSON path), when known.';
comment on column app.shopify_dead_letter.payload is 'The payload, as received.';
comment on column app.shopify_dead_letter.failed_at is 'When it was refused.';
comment on column app.shopify_dead_letter.replayed_at is 'When a replay applied it; null while it waits.';
comment on column app.shopify_dead_letter.replay_error is 'Why the last replay failed too.';

create index index_shopify_dead_letter_on_shop_id_shopify_event_id
    on app.shopify_dead_letter (shop_id, shopify_event_id);

grant select on app.shopify_dead_letter to authenticated;

grant select, insert, update, delete on app.shopify_dead_letter to service_role;

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

create index index_shopify_customer_on_shop_id_first_order_date
    on app.shopify_customer (shop_id, first_order_date);

grant select on app.shopify_customer to authenticated;

grant select, insert, update, delete on app.shopify_customer to service_role;

create table app.shopify_customer_pii (
    shop_id uuid not null,
    customer_id bigint not null,
    email text,
    first_name text,
    last_name text,
    phone text,
    default_address jsonb,
    updated_at timestamptz not null,
    constraint pk_shopify_customer_pii primary key (shop_id, customer_id),
    constraint fk_shopify_customer_pii_customer_id_shopify_customer
        foreign key (shop_id, customer_id)
        references app.shopify_customer (shop_id, customer_id) on delete cascade
);

alter table app.shopify_customer_pii enable row level security;

comment on table app.shopify_customer_pii is 'Customers'' personal data, kept apart so customers/redact and shop/redact can delete it and leave the numbers.';
comment on column app.shopify_customer_pii.shop_id is 'The shop.';
comment on column app.shopify_customer_pii.customer_id is 'Shopify customer id.';
comment on column app.shopify_customer_pii.email is 'Email address.';
comment on column app.shopify_customer_pii.first_name is 'First name.';
comment on column app.shopify_customer_pii.last_name is 'Last name.';
comment on column app.shopify_customer_pii.phone is 'Phone number.';
comment on column app.shopify_customer_pii.default_address is 'The customer''s default address as Shopify sent it.';
comment on column app.shopify_customer_pii.updated_at is 'Shopify''s updated_at of the version stored.';

grant select on app.shopify_customer_pii to authenticated;

grant select, insert, update, delete on app.shopify_customer_pii to service_role;

create table app.shopify_product (
    shop_id uuid not null,
    product_id bigint not null,
    title text,
    handle text,
    product_type text,
    vendor text,
    status text,
    tags text,
    created_at timestamptz,
    updated_at timestamptz not null,
    deleted_at timestamptz,
    constraint pk_shopify_product primary key (shop_id, product_id),
    constraint fk_shopify_product_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.shopify_product enable row level security;

comment on table app.shopify_product is 'Shopify products, latest version. Deletion is sticky: a products/delete that arrives before the product leaves a row that later versions fill in but never undelete.';
comment on column app.shopify_product.shop_id is 'The shop.';
comment on column app.shopify_product.product_id is 'Shopify product id.';
comment on column app.shopify_product.title is 'Product title.';
comment on column app.shopify_product.handle is 'URL handle (/products/<handle>), the key SEO pages join on.';
comment on column app.shopify_product.product_type is 'Shopify product type.';
comment on column app.shopify_product.vendor is 'Vendor.';
comment on column app.shopify_product.status is 'active, archived or draft.';
comment on column app.shopify_product.tags is 'Shopify tags, comma separated.';
comment on column app.shopify_product.created_at is 'When the product was created in Shopify.';
comment on column app.shopify_product.updated_at is 'Shopify''s updated_at of the version stored.';
comment on column app.shopify_product.deleted_at is 'When products/delete arrived.';

grant select on app.shopify_product to authenticated;

grant select, insert, update, delete on app.shopify_product to service_role;

create table app.shopify_variant (
    shop_id uuid not null,
    variant_id bigint not null,
    product_id bigint not null,
    sku text,
    title text,
    price numeric(14, 2) not null,
    compare_at_price numeric(14, 2),
    inventory_item_id bigint,
    updated_at timestamptz not null,
    constraint pk_shopify_variant primary key (shop_id, variant_id),
    constraint fk_shopify_variant_product_id_shopify_product foreign key (shop_id, product_id)
        references app.shopify_product (shop_id, product_id) on delete cascade
);

alter table app.shopify_variant enable row level security;

comment on table app.shopify_variant is 'Variants of Shopify products, with price; unit cost comes from their inventory item.';
comment on column app.shopify_variant.shop_id is 'The shop.';
comment on column app.shopify_variant.variant_id is 'Shopify variant id.';
comment on column app.shopify_variant.product_id is 'The product.';
comment on column app.shopify_variant.sku is 'Stock keeping unit.';
comment on column app.shopify_variant.title is 'Variant title.';
comment on column app.shopify_variant.price is 'Price in the shop''s currency.';
comment on column app.shopify_variant.compare_at_price is 'Compare-at price, when on sale.';
comment on column app.shopify_variant.inventory_item_id is 'Shopify inventory item id, which carries the unit cost.';
comment on column app.shopify_variant.updated_at is 'Shopify''s updated_at of the product version stored.';

create index index_shopify_variant_on_shop_id_product_id
    on app.shopify_variant (shop_id, product_id);

create index index_shopify_variant_on_shop_id_inventory_item_id
    on app.shopify_variant (shop_id, inventory_item_id);

grant select on app.shopify_variant to authenticated;

grant select, insert, update, delete on app.shopify_variant to service_role;

create table app.shopify_inventory_item (
    shop_id uuid not null,
    inventory_item_id bigint not null,
    sku text,
    unit_cost numeric(14, 2),
    is_tracked boolean,
    updated_at timestamptz not null,
    constraint pk_shopify_inventory_item primary key (shop_id, inventory_item_id),
    constraint fk_shopify_inventory_item_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.shopify_inventory_item enable row level security;

comment on table app.shopify_inventory_item is 'Shopify inventory items: the unit cost of each variant.';
comment on column app.shopify_inventory_item.shop_id is 'The shop.';
comment on column app.shopify_inventory_item.inventory_item_id is 'Shopify inventory item id.';
comment on column app.shopify_inventory_item.sku is 'Stock keeping unit.';
comment on column app.shopify_inventory_item.unit_cost is 'Unit cost in the shop''s currency.';
comment on column app.shopify_inventory_item.is_tracked is 'Whether Shopify tracks its stock.';
comment on column app.shopify_inventory_item.updated_at is 'Shopify''s updated_at of the version stored.';

grant select on app.shopify_inventory_item to authenticated;

grant select, insert, update, delete on app.shopify_inventory_item to service_role;

create table app.shopify_order (
    shop_id uuid not null,
    order_id bigint not null,
    name text,
    created_at timestamptz not null,
    processed_at timestamptz,
    updated_at timestamptz not null,
    cancelled_at timestamptz,
    cancel_reason text,
    is_test boolean not null,
    financial_status text,
    fulfillment_status text,
    currency char(3),
    subtotal_price numeric(14, 2),
    total_discounts numeric(14, 2) not null,
    total_tax numeric(14, 2) not null,
    total_shipping numeric(14, 2) not null,
    total_price numeric(14, 2),
    customer_id bigint,
    source_name text,
    landing_site text,
    referring_site text,
    tags text,
    local_date date not null,
    local_hour smallint not null,
    constraint pk_shopify_order primary key (shop_id, order_id),
    constraint fk_shopify_order_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_shopify_order_local_hour check (local_hour between 0 and 23)
);

alter table app.shopify_order enable row level security;

comment on table app.shopify_order is 'Shopify orders, latest version. Test orders are kept but never counted; deleted orders are removed and leave a tombstone in app.shopify_order_deletion.';
comment on column app.shopify_order.shop_id is 'The shop.';
comment on column app.shopify_order.order_id is 'Shopify order id.';
comment on column app.shopify_order.name is 'Order name shown to people, e.g. #1001.';
comment on column app.shopify_order.created_at is 'When the order was placed: the day it counts on.';
comment on column app.shopify_order.processed_at is 'When Shopify processed the order (differs for imported orders).';
comment on column app.shopify_order.updated_at is 'Shopify''s updated_at of the version stored; older deliveries are ignored.';
comment on column app.shopify_order.cancelled_at is 'When the order was cancelled.';
comment on column app.shopify_order.cancel_reason is 'Why: customer, fraud, inventory, declined or other.';
comment on column app.shopify_order.is_test is 'Shopify''s test flag: test orders are excluded from every figure.';
comment on column app.shopify_order.financial_status is 'pending, authorized, paid, partially_paid, refunded, partially_refunded, voided, ...';
comment on column app.shopify_order.fulfillment_status is 'null, partial or fulfilled.';
comment on column app.shopify_order.currency is 'The shop currency the money columns are in.';
comment on column app.shopify_order.subtotal_price is 'Line items after discounts, before shipping and tax.';
comment on column app.shopify_order.total_discounts is 'Total discounts on the order.';
comment on column app.shopify_order.total_tax is 'Total tax charged.';
comment on column app.shopify_order.total_shipping is 'Shipping charged (total_shipping_price_set.shop_money).';
comment on column app.shopify_order.total_price is 'What the customer paid, all in.';
comment on column app.shopify_order.customer_id is 'The customer, or null for a guest checkout.';
comment on column app.shopify_order.source_name is 'Sales channel (web, pos, ...).';
comment on column app.shopify_order.landing_site is 'Landing page of the session that ordered.';
comment on column app.shopify_order.referring_site is 'Referrer of that session.';
comment on column app.shopify_order.tags is 'Shopify tags, comma separated.';
comment on column app.shopify_order.local_date is 'created_at''s date in the shop''s time zone.';
comment on column app.shopify_order.local_hour is 'created_at''s hour (0-23) in the shop''s time zone.';

create index index_shopify_order_on_shop_id_local_date
    on app.shopify_order (shop_id, local_date) include (customer_id, is_test);

create index index_shopify_order_on_shop_id_customer_id_created_at
    on app.shopify_order (shop_id, customer_id, created_at);

grant select on app.shopify_order to authenticated;

grant select, insert, update, delete on app.shopify_order to service_role;

create table app.shopify_order_deletion (
    shop_id uuid not null,
    order_id bigint not null,
    deleted_at timestamptz not null,
    constraint pk_shopify_order_deletion primary key (shop_id, order_id),
    constraint fk_shopify_order_deletion_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.shopify_order_deletion enable row level security;

comment on table app.shopify_order_deletion is 'Tombstones of deleted orders: their rows are gone, and any later (or late) version of them is ignored.';
comment on column app.shopify_order_deletion.shop_id is 'The shop.';
comment on column app.shopify_order_deletion.order_id is 'The deleted Shopify order id.';
comment on column app.shopify_order_deletion.deleted_at is 'When orders/delete was triggered.';

grant select on app.shopify_order_deletion to authenticated;

grant select, insert, update, delete on app.shopify_order_deletion to service_role;

create table app.shopify_order_line (
    shop_id uuid not null,
    order_id bigint not null,
    line_item_id bigint not null,
    product_id bigint,
    variant_id bigint,
    sku text,
    title text,
    variant_title text,
    quantity integer not null,
    price numeric(14, 2) not null,
    discount numeric(14, 2) not null,
    tax numeric(14, 2) not null,
    is_gift_card boolean not null,
    requires_shipping boolean,
    constraint pk_shopify_order_line primary key (shop_id, order_id, line_item_id),
    constraint fk_shopify_order_line_order_id_shopify_order foreign key (shop_id, order_id)
        references app.shopify_order (shop_id, order_id) on delete cascade
);

alter table app.shopify_order_line enable row level security;

comment on table app.shopify_order_line is 'Line items of the latest version of each order (order edits replace them).';
comment on column app.shopify_order_line.shop_id is 'The shop.';
comment on column app.shopify_order_line.order_id is 'The order.';
comment on column app.shopify_order_line.line_item_id is 'Shopify line item id.';
comment on column app.shopify_order_line.product_id is 'The product, null for custom items.';
comment on column app.shopify_order_line.variant_id is 'The variant, null for custom items.';
comment on column app.shopify_order_line.sku is 'Stock keeping unit.';
comment on column app.shopify_order_line.title is 'Product title at the time of the order.';
comment on column app.shopify_order_line.variant_title is 'Variant title at the time of the order.';
comment on column app.shopify_order_line.quantity is 'Units ordered.';
comment on column app.shopify_order_line.price is 'Unit price before discounts.';
comment on column app.shopify_order_line.discount is 'Sum of the line''s discount allocations.';
comment on column app.shopify_order_line.tax is 'Sum of the line''s tax lines.';
comment on column app.shopify_order_line.is_gift_card is 'Gift cards are not sales: they are excluded from gross sales.';
comment on column app.shopify_order_line.requires_shipping is 'Whether the item ships.';

grant select on app.shopify_order_line to authenticated;

grant select, insert, update, delete on app.shopify_order_line to service_role;

create table app.shopify_order_discount_code (
    shop_id uuid not null,
    order_id bigint not null,
    code text not null,
    amount numeric(14, 2) not null,
    discount_type text,
    constraint pk_shopify_order_discount_code primary key (shop_id, order_id, code),
    constraint fk_shopify_order_discount_code_order_id_shopify_order
        foreign key (shop_id, order_id)
        references app.shopify_order (shop_id, order_id) on delete cascade
);

alter table app.shopify_order_discount_code enable row level security;

comment on table app.shopify_order_discount_code is 'Discount codes applied to orders.';
comment on column app.shopify_order_discount_code.shop_id is 'The shop.';
comment on column app.shopify_order_discount_code.order_id is 'The order.';
comment on column app.shopify_order_discount_code.code is 'The code the customer entered.';
comment on column app.shopify_order_discount_code.amount is 'Amount the code took off.';
comment on column app.shopify_order_discount_code.discount_type is 'fixed_amount, percentage or shipping.';

grant select on app.shopify_order_discount_code to authenticated;

grant select, insert, update, delete on app.shopify_order_discount_code to service_role;

create table app.shopify_refund (
    shop_id uuid not null,
    refund_id bigint not null,
    order_id bigint not null,
    created_at timestamptz not null,
    processed_at timestamptz,
    note text,
    local_date date not null,
    local_hour smallint not null,
    constraint pk_shopify_refund primary key (shop_id, refund_id),
    constraint check_shopify_refund_local_hour check (local_hour between 0 and 23)
);

alter table app.shopify_refund enable row level security;

comment on table app.shopify_refund is 'Refunds. No foreign key to the order: a refund may arrive before its order, and counts once the order is known.';
comment on column app.shopify_refund.shop_id is 'The shop.';
comment on column app.shopify_refund.refund_id is 'Shopify refund id.';
comment on column app.shopify_refund.order_id is 'The refunded order.';
comment on column app.shopify_refund.created_at is 'When the refund was made: the day its returns count on.';
comment on column app.shopify_refund.processed_at is 'When Shopify processed it.';
comment on column app.shopify_refund.note is 'Staff note.';
comment on column app.shopify_refund.local_date is 'created_at''s date in the shop''s time zone.';
comment on column app.shopify_refund.local_hour is 'created_at''s hour (0-23) in the shop''s time zone.';

create index index_shopify_refund_on_shop_id_order_id on app.shopify_refund (shop_id, order_id);

grant select on app.shopify_refund to authenticated;

grant select, insert, update, delete on app.shopify_refund to service_role;

create table app.shopify_refund_line (
    shop_id uuid not null,
    refund_id bigint not null,
    refund_line_id bigint not null,
    order_id bigint not null,
    line_item_id bigint not null,
    quantity integer not null,
    restock_type text,
    subtotal numeric(14, 2) not null,
    total_tax numeric(14, 2) not null,
    constraint pk_shopify_refund_line primary key (shop_id, refund_id, refund_line_id),
    constraint fk_shopify_refund_line_refund_id_shopify_refund foreign key (shop_id, refund_id)
        references app.shopify_refund (shop_id, refund_id) on delete cascade
);

alter table app.shopify_refund_line enable row level security;

comment on table app.shopify_refund_line is 'Refunded line items: their subtotal is the returns figure, on the refund''s day.';
comment on column app.shopify_refund_line.shop_id is 'The shop.';
comment on column app.shopify_refund_line.refund_id is 'The refund.';
comment on column app.shopify_refund_line.refund_line_id is 'Shopify refund line item id.';
comment on column app.shopify_refund_line.order_id is 'The order.';
comment on column app.shopify_refund_line.line_item_id is 'The refunded line item.';
comment on column app.shopify_refund_line.quantity is 'Units refunded.';
comment on column app.shopify_refund_line.restock_type is 'cancel, return, no_restock or legacy_restock.';
comment on column app.shopify_refund_line.subtotal is 'Refunded amount before tax.';
comment on column app.shopify_refund_line.total_tax is 'Refunded tax.';

grant select on app.shopify_refund_line to authenticated;

grant select, insert, update, delete on app.shopify_refund_line to service_role;

create table app.shopify_order_adjustment (
    shop_id uuid not null,
    refund_id bigint not null,
    adjustment_id bigint not null,
    order_id bigint not null,
    kind text not null,
    amount numeric(14, 2) not null,
    tax_amount numeric(14, 2) not null,
    reason text,
    constraint pk_shopify_order_adjustment primary key (shop_id, refund_id, adjustment_id),
    constraint fk_shopify_order_adjustment_refund_id_shopify_refund
        foreign key (shop_id, refund_id)
        references app.shopify_refund (shop_id, refund_id) on delete cascade
);

alter table app.shopify_order_adjustment enable row level security;

comment on table app.shopify_order_adjustment is 'Order adjustments of refunds: shipping refunds and refund discrepancies.';
comment on column app.shopify_order_adjustment.shop_id is 'The shop.';
comment on column app.shopify_order_adjustment.refund_id is 'The refund.';
comment on column app.shopify_order_adjustment.adjustment_id is 'Shopify order adjustment id.';
comment on column app.shopify_order_adjustment.order_id is 'The order.';
comment on column app.shopify_order_adjustment.kind is 'shipping_refund or refund_discrepancy.';
comment on column app.shopify_order_adjustment.amount is 'Amount as Shopify sends it (negative for money back).';
comment on column app.shopify_order_adjustment.tax_amount is 'Tax part, as Shopify sends it.';
comment on column app.shopify_order_adjustment.reason is 'Why the adjustment was made.';

grant select on app.shopify_order_adjustment to authenticated;

grant select, insert, update, delete on app.shopify_order_adjustment to service_role;

create table app.shopify_transaction (
    shop_id uuid not null,
    transaction_id bigint not null,
    order_id bigint not null,
    refund_id bigint,
    kind text not null,
    status text,
    gateway text,
    amount numeric(14, 2) not null,
    processed_at timestamptz,
    is_test boolean not null default false,
    constraint pk_shopify_transaction primary key (shop_id, transaction_id),
    constraint fk_shopify_transaction_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table app.shopify_transaction enable row level security;

comment on table app.shopify_transaction is 'Payment transactions that came with refunds (money actually sent back).';
comment on column app.shopify_transaction.shop_id is 'The shop.';
comment on column app.shopify_transaction.transaction_id is 'Shopify transaction id.';
comment on column app.shopify_transaction.order_id is 'The order.';
comment on column app.shopify_transaction.refund_id is 'The refund it belongs to, if any.';
comment on column app.shopify_transaction.kind is 'authorization, capture, sale, void, refund or change.';
comment on column app.shopify_transaction.status is 'pending, failure, success or error.';
comment on column app.shopify_transaction.gateway is 'Payment gateway.';
comment on column app.shopify_transaction.amount is 'Amount in the shop''s currency.';
comment on column app.shopify_transaction.processed_at is 'When it was processed.';
comment on column app.shopify_transaction.is_test is 'Test transaction.';

grant select on app.shopify_transaction to authenticated;

grant select, insert, update, delete on app.shopify_transaction to service_role;

create table private.shopify_webhook_secret (
    shop_id uuid not null,
    secret text not null,
    updated_at timestamptz not null default now(),
    constraint pk_shopify_webhook_secret primary key (shop_id),
    constraint fk_shopify_webhook_secret_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

alter table private.shopify_webhook_secret enable row level security;

comment on table private.shopify_webhook_secret is 'Each shop''s Shopify app secret for webhook HMACs. No API role may read it.';
comment on column private.shopify_webhook_secret.shop_id is 'The shop.';
comment on column private.shopify_webhook_secret.secret is 'The app''s client secret Shopify signs webhooks with.';
comment on column private.shopify_webhook_secret.updated_at is 'When it was last set.';

-- service_role sets it through api.set_shopify_webhook_secret (security invoker).
grant select, insert, update on private.shopify_webhook_secret to service_role;
