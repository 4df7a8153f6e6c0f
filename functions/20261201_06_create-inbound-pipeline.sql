-- The one ingestion path of every source: land, dedupe, check, apply, dead-letter, replay.
-- depends: 20261201_05_create-inbound-extraction
--
-- private.ingest_inbound takes one delivery: a duplicate (same source and external id)
-- only bumps its count; otherwise the payload is checked against its topic's resource
-- and handed to its source's applier inside a subtransaction. The event row is then
-- written once, with the outcome, and the body beside it; a refusal also writes a dead
-- letter with the SQLSTATE, a message that quotes no value, and the field's JSON path.
-- Nothing of a refused payload is half-written. private.ingest_inbound_page does the same
-- for a backfill page, set-based when every resource passes the one-pass check, one by
-- one otherwise. Appliers report the keys they touch with private.changing and
-- private.changed, and every subscriber of the entity (private.change_subscriber) hears
-- of them: rollups and tiles subscribe there, not in the appliers.

create function private.safe_error_message(p_message text)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    -- Postgres quotes the offending value after a colon (invalid input syntax for type
    -- bigint: "..."); a payload value may be personal data, so it is masked
    select pg_catalog.regexp_replace(safe_error_message.p_message, ': "[^"]*"', ': "..."', 'g')
$$;

comment on function private.safe_error_message(text) is 'An error message fit to keep: quoted values masked, since they may be personal data.';

