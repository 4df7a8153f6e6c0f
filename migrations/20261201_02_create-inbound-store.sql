-- The inbound store: every delivery of every source, its raw body, and its dead letters.
-- depends: 20261201_01_create-inbound-registry
--
-- app.inbound_event holds one row per delivery (webhook, backfilled resource, pulled
-- report), written once per outcome: received (landed, not applied: no applier for the
-- topic yet), applied, stale (older than the stored state), recorded (stored, nothing
-- to apply: compliance topics, an orders/edited body) or dead_lettered. A duplicate
-- (the same source and external id) only bumps deliveries.
-- app.inbound_payload holds the raw bodies, apart from the event rows, partitioned by the
-- month they arrived in: retention drops a body after the shop's replay window (the
-- event row keeps a hash of it), and a month whose bodies are all past their window is
-- dropped whole, which gives the disk back at once. Bodies that must stay (legal hold,
-- an open dead letter, a longer window) move to the default partition first.
-- app.inbound_dead_letter holds why a delivery could not be applied; its body is the
-- event's, kept until the letter is replayed or discarded.
-- Rollback drops the tables (empty until the Shopify events move in, which a later
-- migration does and undoes).

create table app.inbound_event (
    shop_id uuid not null,
    event_id bigint generated always as identity,
    source text not null,
    topic text not null,
    delivery text not null,
    external_id text,
    delivery_id text,
    triggered_at timestamptz,
    api_version text,
    signature_verified boolean,
    status text not null,
    subject_id text,
    person_id text,
    deliveries integer not null default 1,
    received_at timestamptz not null default now(),
    last_received_at timestamptz not null default now(),
    payload_bytes integer,
    payload_sha256 bytea,
    compacted_at timestamptz,
    constraint pk_inbound_event primary key (shop_id, event_id),
    constraint fk_inbound_event_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint fk_inbound_event_source_inbound_source foreign key (source)
        references private.inbound_source (source),
    constraint check_inbound_event_delivery_known
        check (delivery in ('webhook', 'backfill', 'pull')),
    constraint check_inbound_event_status_known
        check (status in ('received', 'applied', 'stale', 'recorded', 'dead_lettered')),
    -- a compacted event has lost its body and kept its hash
    constraint check_inbound_event_compacted_keeps_hash
        check (compacted_at is null or payload_sha256 is not null)
);

alter table app.inbound_event enable row level security;

comment on table app.inbound_event is 'Every delivery from every source, one row per delivery, written once per outcome; the body is in app.inbound_payload until retention compacts it.';
comment on column app.inbound_event.shop_id is 'The shop the delivery belongs to.';
comment on column app.inbound_event.event_id is 'Our sequence number of the delivery.';
comment on column app.inbound_event.source is 'shopify, chatwoot, ga4 or search_console (private.inbound_source).';
comment on column app.inbound_event.topic is 'The source''s topic (orders/create), backfill/<kind> for backfilled resources, or the pulled report.';
comment on column app.inbound_event.delivery is 'webhook (pushed by the source), backfill (a resource from the source''s API) or pull (a report we asked for).';
comment on column app.inbound_event.external_id is 'The source''s id of the event (X-Shopify-Event-Id, else the webhook id): a second delivery with the same one is a duplicate.';
comment on column app.inbound_event.delivery_id is 'The source''s id of this delivery attempt (X-Shopify-Webhook-Id).';
comment on column app.inbound_event.triggered_at is 'When the source raised the event (X-Shopify-Triggered-At; retries keep it).';
comment on column app.inbound_event.api_version is 'The source API version the body was serialised with.';
comment on column app.inbound_event.signature_verified is 'True when the body''s signature (Shopify''s HMAC) matched the shop''s secret; null when none was given.';
comment on column app.inbound_event.status is 'received (landed, not applied), applied, stale (older than the stored state), recorded (nothing to apply) or dead_lettered.';
comment on column app.inbound_event.subject_id is 'The key of the resource the payload is about, as the source names it (the order of an order or refund): for replay and redaction.';
comment on column app.inbound_event.person_id is 'The person the payload identifies (a Shopify customer id): redaction finds every copy of their data by it.';
comment on column app.inbound_event.deliveries is 'How many times this event was delivered.';
comment on column app.inbound_event.received_at is 'When it first arrived: its replay window counts from here.';
comment on column app.inbound_event.last_received_at is 'When it last arrived (duplicates bump it).';
comment on column app.inbound_event.payload_bytes is 'Size of the body as stored, in bytes.';
comment on column app.inbound_event.payload_sha256 is 'SHA-256 of the body (its JSON text), kept when retention drops the body.';
comment on column app.inbound_event.compacted_at is 'When retention dropped the body; null while it is kept.';

