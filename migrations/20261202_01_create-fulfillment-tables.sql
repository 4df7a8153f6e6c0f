-- Fulfillment Flow's stores: fulfillments, their lines, personal data and tracking events, and the shop's shipping calendar and carriers.
-- depends: 20261201_36_schedule-inventory-watch
--
-- Shopify's fulfillments (one per parcel: an order may have several, each from one
-- location) go to app.shopify_fulfillment with the quantities of each order line they
-- carry; the buyer's email and destination address they carry are personal data and go to
-- app.shopify_fulfillment_pii, which customers/redact and shop/redact delete. Tracking
-- events go to app.shopify_fulfillment_event, in any order: an event may arrive before its
-- fulfillment and waits there for it. The shop's shipping calendar (app.fulfillment_settings,
-- app.shop_holiday) says when it ships and what it promises; app.carrier_alias maps the
-- free-text tracking company to a carrier key and app.carrier_service_sla gives each
-- carrier service's business-day transit promise; both start from the defaults in
-- private.carrier_alias_default and private.carrier_service_sla_default.
-- app.shopify_order gains shipping_title, the title of its first shipping line (the
-- carrier service the buyer chose).
-- New tables and a new nullable column. Rollback drops them.

set local lock_timeout = '5s';

alter table app.shopify_order add column shipping_title text;

comment on column app.shopify_order.shipping_title is 'The title of its first shipping line: the carrier service the buyer chose (UPS Ground), which sets the delivery promise when the carrier gives no estimate.';