create function private.scrub_personal_data(
    p_value jsonb,
    p_drop text[],
    p_keep_id text[],
    p_values text[] default '{}',
    p_depth integer default 0
)
    returns jsonb
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    if p_depth > 64 then
        -- deeper than any real payload: nothing down there is worth the risk of keeping
        return '"[removed on redaction]"'::jsonb;
    end if;
    case pg_catalog.jsonb_typeof(p_value)
        when 'object' then
            return coalesce((
                select pg_catalog.jsonb_object_agg(e.key,
                    case when e.key = any (p_keep_id) and pg_catalog.jsonb_typeof(e.value) = 'object'
                        then pg_catalog.jsonb_build_object('id', e.value -> 'id', 'redacted', true)
                        else private.scrub_personal_data(e.value, p_drop, p_keep_id, p_values,
                                                         p_depth + 1)
                    end)
                from pg_catalog.jsonb_each(p_value) as e
                where not e.key = any (p_drop)), '{}'::jsonb);
        when 'array' then
            return coalesce((
                select pg_catalog.jsonb_agg(
                    private.scrub_personal_data(e.value, p_drop, p_keep_id, p_values, p_depth + 1)
                    order by e.n)
                from pg_catalog.jsonb_array_elements(p_value) with ordinality as e (value, n)),
                '[]'::jsonb);
        when 'string' then
            -- a known value of the person, wherever it sits (a refused payload may hold an
            -- email in any field)
            if exists (
                select
                from pg_catalog.unnest(p_values) as v (value)
                where pg_catalog.length(v.value) >= 3
                    and pg_catalog.strpos(pg_catalog.lower(p_value #>> '{}'),
                                          pg_catalog.lower(v.value)) > 0
            ) then
                return '"[removed on redaction]"'::jsonb;
            end if;
            return p_value;
        else
            return p_value;
    end case;
end
$$;

comment on function private.scrub_personal_data(jsonb, text[], text[], text[], integer) is 'A payload without the given keys at any depth (p_drop), objects under p_keep_id reduced to their id, any string holding one of the person''s known values (p_values: an email, a phone) replaced, and anything nested deeper than 64 levels removed.';

create function private.personal_values(p_value jsonb, p_keys text[], p_depth integer default 0)
    returns setof text
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    v_entry record;
begin
    -- every string under one of the keys, at any depth (what a redaction must also find
    -- where it is misplaced); deeper than 64 levels is removed on redaction anyway
    if p_depth > 64 then
        return;
    end if;
    if pg_catalog.jsonb_typeof(p_value) = 'object' then
        for v_entry in select e.key, e.value from pg_catalog.jsonb_each(p_value) as e loop
            if v_entry.key = any (p_keys) then
                return query
                    select x.value #>> '{}'
                    from pg_catalog.jsonb_path_query(v_entry.value, 'strict $.**') as x (value)
                    where pg_catalog.jsonb_typeof(x.value) = 'string';
            else
                return query select * from private.personal_values(v_entry.value, p_keys, p_depth + 1);
            end if;
        end loop;
    elsif pg_catalog.jsonb_typeof(p_value) = 'array' then
        for v_entry in select e.value from pg_catalog.jsonb_array_elements(p_value) as e loop
            return query select * from private.personal_values(v_entry.value, p_keys, p_depth + 1);
        end loop;
    end if;
end
$$;

comment on function private.personal_values(jsonb, text[], integer) is 'Every string held under one of the keys (an email under email, a street under shipping_address), at any depth.';

create function private.scrub_inbound_body(p_source text, p_body jsonb, p_values text[] default '{}')
    returns jsonb
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select private.scrub_personal_data(scrub_inbound_body.p_body,
        coalesce(pg_catalog.array_agg(k.key) filter (where k.action = 'drop'), '{}'),
        coalesce(pg_catalog.array_agg(k.key) filter (where k.action = 'keep_id'), '{}'),
        coalesce(scrub_inbound_body.p_values, '{}'))
    from private.inbound_pii_key as k
    where k.source = scrub_inbound_body.p_source
$$;

comment on function private.scrub_inbound_body(text, jsonb, text[]) is 'A body of a source without the personal data its private.inbound_pii_key rows name, nor any string holding one of the given known values of the person.';

create function private.redact_inbound(
    p_shop_id uuid,
    p_source text,
    p_person_id text,
    p_subject_ids text[],
    p_values text[] default '{}'
)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_count integer;
    v_values text[];
begin
    -- what the person's bodies hold under personal keys is their data wherever it sits,
    -- in these bodies or in any other of theirs (a refused payload may misplace it)
    select coalesce(p_values, '{}') || coalesce(pg_catalog.array_agg(distinct v.value), '{}')
    into v_values
    from app.inbound_event as e
        join app.inbound_payload as p
            on p.shop_id = e.shop_id
            and p.event_id = e.event_id
            and p.received_at = e.received_at,
        private.personal_values(p.body, (
            select pg_catalog.array_agg(k.key)
            from private.inbound_pii_key as k
            where k.source = p_source)) as v (value)
    where e.shop_id = p_shop_id
        and e.source = p_source
        and p_person_id is not null
        and (e.person_id = p_person_id or e.subject_id = any (p_subject_ids))
        and pg_catalog.length(v.value) >= 3;
    -- p_person_id null and no subjects: every body of the shop from this source
    with targets as (
        select e.event_id, e.received_at
        from app.inbound_event as e
        where e.shop_id = p_shop_id
            and e.source = p_source
            and e.compacted_at is null
            and ((p_person_id is null and pg_catalog.cardinality(p_subject_ids) = 0)
                 or e.person_id = p_person_id
                 or e.subject_id = any (p_subject_ids))
    )
    update app.inbound_payload as p
    set body = private.scrub_inbound_body(p_source, p.body, v_values),
        body_text = case when p.body_text is null then null else '"[removed on redaction]"' end
    from targets as t
    where p.shop_id = p_shop_id
        and p.event_id = t.event_id
        and p.received_at = t.received_at;
    get diagnostics v_count = row_count;
    -- bodies jsonb could not hold carry no person id to find them by: scrub any that names them
    update app.inbound_payload as p
    set body_text = '"[removed on redaction]"'
    from app.inbound_event as e
    where p.shop_id = p_shop_id
        and e.shop_id = p.shop_id
        and e.event_id = p.event_id
        and e.source = p_source
        and p.body_text is not null
        and p.body_text <> '"[removed on redaction]"'
        and ((p_person_id is null and pg_catalog.cardinality(p_subject_ids) = 0)
             or pg_catalog.strpos(p.body_text, p_person_id) > 0
             or exists (
                select
                from pg_catalog.unnest(p_subject_ids || v_values) as s (value)
                where pg_catalog.length(s.value) >= 3
                    and pg_catalog.strpos(p.body_text, s.value) > 0));
    return v_count;
end
$$;

comment on function private.redact_inbound(uuid, text, text, text[], text[]) is 'Scrubs personal data (private.inbound_pii_key keys, and any string holding one of the person''s known values) from every kept body of a source that names the person or one of the subjects (all the shop''s bodies when neither is given); bodies kept as text that mention them are replaced. Returns how many bodies were scrubbed.';

create function private.inbound_topic_resource(p_source text, p_topic text, p_payload jsonb)
    returns text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_topic private.inbound_topic;
begin
    select * into v_topic
    from private.inbound_topic as t
    where t.source = p_source
        and t.topic = p_topic;
    if v_topic.wrapped_key is not null and p_payload ? v_topic.wrapped_key then
        return v_topic.wrapped_resource;
    end if;
    return v_topic.resource;
end
$$;

comment on function private.inbound_topic_resource(text, text, jsonb) is 'The resource a payload of a topic is checked as (its wrapped form''s, when it holds the wrapping key).';

create function private.try_inbound(
    p_shop_id uuid,
    p_source text,
    p_topic text,
    p_payload jsonb,
    p_context jsonb
)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- its writes are the applier's, called through EXECUTE, which plpgsql_check takes for reads:
-- @plpgsql_check_options: performance_warnings = false
declare
    v_source private.inbound_source;
    v_applier regproc;
    v_known boolean;
    v_resource text;
    v_result jsonb;
    v_state text;
    v_message text;
    v_field text;
begin
    select * into strict v_source
    from private.inbound_source as s
    where s.source = p_source;
    if pg_catalog.jsonb_typeof(p_payload) is distinct from 'object' then
        return pg_catalog.jsonb_build_object('outcome', 'dead_lettered', 'code', '22023',
            'message', '$ must be a JSON object, got ' || private.json_type_phrase(p_payload),
            'field', '$');
    end if;
    select true, private.inbound_topic_resource(p_source, p_topic, p_payload)
    into v_known, v_resource
    from private.inbound_topic as t
    where t.source = p_source
        and t.topic = p_topic;
    if v_known is null then
        if p_topic is null or p_topic !~ v_source.topic_pattern then
            return pg_catalog.jsonb_build_object('outcome', 'dead_lettered', 'code', '22023',
                'message', pg_catalog.format('topic %s is not a well-formed %s topic',
                    coalesce(pg_catalog.quote_literal(pg_catalog.left(p_topic, 80)), 'null'),
                    p_source),
                'field', 'topic');
        end if;
        -- well-formed but unknown: kept, for when an applier for it lands (replayable)
        return pg_catalog.jsonb_build_object('outcome', 'received',
            'note', 'no applier for this topic yet: recorded for replay');
    end if;
    begin
        if v_resource is not null
            and not coalesce(private.inbound_looks_valid(p_source, v_resource, p_payload), false) then
            perform private.check_inbound_resource(p_source, v_resource, p_payload, '$');
        end if;
        v_applier := pg_catalog.to_regprocedure(v_source.applier || '(uuid, text, jsonb, jsonb)')::regproc;
        execute pg_catalog.format('select %s($1, $2, $3, $4)', v_applier)
            using p_shop_id, p_topic, p_payload, p_context
            into v_result;
    exception when others then
        get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
            v_field = column_name;
        if private.is_retryable_sqlstate(v_state) then
            raise;
        end if;
        if coalesce(v_field, '') !~ '^(\$|topic$)' and v_resource is not null then
            -- a fault no check foresaw (the extraction refused a value): find its field
            begin
                perform private.check_inbound_resource(p_source, v_resource, p_payload, '$');
            exception when others then
                get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
                    v_field = column_name;
                if private.is_retryable_sqlstate(v_state) then
                    raise;
                end if;
            end;
        end if;
        return pg_catalog.jsonb_build_object('outcome', 'dead_lettered', 'code', v_state,
            'message', private.safe_error_message(v_message),
            'field', case when coalesce(v_field, '') ~ '^(\$|topic$)' then v_field else '$' end);
    end;
    return v_result;
end
$$;

comment on function private.try_inbound(uuid, text, text, jsonb, jsonb) is 'Checks one payload against its topic''s resource and applies it with its source''s applier, in a subtransaction. Returns the applier''s {"outcome": ...}, {"outcome": "received"} for a well-formed topic no applier knows, or {"outcome": "dead_lettered", "code", "message", "field"} (nothing written). Retryable errors are raised.';

create function private.ingest_inbound(
    p_shop_id uuid,
    p_source text,
    p_topic text,
    p_delivery text,
    p_external_id text,
    p_delivery_id text,
    p_triggered_at timestamptz,
    p_api_version text,
    p_verified boolean,
    p_payload jsonb,
    p_body_text text,
    p_body_problem text[]
)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_event_id bigint;
    v_received_at timestamptz;
    v_result jsonb;
    v_subject text;
    v_person text;
begin
    if p_external_id is not null then
        -- one delivery of an event at a time, so the second one sees the first
        perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
            p_shop_id::text || '/' || p_source || '/' || p_external_id, 0));
        update app.inbound_event as e
        set deliveries = e.deliveries + 1,
            last_received_at = pg_catalog.now()
        where e.shop_id = p_shop_id
            and e.source = p_source
            and e.external_id = p_external_id
        returning e.event_id into v_event_id;
        if found then
            return pg_catalog.jsonb_build_object('outcome', 'duplicate', 'event_id', v_event_id);
        end if;
    end if;
    if p_payload is null then
        -- jsonb could not hold the body: it lands as text, refused with the reason
        v_result := pg_catalog.jsonb_build_object('outcome', 'dead_lettered',
            'code', p_body_problem[1], 'message', p_body_problem[2], 'field', '$');
    else
        v_result := private.try_inbound(p_shop_id, p_source, p_topic, p_payload,
            pg_catalog.jsonb_build_object('triggered_at', p_triggered_at, 'delivery', p_delivery));
        select pg_catalog.jsonb_path_query_first(p_payload, t.subject_path) #>> '{}',
            pg_catalog.jsonb_path_query_first(p_payload, t.person_path) #>> '{}'
        into v_subject, v_person
        from private.inbound_topic as t
        where t.source = p_source
            and t.topic = p_topic
            and pg_catalog.jsonb_typeof(p_payload) = 'object';
    end if;
    insert into app.inbound_event (shop_id, source, topic, delivery, external_id, delivery_id,
        triggered_at, api_version, signature_verified, status, subject_id, person_id,
        payload_bytes)
    values (p_shop_id, p_source, coalesce(p_topic, '?'), p_delivery, p_external_id,
        p_delivery_id, p_triggered_at, p_api_version, p_verified, v_result ->> 'outcome',
        pg_catalog.left(v_subject, 200), pg_catalog.left(v_person, 200),
        coalesce(pg_catalog.pg_column_size(p_payload), pg_catalog.octet_length(p_body_text)))
    returning event_id, received_at into v_event_id, v_received_at;
    -- an applier that erased a person's data asks for its own body to be kept scrubbed too
    -- (a redaction request names the person it erases)
    insert into app.inbound_payload (shop_id, event_id, received_at, body, body_text)
    values (p_shop_id, v_event_id, v_received_at,
        case when (v_result ->> 'store_scrubbed')::boolean
            then private.scrub_inbound_body(p_source, p_payload) else p_payload end,
        case when p_payload is null then coalesce(p_body_text, '') end);
    if v_result ->> 'outcome' = 'dead_lettered' then
        insert into app.inbound_dead_letter (shop_id, event_id, source, topic, error_code,
            error_message, error_field)
        values (p_shop_id, v_event_id, p_source, coalesce(p_topic, '?'), v_result ->> 'code',
            v_result ->> 'message', v_result ->> 'field')
        returning pg_catalog.jsonb_build_object('dead_letter_id', dead_letter_id)
            || v_result into v_result;
    end if;
    return v_result || pg_catalog.jsonb_build_object('event_id', v_event_id);