create unique index unique_inbound_event_source_external_id
    on app.inbound_event (shop_id, source, external_id)
    where external_id is not null;

create index index_inbound_event_on_shop_id_source_received_at
    on app.inbound_event (shop_id, source, received_at);

-- retention's work list: the events whose body is still kept (compacted ones leave it)
create index index_inbound_event_uncompacted_on_shop_id_received_at
    on app.inbound_event (shop_id, received_at)
    where compacted_at is null;

create index index_inbound_event_on_shop_id_person_id
    on app.inbound_event (shop_id, person_id)
    where person_id is not null;

grant select on app.inbound_event to authenticated;

grant select, insert, update, delete on app.inbound_event to service_role;

-- the backfill numbers a page's events before writing them with their bodies
grant usage on sequence app.inbound_event_event_id_seq to service_role;

create table app.inbound_payload (
    shop_id uuid not null,
    event_id bigint not null,
    received_at timestamptz not null,
    body jsonb,
    body_text text,
    constraint pk_inbound_payload primary key (shop_id, event_id, received_at),
    constraint fk_inbound_payload_event_id_inbound_event foreign key (shop_id, event_id)
        references app.inbound_event (shop_id, event_id) on delete cascade,
    -- the body as jsonb, or as text when jsonb cannot hold it (a \u0000, too deep, not JSON)
    constraint check_inbound_payload_one_body check (num_nonnulls(body, body_text) = 1)
) partition by range (received_at);

alter table app.inbound_payload enable row level security;

comment on table app.inbound_payload is 'The raw body of each delivery, partitioned by the UTC month it arrived in; kept for the shop''s replay window (retention), then dropped.';
comment on column app.inbound_payload.shop_id is 'The shop.';
comment on column app.inbound_payload.event_id is 'The delivery (app.inbound_event).';
comment on column app.inbound_payload.received_at is 'When the delivery arrived (the event''s received_at): the partition key.';
comment on column app.inbound_payload.body is 'The body as received (personal data removed on redaction).';
comment on column app.inbound_payload.body_text is 'The body as text, only when jsonb refused it; such a delivery is always dead-lettered.';

-- lz4 compresses the bodies several times faster than the default pglz, where the server
-- is built with it (Debian's and Supabase's are; some PyPI builds are not). Partitions
-- take the parent's setting.
do $$
begin
    if exists (
        select
        from pg_catalog.pg_settings as s
        where s.name = 'default_toast_compression'
            and 'lz4' = any (s.enumvals)
    ) then
        alter table app.inbound_payload alter column body set compression lz4;
        alter table app.inbound_payload alter column body_text set compression lz4;
    end if;
end
$$;

create table app.inbound_payload_default partition of app.inbound_payload default;

alter table app.inbound_payload_default enable row level security;

comment on table app.inbound_payload_default is 'Bodies of months without their own partition: those retention keeps after dropping their month (legal hold, open dead letters, longer windows), and any that arrive before their month''s partition exists. Read through app.inbound_payload.';

grant select on app.inbound_payload to authenticated;

grant select, insert, update, delete on app.inbound_payload to service_role;

create table app.inbound_dead_letter (
    shop_id uuid not null,
    dead_letter_id bigint generated always as identity,
    event_id bigint not null,
    source text not null,
    topic text not null,
    error_code text not null,
    error_message text not null,
    error_field text,
    failed_at timestamptz not null default now(),
    replayed_at timestamptz,
    replay_error text,
    discarded_at timestamptz,
    discarded_by uuid,
    constraint pk_inbound_dead_letter primary key (shop_id, dead_letter_id),
    constraint fk_inbound_dead_letter_event_id_inbound_event foreign key (shop_id, event_id)
        references app.inbound_event (shop_id, event_id) on delete cascade,
    -- a letter is replayed or discarded, not both
    constraint check_inbound_dead_letter_replayed_or_discarded
        check (replayed_at is null or discarded_at is null)
);

alter table app.inbound_dead_letter enable row level security;

