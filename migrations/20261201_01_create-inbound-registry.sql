-- The inbound registry: the sources, topics, resources and fields the pipeline knows.
-- depends: 20261125_61_move-row-audit-to-stores
--
-- One ingestion pipeline serves every source (Shopify now; Chatwoot, GA4 and Search
-- Console next). What is source-specific is described here as data, once:
-- - private.inbound_source: each source and its applier (which only normalises);
-- - private.inbound_topic: each topic, the resource its payload is, and where in the
--   payload the subject (the resource's key) and the person it identifies are;
-- - private.inbound_resource and private.inbound_field: each resource's fields, their
--   kinds and rules. The same rows drive the field-by-field check that names a bad
--   field's JSON path, the one-pass check of a whole page (compiled into a jsonpath) and
--   the extraction of typed rows (compiled into one function per resource), so the
--   field knowledge of a source is written once;
-- - private.inbound_pii_key: the payload keys that can identify a person, scrubbed on
--   redaction wherever they occur;
-- - private.change_subscriber: who is told which keys an applier touched.
-- Configuration, not tenant data: no shop_id, no API role reads it (row-level security
-- on, no policy); service_role reads it through the pipeline's functions.
-- Rollback drops the tables; nothing else refers to them yet.

create table private.inbound_source (
    source text not null,
    applier text not null,
    page_applier text,
    topic_pattern text not null,
    description text not null,
    constraint pk_inbound_source primary key (source),
    constraint check_inbound_source_source_is_a_word check (source ~ '^[a-z][a-z0-9_]*$'),
    -- function names, called through format('%s(...)'): keep them plain qualified names
    constraint check_inbound_source_applier_is_a_name
        check (applier ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$'),
    constraint check_inbound_source_page_applier_is_a_name
        check (page_applier ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$')
);

alter table private.inbound_source enable row level security;

comment on table private.inbound_source is 'The sources the inbound pipeline ingests from, each with the function that normalises its payloads into the model.';
comment on column private.inbound_source.source is 'The source''s name: shopify, chatwoot, ga4, search_console.';
comment on column private.inbound_source.applier is 'Function (shop_id uuid, topic text, payload jsonb, context jsonb) returns jsonb {"outcome": applied | stale | recorded, ...}: normalises one validated payload. It only normalises: the pipeline lands, dedupes, validates, dead-letters and replays.';
comment on column private.inbound_source.page_applier is 'Function (shop_id uuid, resources jsonb) returns table (ordinal bigint, outcome text): applies a validated backfill page set-based; null if the source has no backfill.';
comment on column private.inbound_source.topic_pattern is 'Regular expression a well-formed topic of the source matches; a well-formed topic without an entry in private.inbound_topic is recorded as received, not refused.';
comment on column private.inbound_source.description is 'What the source is.';

create table private.inbound_topic (
    source text not null,
    topic text not null,
    resource text,
    wrapped_key text,
    wrapped_resource text,
    subject_path jsonpath,
    person_path jsonpath,
    description text not null,
    constraint pk_inbound_topic primary key (source, topic),
    constraint fk_inbound_topic_source_inbound_source foreign key (source)
        references private.inbound_source (source) on delete cascade,
    -- a wrapped form is named by its key and the resource it then is, both or neither
    constraint check_inbound_topic_wrapped_key_and_resource
        check ((wrapped_key is null) = (wrapped_resource is null))
);

alter table private.inbound_topic enable row level security;

comment on table private.inbound_topic is 'The topics of each source: the resource a payload of the topic is, checked field by field against private.inbound_field before its applier sees it.';
comment on column private.inbound_topic.source is 'The source.';
comment on column private.inbound_topic.topic is 'The topic as the source names it (orders/create), or backfill/<kind> for backfilled resources.';
comment on column private.inbound_topic.resource is 'The resource (private.inbound_resource) the payload is; null: any JSON object.';
comment on column private.inbound_topic.wrapped_key is 'A payload with this top-level key is wrapped_resource instead (orders/edited sends {"order_edit": {...}}).';
comment on column private.inbound_topic.wrapped_resource is 'The resource of a payload holding wrapped_key.';
comment on column private.inbound_topic.subject_path is 'Where the payload names the resource it is about (the order for orders and refunds): stored with the event for replay and redaction.';
comment on column private.inbound_topic.person_path is 'Where the payload names the person it identifies (a customer id): redaction finds every copy of a person''s data by it.';
comment on column private.inbound_topic.description is 'What the topic carries and what applying it does.';

create table private.inbound_resource (
    source text not null,
    resource text not null,
    parent_resource text,
    parent_field text,
    violation jsonpath,
    description text not null,
    constraint pk_inbound_resource primary key (source, resource),
    constraint fk_inbound_resource_source_inbound_source foreign key (source)
        references private.inbound_source (source) on delete cascade,
    -- a nested resource names both its parent and the parent's field holding it
    constraint check_inbound_resource_parent_and_field
        check ((parent_resource is null) = (parent_field is null))
);

alter table private.inbound_resource enable row level security;

comment on table private.inbound_resource is 'The resources of each source (an order, a line item, a conversation), described field by field in private.inbound_field.';
comment on column private.inbound_resource.source is 'The source.';
comment on column private.inbound_resource.resource is 'The resource''s name, singular (order, line_item).';
comment on column private.inbound_resource.parent_resource is 'For a resource that lives inside another (line_item in order): the parent. Its rows function then reads arrays of the parent and adds the parent''s key.';
comment on column private.inbound_resource.parent_field is 'The parent''s field (an array) holding it: line_items.';
comment on column private.inbound_resource.violation is 'Compiled from the fields by private.compile_inbound_source: matches a payload that breaks any rule of this resource (nested ones included). The one-pass check of webhooks and backfill pages; a payload it matches goes through the field-by-field check, which names the field.';
comment on column private.inbound_resource.description is 'What the resource is.';

create table private.inbound_field (
    source text not null,
    resource text not null,
    field text not null,
    position integer not null,
    kind text not null,
    is_required boolean not null default false,
    is_key boolean not null default false,
    max_length integer,
    item_resource text,
    item_kind text,
    match_item_field text,
    match_field text,
    column_name text,
    extract_field text,
    default_value jsonb,
    description text not null,
    constraint pk_inbound_field primary key (source, resource, field),
    constraint fk_inbound_field_resource_inbound_resource foreign key (source, resource)
        references private.inbound_resource (source, resource) on delete cascade,
    constraint fk_inbound_field_item_resource_inbound_resource
        foreign key (source, item_resource)
        references private.inbound_resource (source, resource),
    constraint unique_inbound_field_position unique (source, resource, position),
    constraint check_inbound_field_kind_known check (kind in (
        'id', 'integer', 'count', 'decimal', 'money', 'timestamp', 'text', 'boolean',
        'object', 'array', 'json')),
    constraint check_inbound_field_item_kind_known check (item_kind in (
        'id', 'integer', 'count', 'decimal', 'timestamp', 'text', 'boolean')),
    -- objects are described by a resource; arrays hold resources or scalars, not both
    constraint check_inbound_field_nested_description check (
        case kind
            when 'object' then item_resource is not null and item_kind is null
            when 'array' then num_nonnulls(item_resource, item_kind) <= 1
            else item_resource is null and item_kind is null
        end),
    constraint check_inbound_field_max_length_for_text
        check (max_length is null or (kind = 'text' and max_length > 0)),
    constraint check_inbound_field_match_both
        check ((match_item_field is null) = (match_field is null)),
    -- names end up in generated SQL: plain lowercase words only
    constraint check_inbound_field_names_are_words check (
        field ~ '^[a-z_][a-z0-9_]*$'
        and coalesce(column_name, 'x') ~ '^[a-z_][a-z0-9_]*$'
        and coalesce(extract_field, 'x') ~ '^[a-z_][a-z0-9_]*$'
        and coalesce(match_item_field, 'x') ~ '^[a-z_][a-z0-9_]*$'
        and coalesce(match_field, 'x') ~ '^[a-z_][a-z0-9_]*$')
);

alter table private.inbound_field enable row level security;

comment on table private.inbound_field is 'The fields of each resource, with their kinds and rules: the one description of a source''s payloads that the checks, the page check and the extraction are all derived from.';
comment on column private.inbound_field.source is 'The source.';
comment on column private.inbound_field.resource is 'The resource the field belongs to.';
comment on column private.inbound_field.field is 'The JSON key.';
comment on column private.inbound_field.position is 'Order of checking and of the extracted columns.';
comment on column private.inbound_field.kind is 'id (0 to 2^63-1, number or digit string), integer (32-bit), count (0 to 2^31-1), decimal (up to 12 integer digits, number or string), money (Shopify: <field>_set.shop_money.amount, else <field>, a decimal), timestamp (ISO 8601 with an offset, a real date), text, boolean, object (described by item_resource), array (of item_resource objects or item_kind values), json (anything).';
comment on column private.inbound_field.is_required is 'Whether it must be present and not null.';
comment on column private.inbound_field.is_key is 'Whether it identifies the resource: unique within an array of it, and the key nested resources carry.';
comment on column private.inbound_field.max_length is 'For text: the most characters it may have.';
comment on column private.inbound_field.item_resource is 'For object and array fields: the resource of the object or of each element.';
comment on column private.inbound_field.item_kind is 'For arrays of plain values: the kind of each element.';
comment on column private.inbound_field.match_item_field is 'For arrays: each element''s field that must equal match_field of this object (a nested refund''s order_id must be its order''s id).';
comment on column private.inbound_field.match_field is 'For arrays: the field of this object each element''s match_item_field must equal.';
comment on column private.inbound_field.column_name is 'The column the extracted value fills; several fields may fill one column, the first present wins. Arrays fill it with the sum of extract_field over their elements; objects with their extract_field.';
comment on column private.inbound_field.extract_field is 'For object and array fields with a column: the field of item_resource to take (objects) or to sum (arrays).';
comment on column private.inbound_field.default_value is 'The column''s value when no field filling it is present (JSON, cast to the column''s type).';
comment on column private.inbound_field.description is 'What the field means.';

create table private.inbound_pii_key (
    source text not null,
    key text not null,
    action text not null,
    description text not null,
    constraint pk_inbound_pii_key primary key (source, key),
    constraint fk_inbound_pii_key_source_inbound_source foreign key (source)
        references private.inbound_source (source) on delete cascade,
    constraint check_inbound_pii_key_action_known check (action in ('drop', 'keep_id'))
);

alter table private.inbound_pii_key enable row level security;

comment on table private.inbound_pii_key is 'Payload keys that can identify a person: redaction removes them wherever they occur in a payload of the source, at any depth.';
comment on column private.inbound_pii_key.source is 'The source.';
comment on column private.inbound_pii_key.key is 'The JSON key.';
comment on column private.inbound_pii_key.action is 'drop: the key goes; keep_id: an object under the key is replaced by {"id": its id, "redacted": true}.';
comment on column private.inbound_pii_key.description is 'What the key holds.';

create table private.change_subscriber (
    entity text not null,
    handler text not null,
    position integer not null,
    description text not null,
    constraint pk_change_subscriber primary key (entity, handler),
    constraint unique_change_subscriber_position unique (entity, position),
    constraint check_change_subscriber_entity_is_a_word check (entity ~ '^[a-z][a-z0-9_]*$'),
    constraint check_change_subscriber_handler_is_a_name
        check (handler ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$')
);

alter table private.change_subscriber enable row level security;

comment on table private.change_subscriber is 'Who is told when an applier changes rows of an entity (shopify_order, shopify_variant, ...): rollups and tiles subscribe here, so a new tile edits no applier.';
comment on column private.change_subscriber.entity is 'The entity whose keys the appliers report (the normalised table''s name without the schema).';
comment on column private.change_subscriber.handler is 'Function (shop_id uuid, keys bigint[], phase text, state jsonb) returns jsonb, called with phase ''before'' (keys about to change, rows still old) and ''after'' (changed); what it returns before is handed back to it after.';
comment on column private.change_subscriber.position is 'Order among the entity''s subscribers.';
comment on column private.change_subscriber.description is 'What the subscriber maintains.';

grant select on private.inbound_source, private.inbound_topic, private.inbound_resource,
    private.inbound_field, private.inbound_pii_key, private.change_subscriber to service_role;
