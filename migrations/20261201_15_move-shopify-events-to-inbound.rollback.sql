set local lock_timeout = '5s';

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

insert into app.shopify_event (shop_id, shopify_event_id, source, topic, webhook_id, event_id,
    triggered_at, api_version, hmac_verified, payload, status, deliveries, received_at,
    last_received_at)
overriding system value
select e.shop_id, e.event_id, e.delivery, e.topic, e.delivery_id, e.external_id,
    e.triggered_at, e.api_version, e.signature_verified,
    coalesce(p.body, pg_catalog.to_jsonb(p.body_text), '{}'::jsonb),
    case when e.status = 'received' then 'recorded' else e.status end,
    e.deliveries, e.received_at, e.last_received_at
from app.inbound_event as e
    left join app.inbound_payload as p
        on p.shop_id = e.shop_id
        and p.event_id = e.event_id
        and p.received_at = e.received_at
where e.source = 'shopify'
order by e.shop_id, e.event_id;

insert into app.shopify_dead_letter (shop_id, dead_letter_id, shopify_event_id, topic,
    error_code, error_message, error_field, payload, failed_at, replayed_at, replay_error)
overriding system value
select d.shop_id, d.dead_letter_id, d.event_id, d.topic, d.error_code, d.error_message,
    d.error_field, s.payload, d.failed_at, d.replayed_at, d.replay_error
from app.inbound_dead_letter as d
    join app.shopify_event as s
        on s.shop_id = d.shop_id
        and s.shopify_event_id = d.event_id
where d.source = 'shopify'
order by d.shop_id, d.dead_letter_id;

select pg_catalog.setval(pg_catalog.pg_get_serial_sequence('app.shopify_event', 'shopify_event_id'),
    greatest(coalesce((select pg_catalog.max(e.shopify_event_id) from app.shopify_event as e), 0), 1),
    exists (select from app.shopify_event));

select pg_catalog.setval(pg_catalog.pg_get_serial_sequence('app.shopify_dead_letter', 'dead_letter_id'),
    greatest(coalesce((select pg_catalog.max(d.dead_letter_id) from app.shopify_dead_letter as d), 0), 1),
    exists (select from app.shopify_dead_letter));

delete from app.inbound_event as e
where e.source = 'shopify';
