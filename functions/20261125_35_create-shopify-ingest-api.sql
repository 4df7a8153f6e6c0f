-- Shopify ingestion entry points, callable by service_role only.
-- depends: 20261125_34_create-shopify-apply-functions
--
-- In production a Supabase Edge Function receives Shopify's webhook and calls
-- api.ingest_shopify_webhook over PostgREST; a backfill job calls
-- api.ingest_shopify_backfill with pages of Admin API resources.
-- A payload that cannot be applied is not lost: it lands raw, and in
-- app.shopify_dead_letter with the SQLSTATE, message and field; the call answers
-- HTTP 400 (response.status) with that error, and nothing of it is half-written
-- (it was applied in a subtransaction that was rolled back).

create function private.shopify_redact(p_shop_id uuid, p_customer_id bigint, p_order_ids bigint[])
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_count integer;
begin
    -- p_customer_id null: the whole shop (shop/redact)
    delete from app.shopify_customer_pii as p
    where p.shop_id = p_shop_id
        and (p_customer_id is null or p.customer_id = p_customer_id);
    update app.shopify_customer as c
    set redacted_at = coalesce(c.redacted_at, pg_catalog.now())
    where c.shop_id = p_shop_id
        and (p_customer_id is null or c.customer_id = p_customer_id);
    if p_customer_id is not null then
        -- a customer redacted before we saw them must stay redacted when they show up
        insert into app.shopify_customer (shop_id, customer_id, updated_at, redacted_at)
        values (p_shop_id, p_customer_id, '-infinity', pg_catalog.now())
        on conflict do nothing;
    end if;
    update app.shopify_event as e
    set payload = private.shopify_scrub_pii(e.payload)
    where e.shop_id = p_shop_id
        and (p_customer_id is null
             or e.payload #>> '{customer,id}' = p_customer_id::text
             or (e.topic in ('customers/create', 'customers/update', 'backfill/customer')
                 and e.payload ->> 'id' = p_customer_id::text)
             or (e.topic like any (array['orders/%', 'backfill/order'])
                 and e.payload ->> 'id' = any (p_order_ids::text[])));
    get diagnostics v_count = row_count;
    update app.shopify_dead_letter as d
    set payload = private.shopify_scrub_pii(d.payload)
    where d.shop_id = p_shop_id
        and (p_customer_id is null
             or d.payload #>> '{customer,id}' = p_customer_id::text
             or d.payload ->> 'id' = any (p_order_ids::text[])
             or (d.topic like 'customers/%' and d.payload ->> 'id' = p_customer_id::text));
    return v_count;
end
$$;

comment on function private.shopify_redact(uuid, bigint, bigint[]) is 'customers/redact (a customer and their orders) or shop/redact (null customer): deletes personal data and scrubs it from raw payloads and dead letters; every figure stays.';

grant execute on function private.shopify_redact(uuid, bigint, bigint[]) to service_role;

create function private.shopify_customer_data(p_shop_id uuid, p_customer_id bigint)
    returns jsonb
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.jsonb_build_object(
        'customer', (select pg_catalog.to_jsonb(p) - 'shop_id'
                     from app.shopify_customer_pii as p
                     where p.shop_id = p_shop_id and p.customer_id = p_customer_id),
        'orders', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                'order_id', o.order_id, 'name', o.name, 'created_at', o.created_at,
                                'total_price', o.total_price) order by o.created_at)
                            from app.shopify_order as o
                            where o.shop_id = p_shop_id and o.customer_id = p_customer_id), '[]'))
$$;

comment on function private.shopify_customer_data(uuid, bigint) is 'What storepulse holds about a customer, for customers/data_request.';

grant execute on function private.shopify_customer_data(uuid, bigint) to service_role;

create function private.shopify_apply_shop_update(p_shop_id uuid, p_payload jsonb)
    returns text
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop app.shop;
    v_tz text;
