-- Fulfillment Flow's kept state: each order line's handling clock and each parcel's promise, delivery and latest tracking.
-- depends: 20261202_05_create-business-calendar
--
-- app.fulfillment_line holds every order line there is to ship (of an order neither
-- cancelled nor a test, requiring shipping, with units left after units cancelled before
-- shipping): its units, the units shipped, when the last of them shipped, the handling
-- clock's start and due days, the business hours to ship and whether it shipped on time.
-- app.fulfillment_shipment holds every parcel that shipped (a fulfillment of status success
-- or none): its carrier key, service, promise (the first carrier estimate, frozen, else the
-- service's business-day promise), delivery, latest status and exceptions. Both are kept by
-- the change feed from the orders and fulfillments (and events) they derive from, by one
-- definition each that the rebuild uses too (functions in the next migration).
-- New tables. Rollback drops them.

create table app.fulfillment_line (
    shop_id uuid not null,
    order_id bigint not null,
    line_item_id bigint not null,
    units integer not null,
    shipped_units integer not null,
    ordered_at timestamptz not null,
    start_day date not null,
    due_day date not null,
    shipped_at timestamptz,
    ship_day date,
    ship_hours numeric(10, 4),
    on_time boolean,
    constraint pk_fulfillment_line primary key (shop_id, order_id, line_item_id),
    constraint fk_fulfillment_line_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

create index index_fulfillment_line_ship_day on app.fulfillment_line (shop_id, ship_day)
    include (ship_hours, on_time);

create index index_fulfillment_line_unshipped on app.fulfillment_line (shop_id, due_day)
    where shipped_at is null;

alter table app.fulfillment_line enable row level security;

comment on table app.fulfillment_line is 'Every order line there is to ship, with its handling clock (kept by the change feed from orders and fulfillments).';
comment on column app.fulfillment_line.shop_id is 'The shop.';
comment on column app.fulfillment_line.order_id is 'The order.';
comment on column app.fulfillment_line.line_item_id is 'The line.';
comment on column app.fulfillment_line.units is 'Units to ship: ordered less those cancelled before shipping (refund lines with restock_type cancel).';
comment on column app.fulfillment_line.shipped_units is 'Units in parcels that shipped.';
comment on column app.fulfillment_line.ordered_at is 'When the order was placed (processed_at, else created_at): the handling clock''s start.';
comment on column app.fulfillment_line.start_day is 'The local day the handling clock starts (private.handling_start_day).';
comment on column app.fulfillment_line.due_day is 'The handling promise: start_day plus the shop''s handling days, in business days.';
comment on column app.fulfillment_line.shipped_at is 'When the parcel that completed its units was created; null while units are left.';
comment on column app.fulfillment_line.ship_day is 'The local day of shipped_at.';
comment on column app.fulfillment_line.ship_hours is 'Business hours from ordered_at to shipped_at.';
comment on column app.fulfillment_line.on_time is 'Whether ship_day was on or before due_day.';

grant select on app.fulfillment_line to authenticated;
grant select, insert, update, delete on app.fulfillment_line to service_role;

create table app.fulfillment_shipment (
    shop_id uuid not null,
    fulfillment_id bigint not null,
    order_id bigint not null,
    order_name text,
    ordered_at timestamptz,
    location_id bigint,
    carrier_key text,
    tracking_company text,
    tracking_number text,
    tracking_url text,
    service text,
    shipped_at timestamptz not null,
    ship_day date not null,
    units integer not null,
    first_eta timestamptz,
    promise_day date,
    promise_source text,
    delivered_at timestamptz,
    delivered_day date,
    on_time boolean,
    latest_status text,
    latest_status_at timestamptz,
    last_event_at timestamptz,
    has_failure boolean not null,
    has_exception boolean not null,
    constraint pk_fulfillment_shipment primary key (shop_id, fulfillment_id),
    constraint fk_fulfillment_shipment_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_fulfillment_shipment_promise_source
        check (promise_source in ('carrier_estimate', 'service_promise'))
);

create index index_fulfillment_shipment_ship_day on app.fulfillment_shipment (shop_id, ship_day);

create index index_fulfillment_shipment_delivered_day
    on app.fulfillment_shipment (shop_id, delivered_day);

create index index_fulfillment_shipment_in_transit on app.fulfillment_shipment (shop_id, ship_day)
    where delivered_at is null;

create index index_fulfillment_shipment_order on app.fulfillment_shipment (shop_id, order_id);

alter table app.fulfillment_shipment enable row level security;

comment on table app.fulfillment_shipment is 'Every parcel that shipped, with its carrier, promise, delivery and latest tracking (kept by the change feed from fulfillments, their events and orders).';
comment on column app.fulfillment_shipment.shop_id is 'The shop.';
comment on column app.fulfillment_shipment.fulfillment_id is 'The fulfillment.';
comment on column app.fulfillment_shipment.order_id is 'Its order.';
comment on column app.fulfillment_shipment.order_name is 'The order''s name (#1001), when the order is known.';
comment on column app.fulfillment_shipment.ordered_at is 'When the order was placed, when known (for click-to-door).';
comment on column app.fulfillment_shipment.location_id is 'The location it shipped from.';
comment on column app.fulfillment_shipment.carrier_key is 'The carrier key of its tracking company (private.carrier_key); null: unmapped or none.';
comment on column app.fulfillment_shipment.tracking_company is 'The tracking company as typed.';
comment on column app.fulfillment_shipment.tracking_number is 'Its tracking number; null: untracked.';
comment on column app.fulfillment_shipment.tracking_url is 'Its tracking link.';
comment on column app.fulfillment_shipment.service is 'The carrier service the buyer chose: the order''s shipping title, lowercased.';
comment on column app.fulfillment_shipment.shipped_at is 'When it shipped (the fulfillment''s created_at).';
comment on column app.fulfillment_shipment.ship_day is 'The local day it shipped.';
comment on column app.fulfillment_shipment.units is 'Units in the parcel.';
comment on column app.fulfillment_shipment.first_eta is 'The first carrier estimate among its events (by happened_at, then id), frozen: carriers revise them.';
comment on column app.fulfillment_shipment.promise_day is 'The delivery promise, a local date: first_eta''s, else ship_day plus the service''s business-day promise; null when neither exists.';
comment on column app.fulfillment_shipment.promise_source is 'carrier_estimate or service_promise.';
comment on column app.fulfillment_shipment.delivered_at is 'The first delivered event''s happened_at.';
comment on column app.fulfillment_shipment.delivered_day is 'Its local day.';
comment on column app.fulfillment_shipment.on_time is 'Delivered on or before promise_day (null until delivered, or without a promise).';
comment on column app.fulfillment_shipment.latest_status is 'The latest event''s status (by happened_at, then id).';
comment on column app.fulfillment_shipment.latest_status_at is 'When it happened.';
comment on column app.fulfillment_shipment.last_event_at is 'The latest event''s happened_at; null without events.';
comment on column app.fulfillment_shipment.has_failure is 'Whether any event was a failure.';
comment on column app.fulfillment_shipment.has_exception is 'Whether any event was an attempted_delivery, delayed or failure.';

grant select on app.fulfillment_shipment to authenticated;
grant select, insert, update, delete on app.fulfillment_shipment to service_role;