comment on table app.inbound_dead_letter is 'Deliveries that could not be applied, with why: the SQLSTATE, a message that quotes no payload value, and the JSON path of the field at fault. The body stays in app.inbound_payload until the letter is replayed or discarded.';
comment on column app.inbound_dead_letter.shop_id is 'The shop.';
comment on column app.inbound_dead_letter.dead_letter_id is 'Identifier of the dead letter.';
comment on column app.inbound_dead_letter.event_id is 'The delivery (app.inbound_event) and its body.';
comment on column app.inbound_dead_letter.source is 'The delivery''s source.';
comment on column app.inbound_dead_letter.topic is 'The delivery''s topic.';
comment on column app.inbound_dead_letter.error_code is 'SQLSTATE of the refusal.';
comment on column app.inbound_dead_letter.error_message is 'Why the payload was refused; it never quotes a value from the payload.';
comment on column app.inbound_dead_letter.error_field is 'The JSON path of the field at fault ($.line_items[0].quantity), or $ for the body as a whole, or the argument''s name.';
comment on column app.inbound_dead_letter.failed_at is 'When it was refused.';
comment on column app.inbound_dead_letter.replayed_at is 'When a replay applied it; null while it waits.';
comment on column app.inbound_dead_letter.replay_error is 'Why the last replay failed too.';
comment on column app.inbound_dead_letter.discarded_at is 'When an owner discarded it: its body is then subject to the replay window like any other.';
comment on column app.inbound_dead_letter.discarded_by is 'The owner who discarded it.';

create index index_inbound_dead_letter_on_shop_id_event_id
    on app.inbound_dead_letter (shop_id, event_id);

grant select on app.inbound_dead_letter to authenticated;

-- owners discard letters (policy "owners can discard ..."): only these two columns
grant update (discarded_at, discarded_by) on app.inbound_dead_letter to authenticated;

grant select, insert, update, delete on app.inbound_dead_letter to service_role;

create table app.shop_payload_retention (
    shop_id uuid not null,
    replay_window_days integer not null,
    updated_by uuid default auth.uid(),
    updated_at timestamptz not null default now(),
    constraint pk_shop_payload_retention primary key (shop_id),
    constraint fk_shop_payload_retention_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_shop_payload_retention_window_days
        check (replay_window_days between 7 and 3650)
);

alter table app.shop_payload_retention enable row level security;

comment on table app.shop_payload_retention is 'A shop''s replay window for raw bodies, when it is not the default 90 days. Set by owners with api.set_payload_retention.';
comment on column app.shop_payload_retention.shop_id is 'The shop.';
comment on column app.shop_payload_retention.replay_window_days is 'Days a raw body is kept in full after it arrived (7 to 3650).';
comment on column app.shop_payload_retention.updated_by is 'The owner who set it.';
comment on column app.shop_payload_retention.updated_at is 'When it was set.';

grant select, insert (shop_id, replay_window_days),
    update (replay_window_days, updated_by, updated_at), delete
    on app.shop_payload_retention to authenticated;

grant select, insert, update, delete on app.shop_payload_retention to service_role;

create table private.payload_retention_run (
    run_id bigint generated always as identity,
    as_of timestamptz not null,
    started_at timestamptz not null default clock_timestamp(),
    finished_at timestamptz,
    events_compacted bigint not null default 0,
    bytes_dropped bigint not null default 0,
    partitions_dropped text[] not null default '{}',
    partition_bytes_dropped bigint not null default 0,
    rows_kept_aside bigint not null default 0,
    constraint pk_payload_retention_run primary key (run_id)
);

alter table private.payload_retention_run enable row level security;

comment on table private.payload_retention_run is 'What each run of the payload retention freed: the report of the storepulse-apply-payload-retention job.';
comment on column private.payload_retention_run.run_id is 'The run.';
comment on column private.payload_retention_run.as_of is 'The time the replay windows were measured back from.';
comment on column private.payload_retention_run.started_at is 'When the run started.';
comment on column private.payload_retention_run.finished_at is 'When it finished; null while it runs (or if it stopped).';
comment on column private.payload_retention_run.events_compacted is 'Events whose body was dropped (their hash kept).';
comment on column private.payload_retention_run.bytes_dropped is 'Stored size of those bodies (compressed, as on disk).';
comment on column private.payload_retention_run.partitions_dropped is 'Monthly partitions of app.inbound_payload dropped whole.';
comment on column private.payload_retention_run.partition_bytes_dropped is 'Disk those partitions took, given back at once.';
comment on column private.payload_retention_run.rows_kept_aside is 'Bodies moved to the default partition before their month was dropped (legal hold, open dead letters, longer windows).';

grant select on private.payload_retention_run to service_role;

