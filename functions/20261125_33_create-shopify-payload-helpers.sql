-- Payload helpers for Shopify ingestion: HMAC, field checks that name the field, PII scrub.
-- depends: 20261125_32_create-shopify-policies
--
-- HMAC-SHA256 is written with the core sha256() so that no extension is needed
-- (pgcrypto is absent from some servers the demo runs on).

create function private.hmac_sha256(p_key bytea, p_message bytea)
    returns bytea
    language plpgsql
    immutable
    strict
    security invoker
    set search_path = ''
as $$
declare
    v_key bytea := p_key;
    v_inner bytea := pg_catalog.decode(pg_catalog.repeat('36', 64), 'hex');
    v_outer bytea := pg_catalog.decode(pg_catalog.repeat('5c', 64), 'hex');
begin
    if pg_catalog.length(v_key) > 64 then
        v_key := pg_catalog.sha256(v_key);
    end if;
    v_key := v_key || pg_catalog.decode(pg_catalog.repeat('00', 64 - pg_catalog.length(v_key)), 'hex');
    for i in 0..63 loop
        v_inner := pg_catalog.set_byte(v_inner, i, pg_catalog.get_byte(v_key, i) # 54);
        v_outer := pg_catalog.set_byte(v_outer, i, pg_catalog.get_byte(v_key, i) # 92);
    end loop;
    return pg_catalog.sha256(v_outer || pg_catalog.sha256(v_inner || p_message));
end
$$;

comment on function private.hmac_sha256(bytea, bytea) is 'HMAC-SHA256 (RFC 2104) of a message with a key, built on the core sha256(). Shopify signs webhook bodies with it.';

grant execute on function private.hmac_sha256(bytea, bytea) to service_role;

create function private.shopify_pattern(p_type text)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select case p_type
        when 'id' then '^[0-9]{1,18}$'
        when 'integer' then '^-?[0-9]{1,9}$'
        when 'count' then '^[0-9]{1,9}$'
        when 'decimal' then '^-?[0-9]{1,12}(\.[0-9]+)?$'
        when 'timestamp' then '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})$'
    end
$$;

comment on function private.shopify_pattern(text) is 'The regular expression a payload value of a type (id, integer, count, decimal, timestamp) must match; the one definition the field checks and the backfill page check share.';

grant execute on function private.shopify_pattern(text) to service_role;

create function private.shopify_expect(
    p_object jsonb,
    p_key text,
    p_type text,
    p_path text,
    p_required boolean default true
)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    v_value jsonb := p_object -> p_key;
    v_field text := p_path || '.' || p_key;
    v_kind text := pg_catalog.jsonb_typeof(v_value);
    v_text text := p_object ->> p_key;
    v_ok boolean;
begin
    if v_value is null or v_kind = 'null' then
        if p_required then
            raise exception '% is missing', v_field
                using errcode = '22023', column = v_field,
                    hint = 'Shopify always sends it; check the payload was not trimmed by include_fields.';
        end if;
        return;
    end if;
    v_ok := case p_type
        when 'id' then v_text ~ private.shopify_pattern('id')
        when 'integer' then v_kind = 'number' and v_text ~ private.shopify_pattern('integer')
        when 'count' then v_kind = 'number' and v_text ~ private.shopify_pattern('count')
        when 'decimal' then v_kind in ('string', 'number') and v_text ~ private.shopify_pattern('decimal')
        when 'boolean' then v_kind = 'boolean'
        when 'array' then v_kind = 'array'
        when 'object' then v_kind = 'object'
        when 'text' then v_kind = 'string'
        when 'timestamp' then v_kind = 'string' and v_text ~ private.shopify_pattern('timestamp')
        else false
    end;
    if not v_ok then
        raise exception '% must be %, got %', v_field,
            case p_type
                when 'id' then 'a Shopify id (a positive integer)'
                when 'count' then 'a whole number, zero or more'
                when 'decimal' then 'a decimal amount like "49.00"'
                when 'timestamp' then 'an ISO 8601 timestamp with an offset'
                else 'of JSON type ' || p_type
            end,
            pg_catalog.left(v_value::text, 60)
            using errcode = '22023', column = v_field;
    end if;
end
$$;

comment on function private.shopify_expect(jsonb, text, text, text, boolean) is 'Checks that a payload field is present (when required) and of a type: id, integer, count, decimal, boolean, array, object, text or timestamp. Raises 22023 naming the field''s JSON path.';

grant execute on function private.shopify_expect(jsonb, text, text, text, boolean) to service_role;

create function private.shopify_check_money_set(p_object jsonb, p_key text, p_path text)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    -- Money comes as "key": "49.00" and, in newer versions, "key_set": {shop_money: {amount}}.
    if p_object ? (p_key || '_set') then
        perform private.shopify_expect(p_object -> (p_key || '_set'), 'shop_money', 'object',
                                       p_path || '.' || p_key || '_set');
        perform private.shopify_expect(p_object -> (p_key || '_set') -> 'shop_money', 'amount',
                                       'decimal', p_path || '.' || p_key || '_set.shop_money');
    else
        perform private.shopify_expect(p_object, p_key, 'decimal', p_path);
    end if;
end
$$;

comment on function private.shopify_check_money_set(jsonb, text, text) is 'Checks a money field, given as <key>_set.shop_money.amount or as plain <key>.';

grant execute on function private.shopify_check_money_set(jsonb, text, text) to service_role;

create function private.shopify_check_customer(p_customer jsonb, p_path text)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    perform private.shopify_expect(p_customer, 'id', 'id', p_path);
    perform private.shopify_expect(p_customer, 'updated_at', 'timestamp', p_path, false);
    perform private.shopify_expect(p_customer, 'created_at', 'timestamp', p_path, false);
    perform private.shopify_expect(p_customer, 'email', 'text', p_path, false);
end
$$;

comment on function private.shopify_check_customer(jsonb, text) is 'Checks a customer resource (also the customer object inside an order).';

grant execute on function private.shopify_check_customer(jsonb, text) to service_role;

create function private.shopify_check_refund(p_refund jsonb, p_path text)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    v_item jsonb;
    v_i integer := 0;
begin
    perform private.shopify_expect(p_refund, 'id', 'id', p_path);
    perform private.shopify_expect(p_refund, 'order_id', 'id', p_path);
    perform private.shopify_expect(p_refund, 'created_at', 'timestamp', p_path);
    perform private.shopify_expect(p_refund, 'refund_line_items', 'array', p_path, false);
    for v_item in select * from pg_catalog.jsonb_array_elements(coalesce(p_refund -> 'refund_line_items', '[]')) loop
        perform private.shopify_expect(v_item, 'id', 'id', p_path || '.refund_line_items[' || v_i || ']');
        perform private.shopify_expect(v_item, 'line_item_id', 'id', p_path || '.refund_line_items[' || v_i || ']');
        perform private.shopify_expect(v_item, 'quantity', 'count', p_path || '.refund_line_items[' || v_i || ']');
        perform private.shopify_check_money_set(v_item, 'subtotal', p_path || '.refund_line_items[' || v_i || ']');
        perform private.shopify_check_money_set(v_item, 'total_tax', p_path || '.refund_line_items[' || v_i || ']');
        v_i := v_i + 1;
    end loop;
    v_i := 0;
    for v_item in select * from pg_catalog.jsonb_array_elements(coalesce(p_refund -> 'order_adjustments', '[]')) loop
        perform private.shopify_expect(v_item, 'id', 'id', p_path || '.order_adjustments[' || v_i || ']');
        perform private.shopify_expect(v_item, 'kind', 'text', p_path || '.order_adjustments[' || v_i || ']');
        perform private.shopify_check_money_set(v_item, 'amount', p_path || '.order_adjustments[' || v_i || ']');
        v_i := v_i + 1;
    end loop;
end
$$;

comment on function private.shopify_check_refund(jsonb, text) is 'Checks a refund resource: ids, created_at, refund line items and order adjustments.';

grant execute on function private.shopify_check_refund(jsonb, text) to service_role;

create function private.shopify_check_order(p_order jsonb, p_path text)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    v_item jsonb;
    v_alloc jsonb;
    v_i integer := 0;
    v_j integer;
begin
    perform private.shopify_expect(p_order, 'id', 'id', p_path);
    perform private.shopify_expect(p_order, 'created_at', 'timestamp', p_path);
    perform private.shopify_expect(p_order, 'updated_at', 'timestamp', p_path);
    perform private.shopify_expect(p_order, 'test', 'boolean', p_path, false);
    perform private.shopify_expect(p_order, 'cancelled_at', 'timestamp', p_path, false);
    perform private.shopify_check_money_set(p_order, 'total_tax', p_path);
    perform private.shopify_expect(p_order, 'line_items', 'array', p_path);
    for v_item in select * from pg_catalog.jsonb_array_elements(p_order -> 'line_items') loop
        perform private.shopify_expect(v_item, 'id', 'id', p_path || '.line_items[' || v_i || ']');
        perform private.shopify_expect(v_item, 'quantity', 'count', p_path || '.line_items[' || v_i || ']');
        perform private.shopify_check_money_set(v_item, 'price', p_path || '.line_items[' || v_i || ']');
        perform private.shopify_expect(v_item, 'product_id', 'id', p_path || '.line_items[' || v_i || ']', false);
        v_j := 0;
        for v_alloc in select * from pg_catalog.jsonb_array_elements(coalesce(v_item -> 'discount_allocations', '[]')) loop
            perform private.shopify_check_money_set(v_alloc, 'amount',
                p_path || '.line_items[' || v_i || '].discount_allocations[' || v_j || ']');
            v_j := v_j + 1;
        end loop;
        v_j := 0;
        for v_alloc in select * from pg_catalog.jsonb_array_elements(coalesce(v_item -> 'tax_lines', '[]')) loop
            perform private.shopify_check_money_set(v_alloc, 'price',
                p_path || '.line_items[' || v_i || '].tax_lines[' || v_j || ']');
            v_j := v_j + 1;
        end loop;
        v_i := v_i + 1;
    end loop;
    v_i := 0;
    for v_item in select * from pg_catalog.jsonb_array_elements(coalesce(p_order -> 'shipping_lines', '[]')) loop
        perform private.shopify_check_money_set(v_item, 'price', p_path || '.shipping_lines[' || v_i || ']');
        v_i := v_i + 1;
    end loop;
    if pg_catalog.jsonb_typeof(p_order -> 'customer') = 'object' then
        perform private.shopify_check_customer(p_order -> 'customer', p_path || '.customer');
    end if;
    v_i := 0;
    for v_item in select * from pg_catalog.jsonb_array_elements(coalesce(p_order -> 'refunds', '[]')) loop
        perform private.shopify_check_refund(v_item, p_path || '.refunds[' || v_i || ']');
        v_i := v_i + 1;
    end loop;
end
$$;

comment on function private.shopify_check_order(jsonb, text) is 'Checks an order resource field by field (ids, timestamps, money, line items, refunds), raising 22023 that names the first bad field.';

grant execute on function private.shopify_check_order(jsonb, text) to service_role;

create function private.shopify_check_product(p_product jsonb, p_path text)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
declare
    v_item jsonb;
    v_i integer := 0;
begin
    perform private.shopify_expect(p_product, 'id', 'id', p_path);
    perform private.shopify_expect(p_product, 'title', 'text', p_path);
    perform private.shopify_expect(p_product, 'updated_at', 'timestamp', p_path);
    perform private.shopify_expect(p_product, 'variants', 'array', p_path, false);
    for v_item in select * from pg_catalog.jsonb_array_elements(coalesce(p_product -> 'variants', '[]')) loop
        perform private.shopify_expect(v_item, 'id', 'id', p_path || '.variants[' || v_i || ']');
        perform private.shopify_expect(v_item, 'price', 'decimal', p_path || '.variants[' || v_i || ']');
        perform private.shopify_expect(v_item, 'inventory_item_id', 'id', p_path || '.variants[' || v_i || ']', false);
        v_i := v_i + 1;
    end loop;
end
$$;

comment on function private.shopify_check_product(jsonb, text) is 'Checks a product resource and its variants.';

grant execute on function private.shopify_check_product(jsonb, text) to service_role;

create function private.shopify_check_inventory_item(p_item jsonb, p_path text)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    perform private.shopify_expect(p_item, 'id', 'id', p_path);
    perform private.shopify_expect(p_item, 'cost', 'decimal', p_path, false);
    perform private.shopify_expect(p_item, 'updated_at', 'timestamp', p_path);
end
$$;

comment on function private.shopify_check_inventory_item(jsonb, text) is 'Checks an inventory item resource (unit cost).';

grant execute on function private.shopify_check_inventory_item(jsonb, text) to service_role;

create function private.shopify_page_looks_valid(p_resources jsonb)
    returns boolean
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    -- One pass over a backfill page: ids, timestamps, counts and amounts of every resource
    -- match their patterns. A page that fails goes through the field-by-field checks.
    with r as (
        select 'backfill/' || coalesce(l ->> 'kind', '?') as topic, l -> 'resource' as p
        from pg_catalog.jsonb_array_elements(p_resources) as l
    )
    select not exists (
        select
        from r
        where r.topic not in ('backfill/product', 'backfill/inventory_item', 'backfill/customer',
                              'backfill/order')
            or pg_catalog.jsonb_typeof(r.p) is distinct from 'object'
            or not coalesce(r.p ->> 'id' ~ private.shopify_pattern('id'), false)
            or not coalesce(r.p ->> 'updated_at' ~ private.shopify_pattern('timestamp'), false)
            or (r.topic = 'backfill/order' and (
                not coalesce(r.p ->> 'created_at' ~ private.shopify_pattern('timestamp'), false)
                or r.p ->> 'cancelled_at' !~ private.shopify_pattern('timestamp')
                or coalesce(r.p #>> '{total_tax_set,shop_money,amount}', r.p ->> 'total_tax', '0')
                    !~ private.shopify_pattern('decimal')
                or pg_catalog.jsonb_typeof(r.p -> 'line_items') is distinct from 'array'
                or exists (
                    select
                    from pg_catalog.jsonb_array_elements(r.p -> 'line_items') as li
                    where not coalesce(li ->> 'id' ~ private.shopify_pattern('id'), false)
                        or not coalesce(li ->> 'quantity' ~ private.shopify_pattern('count'), false)
                        or not coalesce(coalesce(li #>> '{price_set,shop_money,amount}', li ->> 'price')
                                        ~ private.shopify_pattern('decimal'), false))
                or exists (
                    select
                    from pg_catalog.jsonb_array_elements(coalesce(r.p -> 'refunds', '[]')) as rf
                    where not coalesce(rf ->> 'created_at' ~ private.shopify_pattern('timestamp'), false)
                        or not coalesce(rf ->> 'id' ~ private.shopify_pattern('id'), false))))
            or (r.topic = 'backfill/inventory_item'
                and r.p ->> 'cost' !~ private.shopify_pattern('decimal'))
    )
$$;

comment on function private.shopify_page_looks_valid(jsonb) is 'Whether every resource of a backfill page has well-formed ids, timestamps, counts and amounts (one set-based pass; the fast path''s guard).';

grant execute on function private.shopify_page_looks_valid(jsonb) to service_role;

create function private.shopify_scrub_pii(p_payload jsonb)
    returns jsonb
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    select case
        when pg_catalog.jsonb_typeof(p_payload -> 'customer') = 'object' then
            pg_catalog.jsonb_set(
                p_payload - '{email,contact_email,phone,billing_address,shipping_address,client_details,first_name,last_name,addresses,default_address,note}'::text[],
                '{customer}',
                pg_catalog.jsonb_build_object('id', p_payload -> 'customer' -> 'id', 'redacted', true)
            )
        else
            p_payload - '{email,contact_email,phone,billing_address,shipping_address,client_details,first_name,last_name,addresses,default_address,note}'::text[]
    end
$$;

comment on function private.shopify_scrub_pii(jsonb) is 'A payload without personal data: emails, phones, names, addresses, client details; the customer object keeps only its id.';

grant execute on function private.shopify_scrub_pii(jsonb) to service_role;