begin
    perform private.shopify_expect(p_payload, 'updated_at', 'timestamp', '$');
    perform private.shopify_expect(p_payload, 'iana_timezone', 'text', '$', false);
    perform private.shopify_expect(p_payload, 'currency', 'text', '$', false);
    select * into v_shop from app.shop as s where s.shop_id = p_shop_id for update;
    if (p_payload ->> 'updated_at')::timestamptz <= v_shop.updated_at then
        return 'stale';
    end if;
    v_tz := coalesce(p_payload ->> 'iana_timezone', v_shop.iana_timezone);
    update app.shop as s
    set name = coalesce(p_payload ->> 'name', s.name),
        currency = coalesce(p_payload ->> 'currency', s.currency),
        iana_timezone = v_tz,
        updated_at = (p_payload ->> 'updated_at')::timestamptz
    where s.shop_id = p_shop_id;
    if v_tz <> v_shop.iana_timezone then
        -- days move with the time zone: re-bucket every order and refund, then rebuild
        update app.shopify_order as o
        set local_date = (o.created_at at time zone v_tz)::date,
            local_hour = extract(hour from o.created_at at time zone v_tz)::smallint
        where o.shop_id = p_shop_id;
        update app.shopify_refund as r
        set local_date = (r.created_at at time zone v_tz)::date,
            local_hour = extract(hour from r.created_at at time zone v_tz)::smallint
        where r.shop_id = p_shop_id;
        perform private.rebuild_sales_rollups(p_shop_id);
    end if;
    return 'applied';
end
$$;

comment on function private.shopify_apply_shop_update(uuid, jsonb) is 'shop/update: name, currency and time zone; a new time zone re-buckets every order and refund and rebuilds the rollups.';

grant execute on function private.shopify_apply_shop_update(uuid, jsonb) to service_role;

create function private.shopify_dispatch(p_shop_id uuid, p_topic text, p_payload jsonb,
                                         p_triggered_at timestamptz)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_outcome text;
