drop function api.replay_dead_letters(uuid, text, bigint[]);

create or replace function private.analyze_shopify_tables_if_stale()
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

create or replace function api.replay_shopify_dead_letters(shop_id uuid, dead_letter_ids bigint[] default null)
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

create or replace function api.ingest_shopify_backfill(shop_domain text, resources jsonb)
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

create or replace function api.ingest_shopify_webhook(
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
