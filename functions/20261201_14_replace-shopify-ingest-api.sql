-- Shopify's ingestion entry points on the shared pipeline; the same calls, the same answers.
-- depends: 20261201_13_drop-shopify-event-policies
--
-- api.ingest_shopify_webhook verifies the HMAC against the raw body, then hands the
-- delivery to private.ingest_inbound: a body jsonb cannot hold (a \u0000, nested too
-- deep, not JSON) now lands as text and is dead-lettered with HTTP 400 and the reason,
-- instead of failing before anything lands. A well-formed topic storepulse has no
-- applier for is recorded as received and answered 200 (Shopify drops a subscription
-- that keeps failing). api.ingest_shopify_backfill hands its page to
-- private.ingest_inbound_page; api.replay_shopify_dead_letters replays Shopify's letters,
-- and api.replay_dead_letters any source's. The answers keep their keys (shopify_event_id
-- is the event's id in app.inbound_event).

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
    v_body jsonb;
    v_problem text[];
    v_event_id text := coalesce(ingest_shopify_webhook.event_id, ingest_shopify_webhook.webhook_id);
    v_secret text;
    v_verified boolean;
    v_result jsonb;
begin
    if ingest_shopify_webhook.topic is null then
        raise exception 'topic (X-Shopify-Topic) is missing' using errcode = '22023', column = 'topic';
    end if;
    if v_event_id is null then
        raise exception 'event_id (X-Shopify-Event-Id) or webhook_id is needed to absorb duplicates'
            using errcode = '22023', column = 'event_id';
    end if;
    v_shop := private.shopify_shop_by_domain(ingest_shopify_webhook.shop_domain);
    if ingest_shopify_webhook.hmac is not null then
        if ingest_shopify_webhook.raw_body is null then
            raise exception 'an HMAC is verified against the raw body: send raw_body with it'
                using errcode = '22023', column = 'raw_body';
        end if;
        select w.secret into v_secret
        from private.shopify_webhook_secret as w
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
    if ingest_shopify_webhook.raw_body is not null then
        select b.body, b.problem into v_body, v_problem
        from private.parse_inbound_body(ingest_shopify_webhook.raw_body) as b;
        if v_payload is not null and v_payload is distinct from v_body then
            raise exception 'payload differs from raw_body: send one, or the same body in both'
                using errcode = '22023', column = 'payload';
        end if;
        v_payload := v_body;
    elsif v_payload is null then
        raise exception 'payload (or raw_body) is missing' using errcode = '22023', column = 'payload';
    end if;
    v_result := private.ingest_inbound(v_shop.shop_id, 'shopify', ingest_shopify_webhook.topic,
        'webhook', v_event_id, ingest_shopify_webhook.webhook_id,
        ingest_shopify_webhook.triggered_at, ingest_shopify_webhook.api_version, v_verified,
        v_payload, case when v_payload is null then ingest_shopify_webhook.raw_body end,
        v_problem);
    if v_result ->> 'outcome' = 'dead_lettered' then
        perform pg_catalog.set_config('response.status', '400', true);
    end if;
    return v_result || pg_catalog.jsonb_build_object('shopify_event_id', v_result -> 'event_id');
end
$$;

comment on function api.ingest_shopify_webhook(text, text, text, text, timestamptz, text, jsonb, text, text) is 'Ingests one Shopify webhook (service_role only) through the shared pipeline: verifies the HMAC against the raw body when one is given, lands every delivery (as text when jsonb cannot hold it), absorbs duplicate event ids, ignores stale versions, records a well-formed topic it has no applier for, applies the rest, or dead-letters it with HTTP 400, the SQLSTATE and the field''s JSON path.';

create or replace function api.ingest_shopify_backfill(shop_domain text, resources jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop app.shop;
    v_result jsonb;
begin
    v_shop := private.shopify_shop_by_domain(ingest_shopify_backfill.shop_domain);
    if pg_catalog.jsonb_typeof(ingest_shopify_backfill.resources) is distinct from 'array' then
        raise exception 'resources must be a JSON array of {"kind": ..., "resource": {...}}'
            using errcode = '22023', column = 'resources';
    end if;
    v_result := private.ingest_inbound_page(v_shop.shop_id, 'shopify',
                                            ingest_shopify_backfill.resources);
    perform private.analyze_shopify_tables_if_stale();
    if (v_result ->> 'dead_lettered')::integer > 0 then
        perform pg_catalog.set_config('response.status', '400', true);
    end if;
    return v_result;
end
$$;

comment on function api.ingest_shopify_backfill(text, jsonb) is 'Ingests a page of Admin API resources [{"kind": "product" | "inventory_item" | "customer" | "order", "resource": {...}}] (service_role only) through the shared pipeline: set-based when the page is well-formed throughout, else one by one, so bad resources are dead-lettered with their field (HTTP 400) and the rest applied.';

create or replace function api.replay_shopify_dead_letters(shop_id uuid, dead_letter_ids bigint[] default null)
    returns jsonb
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    select private.replay_inbound_dead_letters(replay_shopify_dead_letters.shop_id, 'shopify',
                                               replay_shopify_dead_letters.dead_letter_ids)
$$;

comment on function api.replay_shopify_dead_letters(uuid, bigint[]) is 'Re-applies a shop''s waiting Shopify dead letters (all, or the given ids) after a fix; each one that still fails keeps its latest error (service_role only).';

create function api.replay_dead_letters(
    shop_id uuid,
    source text default null,
    dead_letter_ids bigint[] default null
)
    returns jsonb
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    select private.replay_inbound_dead_letters(replay_dead_letters.shop_id,
                                               replay_dead_letters.source,
                                               replay_dead_letters.dead_letter_ids)
$$;

comment on function api.replay_dead_letters(uuid, text, bigint[]) is 'Re-applies a shop''s waiting dead letters of any source (or of one; all, or the given ids) after a fix; each one that still fails keeps its latest error (service_role only).';

grant execute on function api.replay_dead_letters(uuid, text, bigint[]) to service_role;

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
                              'sales_daily', 'sales_hourly', 'sales_product_daily',
                              'sales_customer_first_order', 'inbound_event')
            and t.n_mod_since_analyze > 500 + 0.2 * t.n_live_tup
    loop
        execute pg_catalog.format('analyze %s', v_table);
        v_count := v_count + 1;
    end loop;
    return v_count;
end
$$;

comment on function private.analyze_shopify_tables_if_stale() is 'Analyzes the Shopify, sales and inbound tables whose statistics a bulk load has outgrown (changes since the last analyze above 500 + 20 % of the rows); returns how many. Called after each backfill page.';