end
$$;

comment on function private.ingest_inbound(uuid, text, text, text, text, text, timestamptz, text, boolean, jsonb, text, text[]) is 'Ingests one delivery of any source: absorbs a duplicate external id, checks and applies the payload (private.try_inbound), then writes the event row once with its outcome, its body, and a dead letter if refused. p_payload null means jsonb refused the body: p_body_text holds it and p_body_problem {SQLSTATE, message} says why. Returns {"outcome", "event_id", ...}.';

create function private.parse_inbound_body(p_text text)
    returns table (body jsonb, problem text[])
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    v_state text;
begin
    body := p_text::jsonb;
    return next;
exception when others then
    get stacked diagnostics v_state = returned_sqlstate;
    body := null;
    problem := array[v_state, case
        when v_state = '22P05' then '$ holds a character jsonb cannot store (\u0000 or an unpaired surrogate)'
        when v_state = '54001' then '$ nests too deep to be stored as jsonb'
        else '$ is not valid JSON' end];
    return next;
end
$$;

comment on function private.parse_inbound_body(text) is 'The body as jsonb, or null and {SQLSTATE, why} when jsonb cannot hold it (not JSON, \u0000, nested too deep).';

create function private.ingest_inbound_page(p_shop_id uuid, p_source text, p_resources jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_page_applier regproc;
    v_outcomes text[];
    v_ids bigint[];
    v_count integer := pg_catalog.jsonb_array_length(p_resources);
    v_row record;
    v_result jsonb;
    v_dead integer := 0;
    v_stale integer := 0;
begin
    select pg_catalog.to_regprocedure(s.page_applier || '(uuid, jsonb)')::regproc
    into strict v_page_applier
    from private.inbound_source as s
    where s.source = p_source;
    begin
        -- the fast path: the whole page set-based, when every resource passes the one-pass check
        if v_page_applier is null or exists (
            select
            from pg_catalog.jsonb_array_elements(p_resources) as r (value)
                left join private.inbound_topic as t
                    on t.source = p_source
                    and t.topic = 'backfill/' || (r.value ->> 'kind')
                left join private.inbound_resource as res
                    on res.source = t.source
                    and res.resource = t.resource
            where res.violation is null
                or pg_catalog.jsonb_typeof(r.value -> 'resource') is distinct from 'object'
                or pg_catalog.jsonb_path_exists(r.value -> 'resource', res.violation)
        ) then
            raise exception 'the page needs the one-by-one path' using errcode = 'P0001';
        end if;
        execute pg_catalog.format(
            'select pg_catalog.array_agg(a.outcome order by a.ordinal) from %s($1, $2) as a',
            v_page_applier)
            using p_shop_id, p_resources
            into v_outcomes;
        if pg_catalog.cardinality(v_outcomes) is distinct from v_count then
            raise exception 'the page applier answered % outcomes for % resources',
                coalesce(pg_catalog.cardinality(v_outcomes), 0), v_count using errcode = 'P0001';
        end if;
        v_ids := array(
            select pg_catalog.nextval('app.inbound_event_event_id_seq')
            from pg_catalog.generate_series(1, v_count));
        insert into app.inbound_event (shop_id, event_id, source, topic, delivery, status,
            subject_id, person_id, payload_bytes)
        overriding system value
        select p_shop_id, v_ids[r.n], p_source, 'backfill/' || (r.value ->> 'kind'), 'backfill',
            v_outcomes[r.n],
            pg_catalog.left(pg_catalog.jsonb_path_query_first(r.value -> 'resource', t.subject_path) #>> '{}', 200),
            pg_catalog.left(pg_catalog.jsonb_path_query_first(r.value -> 'resource', t.person_path) #>> '{}', 200),
            pg_catalog.pg_column_size(r.value -> 'resource')
        from pg_catalog.jsonb_array_elements(p_resources) with ordinality as r (value, n)
            join private.inbound_topic as t
                on t.source = p_source
                and t.topic = 'backfill/' || (r.value ->> 'kind')
        order by r.n;
        insert into app.inbound_payload (shop_id, event_id, received_at, body)
        select p_shop_id, v_ids[r.n], pg_catalog.now(), r.value -> 'resource'
        from pg_catalog.jsonb_array_elements(p_resources) with ordinality as r (value, n)
        order by r.n;
        return pg_catalog.jsonb_build_object('received', v_count, 'dead_lettered', 0,
            'stale', (select pg_catalog.count(*) from pg_catalog.unnest(v_outcomes) as o
                      where o = 'stale'));
    exception when others then
        if private.is_retryable_sqlstate(sqlstate) then
            raise;
        end if;
    end;
    -- one by one, so the bad ones are named and the rest applied
    for v_row in
        select r.value, r.n
        from pg_catalog.jsonb_array_elements(p_resources) with ordinality as r (value, n)
        order by r.n
    loop
        v_result := private.ingest_inbound(p_shop_id, p_source,
            'backfill/' || coalesce(v_row.value ->> 'kind', '?'), 'backfill', null, null, null,
            null, null, coalesce(v_row.value -> 'resource', v_row.value), null, null);
        v_dead := v_dead + (v_result ->> 'outcome' = 'dead_lettered')::integer;
        v_stale := v_stale + (v_result ->> 'outcome' = 'stale')::integer;
    end loop;
    return pg_catalog.jsonb_build_object('received', v_count, 'dead_lettered', v_dead,
        'stale', v_stale);
end
$$;

comment on function private.ingest_inbound_page(uuid, text, jsonb) is 'Ingests a backfill page [{"kind", "resource"}] of a source: set-based through the source''s page applier when every resource passes the one-pass check, else resource by resource through private.ingest_inbound so the bad ones are named and the rest applied. Every resource lands with its outcome. Returns {"received", "dead_lettered", "stale"}.';

create function private.replay_inbound_dead_letters(
    p_shop_id uuid,
    p_source text,
    p_dead_letter_ids bigint[]
)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_letter record;
    v_result jsonb;
    v_replayed integer := 0;
    v_failed integer := 0;
begin
    for v_letter in
        select d.dead_letter_id, d.event_id, d.source, d.topic, e.triggered_at, e.delivery,
            p.body, p.body_text
        from app.inbound_dead_letter as d
            join app.inbound_event as e
                on e.shop_id = d.shop_id
                and e.event_id = d.event_id
            left join app.inbound_payload as p
                on p.shop_id = e.shop_id
                and p.event_id = e.event_id
                and p.received_at = e.received_at
        where d.shop_id = p_shop_id
            and (p_source is null or d.source = p_source)
            and d.replayed_at is null
            and d.discarded_at is null
            and (p_dead_letter_ids is null or d.dead_letter_id = any (p_dead_letter_ids))
        order by d.dead_letter_id
        for update of d
    loop
        if v_letter.body is null then
            v_result := pg_catalog.jsonb_build_object('outcome', 'dead_lettered', 'code', '22023',
                'message', case when v_letter.body_text is null then 'the body is no longer kept'
                                else 'the body is not JSON jsonb can hold' end, 'field', '$');
        else
            v_result := private.try_inbound(p_shop_id, v_letter.source, v_letter.topic,
                v_letter.body, pg_catalog.jsonb_build_object(
                    'triggered_at', v_letter.triggered_at, 'delivery', v_letter.delivery));
        end if;
        if v_result ->> 'outcome' = 'dead_lettered' then
            update app.inbound_dead_letter as d
            set replay_error = (v_result ->> 'code') || ': ' || (v_result ->> 'message')
            where d.shop_id = p_shop_id
                and d.dead_letter_id = v_letter.dead_letter_id;
            v_failed := v_failed + 1;
        else
            update app.inbound_dead_letter as d
            set replayed_at = pg_catalog.now(),
                replay_error = null
            where d.shop_id = p_shop_id
                and d.dead_letter_id = v_letter.dead_letter_id;
            update app.inbound_event as e
            set status = v_result ->> 'outcome'
            where e.shop_id = p_shop_id
                and e.event_id = v_letter.event_id;
            v_replayed := v_replayed + 1;
        end if;
    end loop;
    return pg_catalog.jsonb_build_object('replayed', v_replayed, 'still_failing', v_failed);
end
$$;

comment on function private.replay_inbound_dead_letters(uuid, text, bigint[]) is 'Re-applies a shop''s waiting dead letters (of one source, or all; every one, or the given ids) from their kept bodies; one that still fails keeps its latest error in replay_error.';

create function private.changing(p_shop_id uuid, p_entity text, p_keys bigint[])
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- its work is the subscribers', called through EXECUTE, which plpgsql_check takes for reads:
-- @plpgsql_check_options: performance_warnings = false
declare
    v_handler regproc;
    v_state jsonb;
    v_states jsonb := '{}'::jsonb;
begin
    if pg_catalog.cardinality(p_keys) = 0 then
        return v_states;
    end if;
    for v_handler in
        select pg_catalog.to_regprocedure(s.handler || '(uuid, bigint[], text, jsonb)')::regproc
        from private.change_subscriber as s
        where s.entity = p_entity
        order by s.position
    loop
        execute pg_catalog.format('select %s($1, $2, $3, $4)', v_handler)
            using p_shop_id, p_keys, 'before', null::jsonb
            into v_state;
        v_states := v_states || pg_catalog.jsonb_build_object(v_handler::text, v_state);
    end loop;
    return v_states;
end
$$;

comment on function private.changing(uuid, text, bigint[]) is 'An applier is about to change these keys of an entity (its rows are still the old ones): every subscriber hears of it (phase before). Returns what they want back afterwards, for private.changed.';

create function private.changed(p_shop_id uuid, p_entity text, p_keys bigint[], p_states jsonb)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_handler regproc;
begin
    if pg_catalog.cardinality(p_keys) = 0 then
        return;
    end if;
    for v_handler in
        select pg_catalog.to_regprocedure(s.handler || '(uuid, bigint[], text, jsonb)')::regproc
        from private.change_subscriber as s
        where s.entity = p_entity
        order by s.position
    loop
        execute pg_catalog.format('select %s($1, $2, $3, $4)', v_handler)
            using p_shop_id, p_keys, 'after', p_states -> (v_handler::text);
    end loop;
end
$$;

comment on function private.changed(uuid, text, bigint[], jsonb) is 'An applier has changed these keys of an entity: every subscriber hears of it (phase after), with what it returned from private.changing.';

create function private.subscribe_to_changes(
    p_entity text,
    p_handler text,
    p_position integer,
    p_description text
)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    if pg_catalog.to_regprocedure(p_handler || '(uuid, bigint[], text, jsonb)') is null then
        raise exception 'no function %(uuid, bigint[], text, jsonb) to call with changes of %',
            p_handler, p_entity
            using errcode = '42883', column = 'handler',
                hint = 'A subscriber takes (shop_id, keys, phase, state) and returns jsonb.';
    end if;
    insert into private.change_subscriber as s (entity, handler, position, description)
    values (p_entity, p_handler, p_position, p_description)
    on conflict on constraint pk_change_subscriber do update
    set position = excluded.position,
        description = excluded.description;
end
$$;

comment on function private.subscribe_to_changes(text, text, integer, text) is 'Registers (or updates) a subscriber to an entity''s changes, checking its signature. Called by the migration that adds a rollup or tile.';

create function private.unsubscribe_from_changes(p_entity text, p_handler text)
    returns boolean
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    with gone as (
        delete from private.change_subscriber as s
        where s.entity = unsubscribe_from_changes.p_entity
            and s.handler = unsubscribe_from_changes.p_handler
        returning 1
    )
    select exists (select from gone)
$$;

comment on function private.unsubscribe_from_changes(text, text) is 'Removes a subscriber; false if it was not subscribed. Called by the rollback of the migration that subscribed it.';

grant execute on function private.safe_error_message(text) to service_role;

grant execute on function private.scrub_personal_data(jsonb, text[], text[], text[], integer) to service_role;

grant execute on function private.personal_values(jsonb, text[], integer) to service_role;

grant execute on function private.scrub_inbound_body(text, jsonb, text[]) to service_role;

grant execute on function private.redact_inbound(uuid, text, text, text[], text[]) to service_role;

grant execute on function private.inbound_topic_resource(text, text, jsonb) to service_role;

grant execute on function private.try_inbound(uuid, text, text, jsonb, jsonb) to service_role;

grant execute on function private.ingest_inbound(uuid, text, text, text, text, text, timestamptz, text, boolean, jsonb, text, text[]) to service_role;

grant execute on function private.parse_inbound_body(text) to service_role;

grant execute on function private.ingest_inbound_page(uuid, text, jsonb) to service_role;

grant execute on function private.replay_inbound_dead_letters(uuid, text, bigint[]) to service_role;

grant execute on function private.changing(uuid, text, bigint[]) to service_role;

grant execute on function private.changed(uuid, text, bigint[], jsonb) to service_role;

grant execute on function private.subscribe_to_changes(text, text, integer, text) to service_role;

grant execute on function private.unsubscribe_from_changes(text, text) to service_role;