begin
    if pg_catalog.jsonb_typeof(p_payload) is distinct from 'object' then
        raise exception 'payload must be a JSON object' using errcode = '22023', column = 'payload';
    end if;
    case
        when p_topic = 'orders/edited' and p_payload ? 'order_edit' then
            -- the orders/updated Shopify sends with it carries the edited order
            return pg_catalog.jsonb_build_object('outcome', 'recorded');
        when p_topic in ('orders/create', 'orders/updated', 'orders/cancelled', 'orders/paid',
                         'orders/edited', 'backfill/order') then
            perform private.shopify_check_order(p_payload, '$');
            select a.outcome into v_outcome
            from private.shopify_apply_orders(p_shop_id, pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic = 'orders/delete' then
            perform private.shopify_expect(p_payload, 'id', 'id', '$');
            perform private.shopify_delete_order(p_shop_id, (p_payload ->> 'id')::bigint,
                                                 coalesce(p_triggered_at, pg_catalog.now()));
            v_outcome := 'applied';
        when p_topic = 'refunds/create' then
            perform private.shopify_check_refund(p_payload, '$');
            v_outcome := case when private.shopify_apply_refunds(
                p_shop_id, pg_catalog.jsonb_build_array(p_payload)) > 0 then 'applied' else 'stale' end;
        when p_topic in ('products/create', 'products/update', 'backfill/product') then
            perform private.shopify_check_product(p_payload, '$');
            v_outcome := case when private.shopify_apply_products(
                p_shop_id, pg_catalog.jsonb_build_array(p_payload)) > 0 then 'applied' else 'stale' end;
        when p_topic = 'products/delete' then
            perform private.shopify_expect(p_payload, 'id', 'id', '$');
            perform private.shopify_delete_product(p_shop_id, (p_payload ->> 'id')::bigint,
                                                   coalesce(p_triggered_at, pg_catalog.now()));
            v_outcome := 'applied';
        when p_topic in ('customers/create', 'customers/update', 'backfill/customer') then
            perform private.shopify_check_customer(p_payload, '$');
            perform private.shopify_expect(p_payload, 'updated_at', 'timestamp', '$');
            v_outcome := case when private.shopify_apply_customers(
                p_shop_id, pg_catalog.jsonb_build_array(p_payload)) > 0 then 'applied' else 'stale' end;
        when p_topic = 'backfill/inventory_item' then
            perform private.shopify_check_inventory_item(p_payload, '$');
            v_outcome := case when private.shopify_apply_inventory_items(
                p_shop_id, pg_catalog.jsonb_build_array(p_payload)) > 0 then 'applied' else 'stale' end;
        when p_topic = 'shop/update' then
            v_outcome := private.shopify_apply_shop_update(p_shop_id, p_payload);
        when p_topic = 'customers/data_request' then
            perform private.shopify_expect(p_payload, 'customer', 'object', '$');
            perform private.shopify_expect(p_payload -> 'customer', 'id', 'id', '$.customer');
            return pg_catalog.jsonb_build_object('outcome', 'recorded', 'data',
                private.shopify_customer_data(p_shop_id, (p_payload #>> '{customer,id}')::bigint));
        when p_topic = 'customers/redact' then
            perform private.shopify_expect(p_payload, 'customer', 'object', '$');
            perform private.shopify_expect(p_payload -> 'customer', 'id', 'id', '$.customer');
            perform private.shopify_expect(p_payload, 'orders_to_redact', 'array', '$', false);
            perform private.shopify_redact(p_shop_id, (p_payload #>> '{customer,id}')::bigint,
                array(select pg_catalog.jsonb_array_elements_text(
                    coalesce(p_payload -> 'orders_to_redact', '[]'))::bigint));
            return pg_catalog.jsonb_build_object('outcome', 'recorded');
        when p_topic = 'shop/redact' then
            perform private.shopify_redact(p_shop_id, null, '{}');
            return pg_catalog.jsonb_build_object('outcome', 'recorded');
        else
            raise exception 'unknown topic %', p_topic
                using errcode = '22023', column = 'topic',
                    hint = 'See README.md for the topics storepulse ingests.';
    end case;
    return pg_catalog.jsonb_build_object('outcome', v_outcome);
end
$$;

comment on function private.shopify_dispatch(uuid, text, jsonb, timestamptz) is 'Validates a payload for its topic (22023 naming the field) and applies it. Returns {"outcome": applied | stale | recorded, ...}.';

grant execute on function private.shopify_dispatch(uuid, text, jsonb, timestamptz) to service_role;

create function private.shopify_shop_by_domain(p_shop_domain text)
    returns app.shop
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
declare
    v_shop app.shop;
begin
    select * into v_shop from app.shop as s where s.shopify_domain = pg_catalog.lower(p_shop_domain);
    if not found then
        raise exception 'no shop with domain %', coalesce(p_shop_domain, 'null')
            using errcode = '22023', column = 'shop_domain',
                hint = 'Create the shop first (api.create_shop), with its myshopify.com domain.';
    end if;
    return v_shop;
end
$$;

comment on function private.shopify_shop_by_domain(text) is 'The shop for a myshopify.com domain, or 22023 naming shop_domain.';

grant execute on function private.shopify_shop_by_domain(text) to service_role;

create function private.is_retryable_sqlstate(p_sqlstate text)
    returns boolean
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    -- serialization and deadlocks, resources, lock waits, operator intervention, connections
    select pg_catalog.left(p_sqlstate, 2) in ('40', '53', '55', '57', '08')
$$;

comment on function private.is_retryable_sqlstate(text) is 'Whether an error is worth retrying (contention, resources, connections) rather than dead-lettering the payload.';

grant execute on function private.is_retryable_sqlstate(text) to service_role;

create function private.shopify_try(p_shop_id uuid, p_shopify_event_id bigint, p_topic text,
                                    p_payload jsonb, p_triggered_at timestamptz)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_result jsonb;
    v_state text;
    v_message text;
    v_field text;
    v_dead_letter_id bigint;
begin
    begin
        v_result := private.shopify_dispatch(p_shop_id, p_topic, p_payload, p_triggered_at);
    exception when others then
        get stacked diagnostics v_state = returned_sqlstate, v_message = message_text,
            v_field = column_name;
        if private.is_retryable_sqlstate(v_state) then
            raise;
        end if;
        insert into app.shopify_dead_letter (shop_id, shopify_event_id, topic, error_code,
            error_message, error_field, payload)
        values (p_shop_id, p_shopify_event_id, p_topic, v_state, v_message, nullif(v_field, ''),
                p_payload)
        returning dead_letter_id into v_dead_letter_id;
        update app.shopify_event as e set status = 'dead_lettered'
        where e.shop_id = p_shop_id and e.shopify_event_id = p_shopify_event_id;
        return pg_catalog.jsonb_build_object('outcome', 'dead_lettered', 'code', v_state,
            'message', v_message, 'field', nullif(v_field, ''), 'dead_letter_id', v_dead_letter_id);
    end;
    update app.shopify_event as e
    set status = case when v_result ->> 'outcome' = 'recorded' then 'recorded'
                      when v_result ->> 'outcome' = 'stale' then 'stale' else 'applied' end
    where e.shop_id = p_shop_id and e.shopify_event_id = p_shopify_event_id;
    return v_result;
end
$$;

comment on function private.shopify_try(uuid, bigint, text, jsonb, timestamptz) is 'Applies one landed payload in a subtransaction; on failure records a dead letter with SQLSTATE, message and field instead (retryable errors are raised).';

grant execute on function private.shopify_try(uuid, bigint, text, jsonb, timestamptz) to service_role;

create function private.analyze_shopify_tables_if_stale()
    returns integer
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
-- plpgsql_check takes the ANALYZE run through EXECUTE for a read and asks for STABLE:
-- @plpgsql_check_options: performance_warnings = false
declare
    v_table regclass;
    v_count integer := 0;
begin
    -- A bulk load outruns autovacuum: plans cached while the tables were nearly empty
    -- (ours and the foreign-key checks') keep scanning as they grow. Analyzing once the
    -- changes since the last analyze reach a fifth of a table re-plans them; over a load
    -- that happens a logarithmic number of times. Definer: only the owner may analyze.
    for v_table in
        select t.relid::regclass
        from pg_catalog.pg_stat_user_tables as t
        where t.schemaname = 'app'
            and t.relname in ('shopify_order', 'shopify_order_line', 'shopify_customer',
                              'shopify_refund', 'shopify_refund_line', 'shopify_variant',
                              'sales_daily', 'sales_hourly', 'sales_product_daily')
            and t.n_mod_since_analyze > 500 + 0.2 * t.n_live_tup
    loop
        execute pg_catalog.format('analyze %s', v_table);
        v_count := v_count + 1;
    end loop;
    return v_count;
end
$$;

comment on function private.analyze_shopify_tables_if_stale() is 'Analyzes the Shopify tables whose statistics a bulk load has outgrown (changes since the last analyze above 500 + 20 % of the rows); returns how many. Called after each backfill page.';

grant execute on function private.analyze_shopify_tables_if_stale() to service_role;

create function api.ingest_shopify_webhook(
    topic text,
    shop_domain text,
    webhook_id text,
    event_id text default null,
    triggered_at timestamptz default null,
    api_version text default null,
    payload jsonb default null,
    raw_body text default null,
    hmac text default null
)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop app.shop;
    v_payload jsonb := ingest_shopify_webhook.payload;
    v_event_id text := coalesce(ingest_shopify_webhook.event_id, ingest_shopify_webhook.webhook_id);
    v_secret text;
    v_verified boolean;
    v_shopify_event_id bigint;
    v_duplicate boolean;
    v_result jsonb;
begin
    if ingest_shopify_webhook.topic is null then
        raise exception 'topic is missing' using errcode = '22023', column = 'topic';
    end if;
    if v_event_id is null then
        raise exception 'event_id (X-Shopify-Event-Id) or webhook_id is needed to absorb duplicates'
            using errcode = '22023', column = 'event_id';
    end if;
    v_shop := private.shopify_shop_by_domain(ingest_shopify_webhook.shop_domain);
    if ingest_shopify_webhook.raw_body is not null then
        begin
            if v_payload is null then
                v_payload := ingest_shopify_webhook.raw_body::jsonb;
            elsif v_payload <> ingest_shopify_webhook.raw_body::jsonb then
                raise exception 'payload differs from raw_body' using errcode = '22023', column = 'payload';
            end if;
        exception when invalid_text_representation then
            raise exception 'raw_body is not JSON' using errcode = '22023', column = 'raw_body';
        end;
    end if;
    if v_payload is null then
        raise exception 'payload (or raw_body) is missing' using errcode = '22023', column = 'payload';
    end if;
    if ingest_shopify_webhook.hmac is not null then
        if ingest_shopify_webhook.raw_body is null then
            raise exception 'an HMAC is verified against the raw body: send raw_body with it'
                using errcode = '22023', column = 'raw_body';
        end if;
        select w.secret into v_secret from private.shopify_webhook_secret as w
        where w.shop_id = v_shop.shop_id;
        if v_secret is null then
            raise exception 'shop % has no webhook secret to verify the HMAC with', v_shop.shopify_domain
                using errcode = '42501', hint = 'Set it with api.set_shopify_webhook_secret.';
        end if;
        v_verified := pg_catalog.encode(private.hmac_sha256(
            pg_catalog.convert_to(v_secret, 'UTF8'),
            pg_catalog.convert_to(ingest_shopify_webhook.raw_body, 'UTF8')), 'base64')
            = ingest_shopify_webhook.hmac;
        if not v_verified then
            raise exception 'HMAC does not match the body: refusing the webhook'
                using errcode = '42501', column = 'hmac',
                    hint = 'Sign the exact raw body with the shop''s app secret (base64 HMAC-SHA256).';
        end if;
    end if;

    insert into app.shopify_event as e (shop_id, source, topic, webhook_id, event_id,
        triggered_at, api_version, hmac_verified, payload, status)
    values (v_shop.shop_id, 'webhook', ingest_shopify_webhook.topic,
        ingest_shopify_webhook.webhook_id, v_event_id, ingest_shopify_webhook.triggered_at,
        ingest_shopify_webhook.api_version, v_verified, v_payload, 'applied')
    on conflict on constraint unique_shopify_event_event_id do update
    set deliveries = e.deliveries + 1, last_received_at = pg_catalog.now()
    returning e.shopify_event_id, (e.xmax <> 0) into v_shopify_event_id, v_duplicate;
    if v_duplicate then
        return pg_catalog.jsonb_build_object('outcome', 'duplicate',
            'shopify_event_id', v_shopify_event_id);
    end if;

    v_result := private.shopify_try(v_shop.shop_id, v_shopify_event_id,
        ingest_shopify_webhook.topic, v_payload, ingest_shopify_webhook.triggered_at);
    if v_result ->> 'outcome' = 'dead_lettered' then
        perform pg_catalog.set_config('response.status', '400', true);
    end if;
    return v_result || pg_catalog.jsonb_build_object('shopify_event_id', v_shopify_event_id);
end
$$;

comment on function api.ingest_shopify_webhook(text, text, text, text, timestamptz, text, jsonb, text, text) is 'Ingests one Shopify webhook (service_role only): lands it raw, absorbs duplicate event ids, ignores stale versions, applies it, or dead-letters it with HTTP 400 naming the field. Verifies the HMAC against the raw body when one is given.';

grant execute on function api.ingest_shopify_webhook(text, text, text, text, timestamptz, text, jsonb, text, text) to service_role;

create function api.ingest_shopify_backfill(shop_domain text, resources jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop app.shop;
    v_ids bigint[];
    v_stale bigint[];
    v_row record;
    v_result jsonb;
    v_dead integer := 0;
begin
    v_shop := private.shopify_shop_by_domain(ingest_shopify_backfill.shop_domain);
    if pg_catalog.jsonb_typeof(ingest_shopify_backfill.resources) is distinct from 'array' then
        raise exception 'resources must be a JSON array of {"kind": ..., "resource": {...}}'
            using errcode = '22023', column = 'resources';
    end if;
    -- every resource lands raw first, in order
    with landed as (
        insert into app.shopify_event (shop_id, source, topic, payload, status)
        select v_shop.shop_id, 'backfill', 'backfill/' || coalesce(r.value ->> 'kind', '?'),
            coalesce(r.value -> 'resource', r.value), 'applied'
        from pg_catalog.jsonb_array_elements(ingest_shopify_backfill.resources)
            with ordinality as r (value, n)
        order by r.n
        returning shopify_event_id
    )
    select array_agg(l.shopify_event_id order by l.shopify_event_id) into v_ids from landed as l;

    begin
        -- fast path: the whole page, set-based, when it is well-formed throughout
        if not private.shopify_page_looks_valid(ingest_shopify_backfill.resources) then
            raise exception 'page needs the field-by-field path' using errcode = '22023';
        end if;
        perform private.shopify_apply_products(v_shop.shop_id, pg_catalog.jsonb_path_query_array(
            ingest_shopify_backfill.resources, '$[*] ? (@.kind == "product").resource'));
        perform private.shopify_apply_inventory_items(v_shop.shop_id, pg_catalog.jsonb_path_query_array(
            ingest_shopify_backfill.resources, '$[*] ? (@.kind == "inventory_item").resource'));
        perform private.shopify_apply_customers(v_shop.shop_id, pg_catalog.jsonb_path_query_array(
            ingest_shopify_backfill.resources, '$[*] ? (@.kind == "customer").resource'));
        v_stale := array(
            select a.order_id
            from private.shopify_apply_orders(v_shop.shop_id, pg_catalog.jsonb_path_query_array(
                ingest_shopify_backfill.resources, '$[*] ? (@.kind == "order").resource')) as a
            where a.outcome = 'stale');
        if pg_catalog.cardinality(v_stale) > 0 then
            update app.shopify_event as e set status = 'stale'
            where e.shop_id = v_shop.shop_id
                and e.shopify_event_id = any (v_ids)
                and e.topic = 'backfill/order'
                and (e.payload ->> 'id')::bigint = any (v_stale);
        end if;
        perform private.analyze_shopify_tables_if_stale();
        return pg_catalog.jsonb_build_object('received', pg_catalog.cardinality(v_ids),
            'dead_lettered', 0, 'stale', pg_catalog.cardinality(v_stale));
    exception when others then
        if private.is_retryable_sqlstate(sqlstate) then
            raise;
        end if;
    end;

    -- slow path: one resource at a time, so the bad ones are found and named
    for v_row in
        select e.shopify_event_id, e.topic, e.payload
        from app.shopify_event as e
        where e.shop_id = v_shop.shop_id and e.shopify_event_id = any (v_ids)
        order by e.shopify_event_id
    loop
        v_result := private.shopify_try(v_shop.shop_id, v_row.shopify_event_id, v_row.topic,
                                        v_row.payload, null);
        v_dead := v_dead + (v_result ->> 'outcome' = 'dead_lettered')::integer;
    end loop;
    if v_dead > 0 then
        perform pg_catalog.set_config('response.status', '400', true);
    end if;
    return pg_catalog.jsonb_build_object('received', pg_catalog.cardinality(v_ids),
        'dead_lettered', v_dead,
        'stale', (select pg_catalog.count(*) from app.shopify_event as e
                  where e.shop_id = v_shop.shop_id and e.shopify_event_id = any (v_ids)
                      and e.status = 'stale'));
end
$$;

comment on function api.ingest_shopify_backfill(text, jsonb) is 'Ingests a page of Admin API resources [{"kind": "product" | "inventory_item" | "customer" | "order", "resource": {...}}] (service_role only). Same rules as webhooks; bad resources are dead-lettered one by one (HTTP 400) and the rest applied.';

grant execute on function api.ingest_shopify_backfill(text, jsonb) to service_role;

create function api.replay_shopify_dead_letters(shop_id uuid, dead_letter_ids bigint[] default null)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_letter app.shopify_dead_letter;
    v_result jsonb;
    v_state text;
    v_message text;
    v_replayed integer := 0;
    v_failed integer := 0;
begin
    for v_letter in
        select * from app.shopify_dead_letter as d
        where d.shop_id = replay_shopify_dead_letters.shop_id
            and d.replayed_at is null
            and (replay_shopify_dead_letters.dead_letter_ids is null
                 or d.dead_letter_id = any (replay_shopify_dead_letters.dead_letter_ids))
        order by d.dead_letter_id
        for update
    loop
        begin
            v_result := private.shopify_dispatch(v_letter.shop_id, v_letter.topic, v_letter.payload, null);
            update app.shopify_dead_letter as d
            set replayed_at = pg_catalog.now(), replay_error = null
            where d.shop_id = v_letter.shop_id and d.dead_letter_id = v_letter.dead_letter_id;
            update app.shopify_event as e
            set status = case when v_result ->> 'outcome' = 'stale' then 'stale' else 'applied' end
            where e.shop_id = v_letter.shop_id and e.shopify_event_id = v_letter.shopify_event_id;
            v_replayed := v_replayed + 1;
        exception when others then
            get stacked diagnostics v_state = returned_sqlstate, v_message = message_text;
            if private.is_retryable_sqlstate(v_state) then
                raise;
            end if;
            update app.shopify_dead_letter as d
            set replay_error = v_state || ': ' || v_message
            where d.shop_id = v_letter.shop_id and d.dead_letter_id = v_letter.dead_letter_id;
            v_failed := v_failed + 1;
        end;
    end loop;
    return pg_catalog.jsonb_build_object('replayed', v_replayed, 'still_failing', v_failed);
end
$$;

comment on function api.replay_shopify_dead_letters(uuid, bigint[]) is 'Re-applies a shop''s waiting dead letters (all, or the given ids) after a fix; each one that still fails keeps its latest error (service_role only).';

grant execute on function api.replay_shopify_dead_letters(uuid, bigint[]) to service_role;

create function api.rebuild_sales_rollups(shop_id uuid)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    perform private.rebuild_sales_rollups(rebuild_sales_rollups.shop_id);
    return pg_catalog.jsonb_build_object('days', (
        select pg_catalog.count(*) from app.sales_daily as d
        where d.shop_id = rebuild_sales_rollups.shop_id));
end
$$;

comment on function api.rebuild_sales_rollups(uuid) is 'Recomputes a shop''s Sales Pulse rollups from scratch (service_role only); the result equals the incremental one.';

grant execute on function api.rebuild_sales_rollups(uuid) to service_role;

create function api.set_shopify_webhook_secret(shop_id uuid, secret text)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    if set_shopify_webhook_secret.secret is null or pg_catalog.length(set_shopify_webhook_secret.secret) < 16 then
        raise exception 'secret must be the app''s client secret (16 characters or more)'
            using errcode = '22023', column = 'secret';
    end if;
    insert into private.shopify_webhook_secret as w (shop_id, secret)
    values (set_shopify_webhook_secret.shop_id, set_shopify_webhook_secret.secret)
    on conflict on constraint pk_shopify_webhook_secret do update
    set secret = excluded.secret, updated_at = pg_catalog.now();
end
$$;

comment on function api.set_shopify_webhook_secret(uuid, text) is 'Sets the app secret webhooks of a shop are signed with (service_role only).';

grant execute on function api.set_shopify_webhook_secret(uuid, text) to service_role;