create table app.shopify_fulfillment (
    shop_id uuid not null,
    fulfillment_id bigint not null,
    order_id bigint not null,
    location_id bigint,
    name text,
    status text,
    shipment_status text,
    service text,
    tracking_company text,
    tracking_number text,
    tracking_url text,
    created_at timestamptz,
    updated_at timestamptz not null,
    constraint pk_shopify_fulfillment primary key (shop_id, fulfillment_id),
    constraint fk_shopify_fulfillment_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

create index index_shopify_fulfillment_order on app.shopify_fulfillment (shop_id, order_id);

alter table app.shopify_fulfillment enable row level security;

comment on table app.shopify_fulfillment is 'Shopify fulfillments: a parcel of an order shipped from one location, with its tracking (the newest version by updated_at).';
comment on column app.shopify_fulfillment.shop_id is 'The shop.';
comment on column app.shopify_fulfillment.fulfillment_id is 'Shopify fulfillment id.';
comment on column app.shopify_fulfillment.order_id is 'The order it ships (the order may arrive later).';
comment on column app.shopify_fulfillment.location_id is 'The location it ships from.';
comment on column app.shopify_fulfillment.name is 'Its name, the order''s name and a sequence: #1001.1.';
comment on column app.shopify_fulfillment.status is 'pending, open, success, cancelled, error or failure: only success (or a null status) counts as shipped.';
comment on column app.shopify_fulfillment.shipment_status is 'The carrier''s latest status as Shopify last sent it (label_printed ... delivered, failure); null before any tracking.';
comment on column app.shopify_fulfillment.service is 'The fulfillment service handle (manual, or an app''s).';
comment on column app.shopify_fulfillment.tracking_company is 'The carrier as the merchant typed it (UPS, ups, United Parcel Service, Other): app.carrier_alias maps it to a carrier key.';
comment on column app.shopify_fulfillment.tracking_number is 'The first tracking number.';
comment on column app.shopify_fulfillment.tracking_url is 'The first tracking URL.';
comment on column app.shopify_fulfillment.created_at is 'When it was created: when the parcel shipped.';
comment on column app.shopify_fulfillment.updated_at is 'The version: older or equal versions are ignored.';

grant select on app.shopify_fulfillment to authenticated;
grant select, insert, update, delete on app.shopify_fulfillment to service_role;

create table app.shopify_fulfillment_line (
    shop_id uuid not null,
    fulfillment_id bigint not null,
    line_item_id bigint not null,
    quantity integer not null,
    constraint pk_shopify_fulfillment_line primary key (shop_id, fulfillment_id, line_item_id),
    constraint fk_shopify_fulfillment_line_fulfillment_id_shopify_fulfillment
        foreign key (shop_id, fulfillment_id)
        references app.shopify_fulfillment (shop_id, fulfillment_id) on delete cascade
);

create index index_shopify_fulfillment_line_line on app.shopify_fulfillment_line (shop_id, line_item_id);

alter table app.shopify_fulfillment_line enable row level security;

comment on table app.shopify_fulfillment_line is 'The order lines a fulfillment ships, and how many units of each (the latest version of the fulfillment replaces them).';
comment on column app.shopify_fulfillment_line.shop_id is 'The shop.';
comment on column app.shopify_fulfillment_line.fulfillment_id is 'The fulfillment.';
comment on column app.shopify_fulfillment_line.line_item_id is 'The order line (app.shopify_order_line).';
comment on column app.shopify_fulfillment_line.quantity is 'Units of the line in this parcel.';

grant select on app.shopify_fulfillment_line to authenticated;
grant select, insert, update, delete on app.shopify_fulfillment_line to service_role;

create table app.shopify_fulfillment_pii (
    shop_id uuid not null,
    fulfillment_id bigint not null,
    email text,
    destination jsonb,
    constraint pk_shopify_fulfillment_pii primary key (shop_id, fulfillment_id),
    constraint fk_shopify_fulfillment_pii_fulfillment_id_shopify_fulfillment
        foreign key (shop_id, fulfillment_id)
        references app.shopify_fulfillment (shop_id, fulfillment_id) on delete cascade
);

alter table app.shopify_fulfillment_pii enable row level security;

comment on table app.shopify_fulfillment_pii is 'Fulfillments'' personal data (the buyer''s email, the destination name, address and phone), kept apart so customers/redact and shop/redact can delete it and leave the numbers.';
comment on column app.shopify_fulfillment_pii.shop_id is 'The shop.';
comment on column app.shopify_fulfillment_pii.fulfillment_id is 'The fulfillment.';
comment on column app.shopify_fulfillment_pii.email is 'The buyer''s email.';
comment on column app.shopify_fulfillment_pii.destination is 'The destination address as Shopify sent it.';

grant select on app.shopify_fulfillment_pii to authenticated;
grant select, insert, update, delete on app.shopify_fulfillment_pii to service_role;

create table app.shopify_fulfillment_event (
    shop_id uuid not null,
    event_id bigint not null,
    fulfillment_id bigint not null,
    order_id bigint,
    status text not null,
    message text,
    happened_at timestamptz not null,
    estimated_delivery_at timestamptz,
    city text,
    province text,
    country text,
    created_at timestamptz,
    updated_at timestamptz not null,
    deleted_at timestamptz,
    constraint pk_shopify_fulfillment_event primary key (shop_id, event_id),
    constraint fk_shopify_fulfillment_event_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade
);

create index index_shopify_fulfillment_event_fulfillment
    on app.shopify_fulfillment_event (shop_id, fulfillment_id, happened_at, event_id);

alter table app.shopify_fulfillment_event enable row level security;

comment on table app.shopify_fulfillment_event is 'Carriers'' tracking events of fulfillments, in any arrival order; one that arrives before its fulfillment waits here and counts once it lands. A deleted event is kept, marked.';
comment on column app.shopify_fulfillment_event.shop_id is 'The shop.';
comment on column app.shopify_fulfillment_event.event_id is 'Shopify fulfillment event id.';
comment on column app.shopify_fulfillment_event.fulfillment_id is 'The fulfillment (no foreign key: it may not have arrived yet).';
comment on column app.shopify_fulfillment_event.order_id is 'The order.';
comment on column app.shopify_fulfillment_event.status is 'label_printed, label_purchased, confirmed, in_transit, out_for_delivery, delivered, attempted_delivery, delayed, failure, ... (text: the list grows with API versions).';
comment on column app.shopify_fulfillment_event.message is 'The carrier''s message.';
comment on column app.shopify_fulfillment_event.happened_at is 'When it happened (events are ordered by it, then by id).';
comment on column app.shopify_fulfillment_event.estimated_delivery_at is 'The carrier''s estimated delivery as of this event; the first one seen is the frozen promise.';
comment on column app.shopify_fulfillment_event.city is 'Where it happened: the carrier facility''s city.';
comment on column app.shopify_fulfillment_event.province is 'Its province or state.';
comment on column app.shopify_fulfillment_event.country is 'Its country.';
comment on column app.shopify_fulfillment_event.created_at is 'When Shopify recorded it.';
comment on column app.shopify_fulfillment_event.updated_at is 'The version: older or equal versions are ignored.';
comment on column app.shopify_fulfillment_event.deleted_at is 'When fulfillment_events/delete removed it (it no longer counts).';

grant select on app.shopify_fulfillment_event to authenticated;
grant select, insert, update, delete on app.shopify_fulfillment_event to service_role;

create table app.fulfillment_settings (
    shop_id uuid not null,
    handling_days integer not null default 1,
    cutoff time not null default '14:00',
    opens time not null default '08:00',
    closes time not null default '17:00',
    weekdays integer[] not null default '{1,2,3,4,5}',
    stale_tracking_days integer not null default 3,
    updated_by uuid,
    updated_at timestamptz not null default now(),
    constraint pk_fulfillment_settings primary key (shop_id),
    constraint fk_fulfillment_settings_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_fulfillment_settings_values check (
        handling_days between 0 and 30
        and opens < closes
        and cutoff between opens and closes
        and cardinality(weekdays) between 1 and 7
        and weekdays <@ '{1,2,3,4,5,6,7}'
        and stale_tracking_days between 1 and 30)
);

alter table app.fulfillment_settings enable row level security;

comment on table app.fulfillment_settings is 'A shop''s shipping calendar and handling promise, when not the defaults (owners and managers set it with api.set_fulfillment_settings).';
comment on column app.fulfillment_settings.shop_id is 'The shop.';
comment on column app.fulfillment_settings.handling_days is 'The handling promise: ship within this many business days of the order''s start day (1 by default; 0: the same day).';
comment on column app.fulfillment_settings.cutoff is 'Orders after this local time (or on a non-business day) start the next business day (14:00 by default).';
comment on column app.fulfillment_settings.opens is 'Business hours start, local time (08:00 by default).';
comment on column app.fulfillment_settings.closes is 'Business hours end, local time (17:00 by default).';
comment on column app.fulfillment_settings.weekdays is 'Business weekdays, ISO numbering (1 Monday ... 7 Sunday; Monday to Friday by default).';
comment on column app.fulfillment_settings.stale_tracking_days is 'A parcel in transit with no tracking event for this many days is delayed (3 by default).';
comment on column app.fulfillment_settings.updated_by is 'Who last changed them.';
comment on column app.fulfillment_settings.updated_at is 'When.';

grant select on app.fulfillment_settings to authenticated;
grant insert, update, delete on app.fulfillment_settings to authenticated;
grant select, insert, update, delete on app.fulfillment_settings to service_role;

create table app.shop_holiday (
    shop_id uuid not null,
    day date not null,
    name text not null,
    updated_by uuid,
    updated_at timestamptz not null default now(),
    constraint pk_shop_holiday primary key (shop_id, day),
    constraint fk_shop_holiday_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_shop_holiday_name check (length(name) between 1 and 100)
);

alter table app.shop_holiday enable row level security;

comment on table app.shop_holiday is 'Days a shop does not ship (local dates), on top of its non-business weekdays.';
comment on column app.shop_holiday.shop_id is 'The shop.';
comment on column app.shop_holiday.day is 'The local date.';
comment on column app.shop_holiday.name is 'What it is (Thanksgiving).';
comment on column app.shop_holiday.updated_by is 'Who set it.';
comment on column app.shop_holiday.updated_at is 'When.';

grant select on app.shop_holiday to authenticated;
grant insert, update, delete on app.shop_holiday to authenticated;
grant select, insert, update, delete on app.shop_holiday to service_role;

create table private.carrier_alias_default (
    alias text not null,
    carrier_key text not null,
    constraint pk_carrier_alias_default primary key (alias),
    constraint check_carrier_alias_default_alias check (alias ~ '^[a-z0-9]+$'),
    constraint check_carrier_alias_default_key check (carrier_key ~ '^[a-z0-9_]{1,40}$')
);

alter table private.carrier_alias_default enable row level security;

comment on table private.carrier_alias_default is 'The carrier keys of tracking company names every shop starts with; the alias is the name lowercased with everything but letters and digits removed (United Parcel Service: unitedparcelservice).';
comment on column private.carrier_alias_default.alias is 'The normalised name.';
comment on column private.carrier_alias_default.carrier_key is 'The carrier key (ups, usps, fedex, dhl, other).';

insert into private.carrier_alias_default (alias, carrier_key)
values
    ('ups', 'ups'), ('unitedparcelservice', 'ups'), ('upsground', 'ups'), ('upsmailinnovations', 'ups'),
    ('usps', 'usps'), ('uspostalservice', 'usps'), ('unitedstatespostalservice', 'usps'),
    ('uspostal', 'usps'), ('usmail', 'usps'),
    ('fedex', 'fedex'), ('federalexpress', 'fedex'), ('fedexground', 'fedex'),
    ('dhl', 'dhl'), ('dhlexpress', 'dhl'), ('dhlecommerce', 'dhl'),
    ('other', 'other');

grant select on private.carrier_alias_default to service_role;

create table app.carrier_alias (
    shop_id uuid not null,
    alias text not null,
    carrier_key text not null,
    updated_by uuid,
    updated_at timestamptz not null default now(),
    constraint pk_carrier_alias primary key (shop_id, alias),
    constraint fk_carrier_alias_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_carrier_alias_alias check (alias ~ '^[a-z0-9]{1,100}$'),
    constraint check_carrier_alias_key check (carrier_key ~ '^[a-z0-9_]{1,40}$')
);

alter table app.carrier_alias enable row level security;

comment on table app.carrier_alias is 'A shop''s own carrier keys of tracking company names, over the defaults (owners and managers add them with api.set_carrier_alias).';
comment on column app.carrier_alias.shop_id is 'The shop.';
comment on column app.carrier_alias.alias is 'The normalised name (lowercase letters and digits only).';
comment on column app.carrier_alias.carrier_key is 'The carrier key it means.';
comment on column app.carrier_alias.updated_by is 'Who set it.';
comment on column app.carrier_alias.updated_at is 'When.';

grant select on app.carrier_alias to authenticated;
grant insert, update, delete on app.carrier_alias to authenticated;
grant select, insert, update, delete on app.carrier_alias to service_role;

create table private.carrier_service_sla_default (
    carrier_key text not null,
    service text not null,
    business_days integer not null,
    constraint pk_carrier_service_sla_default primary key (carrier_key, service),
    constraint check_carrier_service_sla_default_days check (business_days between 0 and 60)
);

alter table private.carrier_service_sla_default enable row level security;

comment on table private.carrier_service_sla_default is 'The business-day transit promise of carrier services every shop starts with; the service is the order''s shipping line title, lowercased (a service of '''' is the carrier''s default).';
comment on column private.carrier_service_sla_default.carrier_key is 'The carrier key.';
comment on column private.carrier_service_sla_default.service is 'The service: the shipping line title lowercased, or '''' for any other.';
comment on column private.carrier_service_sla_default.business_days is 'Business days from the ship day to the promised delivery day.';

insert into private.carrier_service_sla_default (carrier_key, service, business_days)
values
    ('ups', '', 5), ('ups', 'ups ground', 5), ('ups', 'ups 3 day select', 3),
    ('ups', 'ups 2nd day air', 2), ('ups', 'ups next day air', 1),
    ('usps', '', 5), ('usps', 'usps ground advantage', 5), ('usps', 'usps priority mail', 3),
    ('usps', 'usps priority mail express', 2),
    ('fedex', '', 5), ('fedex', 'fedex home delivery', 5), ('fedex', 'fedex ground', 5),
    ('fedex', 'fedex 2day', 2), ('fedex', 'fedex standard overnight', 1),
    ('dhl', '', 5);

grant select on private.carrier_service_sla_default to service_role;

create table app.carrier_service_sla (
    shop_id uuid not null,
    carrier_key text not null,
    service text not null,
    business_days integer not null,
    updated_by uuid,
    updated_at timestamptz not null default now(),
    constraint pk_carrier_service_sla primary key (shop_id, carrier_key, service),
    constraint fk_carrier_service_sla_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_carrier_service_sla_days check (business_days between 0 and 60),
    constraint check_carrier_service_sla_service check (service = lower(service) and length(service) <= 200)
);

alter table app.carrier_service_sla enable row level security;

comment on table app.carrier_service_sla is 'A shop''s own business-day transit promises of carrier services, over the defaults (owners and managers set them with api.set_carrier_service_sla).';
comment on column app.carrier_service_sla.shop_id is 'The shop.';
comment on column app.carrier_service_sla.carrier_key is 'The carrier key.';
comment on column app.carrier_service_sla.service is 'The service: the shipping line title lowercased, or '''' for the carrier''s default.';
comment on column app.carrier_service_sla.business_days is 'Business days from the ship day to the promised delivery day.';
comment on column app.carrier_service_sla.updated_by is 'Who set it.';
comment on column app.carrier_service_sla.updated_at is 'When.';

grant select on app.carrier_service_sla to authenticated;
grant insert, update, delete on app.carrier_service_sla to authenticated;
grant select, insert, update, delete on app.carrier_service_sla to service_role;
