-- Move Shopify's deliveries and dead letters into the inbound store, and drop Shopify's own stores.
-- depends: 20261201_14_replace-shopify-ingest-api
--
-- Every row of app.shopify_event becomes an app.inbound_event (same id, source shopify,
-- X-Shopify-Event-Id as external id, the webhook id as delivery id) with its body in
-- app.inbound_payload; every app.shopify_dead_letter becomes an app.inbound_dead_letter
-- (same id) whose body is its event's, and whose message has any quoted value masked.
-- The subject and person of each event are read from its topic's paths. Both identity
-- sequences continue after the moved ids. The rollback recreates the Shopify stores as
-- they were and moves the Shopify rows back (a body jsonb could not hold comes back as a
-- JSON string, one compacted by retention as {}, a received event as recorded).
-- Runs in one transaction; the Shopify tables are locked for its duration.

set local lock_timeout = '5s';

lock table app.shopify_event, app.shopify_dead_letter in exclusive mode;

insert into app.inbound_event (shop_id, event_id, source, topic, delivery, external_id,
    delivery_id, triggered_at, api_version, signature_verified, status, subject_id,
    person_id, deliveries, received_at, last_received_at, payload_bytes)
overriding system value
select e.shop_id, e.shopify_event_id, 'shopify', e.topic,
    case when e.source = 'backfill' then 'backfill' else 'webhook' end,
    e.event_id, e.webhook_id, e.triggered_at, e.api_version, e.hmac_verified, e.status,
    pg_catalog.left(pg_catalog.jsonb_path_query_first(e.payload, t.subject_path) #>> '{}', 200),
    pg_catalog.left(pg_catalog.jsonb_path_query_first(e.payload, t.person_path) #>> '{}', 200),
    e.deliveries, e.received_at, e.last_received_at, pg_catalog.pg_column_size(e.payload)
from app.shopify_event as e
    left join private.inbound_topic as t
        on t.source = 'shopify'
        and t.topic = e.topic
order by e.shop_id, e.shopify_event_id;

insert into app.inbound_payload (shop_id, event_id, received_at, body)
select e.shop_id, e.shopify_event_id, e.received_at, e.payload
from app.shopify_event as e;

insert into app.inbound_dead_letter (shop_id, dead_letter_id, event_id, source, topic,
    error_code, error_message, error_field, failed_at, replayed_at, replay_error)
overriding system value
select d.shop_id, d.dead_letter_id, d.shopify_event_id, 'shopify', d.topic, d.error_code,
    private.safe_error_message(d.error_message), d.error_field, d.failed_at, d.replayed_at,
    private.safe_error_message(d.replay_error)
from app.shopify_dead_letter as d
order by d.shop_id, d.dead_letter_id;

select pg_catalog.setval('app.inbound_event_event_id_seq',
    greatest(coalesce((select pg_catalog.max(e.event_id) from app.inbound_event as e), 0), 1),
    exists (select from app.inbound_event));

select pg_catalog.setval('app.inbound_dead_letter_dead_letter_id_seq',
    greatest(coalesce((select pg_catalog.max(d.dead_letter_id) from app.inbound_dead_letter as d), 0), 1),
    exists (select from app.inbound_dead_letter));

-- every row has moved (above): no client reads these tables (app is never exposed)
-- squawk-ignore ban-drop-table
drop table app.shopify_dead_letter;

-- squawk-ignore ban-drop-table
drop table app.shopify_event;
