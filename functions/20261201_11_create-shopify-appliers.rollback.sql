drop function private.shopify_redact(uuid, bigint, bigint[], text[]);

drop function private.shopify_apply_page(uuid, jsonb);

drop function private.shopify_apply(uuid, text, jsonb, jsonb);

drop function private.shopify_apply_shop(uuid, jsonb, timestamptz);

drop function private.shopify_apply_inventory_items(uuid, jsonb);

drop function private.shopify_delete_product(uuid, bigint, timestamptz);

drop function private.shopify_apply_products(uuid, jsonb);

drop function private.shopify_delete_order(uuid, bigint, timestamptz);

drop function private.shopify_apply_refunds(uuid, jsonb);

drop function private.shopify_apply_orders(uuid, jsonb);

drop function private.shopify_apply_customers(uuid, jsonb, timestamptz);

drop function private.shopify_insert_refunds(uuid, text, jsonb);

drop function private.raise_if_repeated(bigint[], text);

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

create function private.shopify_insert_refunds(p_shop_id uuid, p_tz text, p_refunds jsonb)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_new bigint[];
begin
    -- refunds never change once made: a known refund id is skipped, lines and all
    with incoming as (
        select distinct on ((r ->> 'id')::bigint) r
        from pg_catalog.jsonb_array_elements(p_refunds) as r
        order by (r ->> 'id')::bigint
    ),
    inserted as (
        insert into app.shopify_refund (shop_id, refund_id, order_id, created_at,
            processed_at, note, local_date, local_hour)
        select p_shop_id, (i.r ->> 'id')::bigint, (i.r ->> 'order_id')::bigint,
            (i.r ->> 'created_at')::timestamptz, (i.r ->> 'processed_at')::timestamptz,
            i.r ->> 'note',
            ((i.r ->> 'created_at')::timestamptz at time zone p_tz)::date,
            extract(hour from (i.r ->> 'created_at')::timestamptz at time zone p_tz)::smallint
        from incoming as i
        on conflict (shop_id, refund_id) do nothing
        returning refund_id
    )
    select array_agg(inserted.refund_id) into v_new from inserted;
    if v_new is null then
        return 0;
    end if;

    insert into app.shopify_refund_line (shop_id, refund_id, refund_line_id, order_id,
        line_item_id, quantity, restock_type, subtotal, total_tax)
    select p_shop_id, (r ->> 'id')::bigint, (li ->> 'id')::bigint, (r ->> 'order_id')::bigint,
        (li ->> 'line_item_id')::bigint, (li ->> 'quantity')::integer, li ->> 'restock_type',
        coalesce(li #>> '{subtotal_set,shop_money,amount}', li ->> 'subtotal')::numeric,
        coalesce(li #>> '{total_tax_set,shop_money,amount}', li ->> 'total_tax', '0')::numeric
    from pg_catalog.jsonb_array_elements(p_refunds) as r,
        pg_catalog.jsonb_array_elements(coalesce(r -> 'refund_line_items', '[]')) as li
    where (r ->> 'id')::bigint = any (v_new)
    on conflict do nothing;

    insert into app.shopify_order_adjustment (shop_id, refund_id, adjustment_id, order_id,
        kind, amount, tax_amount, reason)
    select p_shop_id, (r ->> 'id')::bigint, (a ->> 'id')::bigint, (r ->> 'order_id')::bigint,
        a ->> 'kind',
        coalesce(a #>> '{amount_set,shop_money,amount}', a ->> 'amount')::numeric,
        coalesce(a #>> '{tax_amount_set,shop_money,amount}', a ->> 'tax_amount', '0')::numeric,
        a ->> 'reason'
    from pg_catalog.jsonb_array_elements(p_refunds) as r,
        pg_catalog.jsonb_array_elements(coalesce(r -> 'order_adjustments', '[]')) as a
    where (r ->> 'id')::bigint = any (v_new)
    on conflict do nothing;

    insert into app.shopify_transaction (shop_id, transaction_id, order_id, refund_id, kind,
        status, gateway, amount, processed_at, is_test)
    select p_shop_id, (t ->> 'id')::bigint, (r ->> 'order_id')::bigint, (r ->> 'id')::bigint,
        t ->> 'kind', t ->> 'status', t ->> 'gateway',
        coalesce(t #>> '{amount_set,shop_money,amount}', t ->> 'amount')::numeric,
        (t ->> 'processed_at')::timestamptz, coalesce((t ->> 'test')::boolean, false)
    from pg_catalog.jsonb_array_elements(p_refunds) as r,
        pg_catalog.jsonb_array_elements(coalesce(r -> 'transactions', '[]')) as t
    where (r ->> 'id')::bigint = any (v_new)
    on conflict do nothing;
    return pg_catalog.array_length(v_new, 1);
end
$$;

comment on function private.shopify_insert_refunds(uuid, text, jsonb) is 'Stores new refunds with their lines, adjustments and transactions; known refund ids are skipped. Leaves the rollups to the caller.';

grant execute on function private.shopify_insert_refunds(uuid, text, jsonb) to service_role;

create function private.shopify_apply_customers(p_shop_id uuid, p_customers jsonb)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_count integer;
begin
    with incoming as (
        select distinct on ((c ->> 'id')::bigint) (c ->> 'id')::bigint as customer_id,
            (c ->> 'updated_at')::timestamptz as updated_at, c
        from pg_catalog.jsonb_array_elements(p_customers) as c
        where c ->> 'updated_at' is not null
        order by (c ->> 'id')::bigint, (c ->> 'updated_at')::timestamptz desc
    ),
    applied as (
        insert into app.shopify_customer as t (shop_id, customer_id, created_at, updated_at,
            state, tags)
        select p_shop_id, i.customer_id, (i.c ->> 'created_at')::timestamptz, i.updated_at,
            i.c ->> 'state', i.c ->> 'tags'
        from incoming as i
        on conflict (shop_id, customer_id) do update
        set created_at = coalesce(excluded.created_at, t.created_at),
            updated_at = excluded.updated_at, state = excluded.state, tags = excluded.tags
        where excluded.updated_at > t.updated_at
        returning t.customer_id, t.redacted_at
    )
    insert into app.shopify_customer_pii as t (shop_id, customer_id, email, first_name,
        last_name, phone, default_address, updated_at)
    select p_shop_id, i.customer_id, i.c ->> 'email', i.c ->> 'first_name',
        i.c ->> 'last_name', i.c ->> 'phone', i.c -> 'default_address', i.updated_at
    from incoming as i
        join applied as a on a.customer_id = i.customer_id
    where a.redacted_at is null
    on conflict (shop_id, customer_id) do update
    set email = excluded.email, first_name = excluded.first_name,
        last_name = excluded.last_name, phone = excluded.phone,
        default_address = excluded.default_address, updated_at = excluded.updated_at;
    get diagnostics v_count = row_count;
    return v_count;
end
$$;

comment on function private.shopify_apply_customers(uuid, jsonb) is 'Stores customers newer than the stored version; personal data goes to app.shopify_customer_pii, never again once the customer is redacted.';

grant execute on function private.shopify_apply_customers(uuid, jsonb) to service_role;

create function private.shopify_apply_orders(p_shop_id uuid, p_orders jsonb)
    returns table (order_id bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_tz text;
    v_ids bigint[];
    v_winners bigint[];
    v_winning jsonb;
    v_customers bigint[];
begin
    select s.iana_timezone into v_tz from app.shop as s where s.shop_id = p_shop_id;
    v_ids := array(
        select distinct (o ->> 'id')::bigint from pg_catalog.jsonb_array_elements(p_orders) as o);
    perform private.lock_shopify_orders(p_shop_id, v_ids);
    -- the newest incoming version of each order wins if it is newer than what is stored
    select array_agg(x.id order by x.id)
    into v_winners
    from (
        select distinct on ((o ->> 'id')::bigint) (o ->> 'id')::bigint as id,
            (o ->> 'updated_at')::timestamptz as updated_at
        from pg_catalog.jsonb_array_elements(p_orders) as o
        order by (o ->> 'id')::bigint, (o ->> 'updated_at')::timestamptz desc
    ) as x
        left join app.shopify_order as s
            on s.shop_id = p_shop_id
            and s.order_id = x.id
    where (s.order_id is null or x.updated_at > s.updated_at)
        and not exists (
            select from app.shopify_order_deletion as d
            where d.shop_id = p_shop_id and d.order_id = x.id
        );
    v_winners := coalesce(v_winners, '{}');
    if pg_catalog.cardinality(v_winners) = pg_catalog.jsonb_array_length(p_orders) then
        v_winning := p_orders;  -- every order of the batch wins, each once (the usual case)
    else
        select coalesce(pg_catalog.jsonb_agg(x.o), '[]')
        into v_winning
        from (
            select distinct on ((o ->> 'id')::bigint) o
            from pg_catalog.jsonb_array_elements(p_orders) as o
            where (o ->> 'id')::bigint = any (v_winners)
            order by (o ->> 'id')::bigint, (o ->> 'updated_at')::timestamptz desc
        ) as x;
    end if;

    -- customers these orders belonged to before (an edit may change the customer)
    v_customers := array(
        select o.customer_id from app.shopify_order as o
        where o.shop_id = p_shop_id and o.order_id = any (v_winners) and o.customer_id is not null);

    if pg_catalog.cardinality(v_winners) > 0 then
        perform private.apply_sales_contributions(p_shop_id, v_winners, -1);

        insert into app.shopify_order as t (shop_id, order_id, name, created_at, processed_at,
            updated_at, cancelled_at, cancel_reason, is_test, financial_status,
            fulfillment_status, currency, subtotal_price, total_discounts, total_tax,
            total_shipping, total_price, customer_id, source_name, landing_site, referring_site,
            tags, local_date, local_hour)
        select p_shop_id, (o ->> 'id')::bigint, o ->> 'name', (o ->> 'created_at')::timestamptz,
            (o ->> 'processed_at')::timestamptz, (o ->> 'updated_at')::timestamptz,
            (o ->> 'cancelled_at')::timestamptz, o ->> 'cancel_reason',
            coalesce((o ->> 'test')::boolean, false), o ->> 'financial_status',
            o ->> 'fulfillment_status', coalesce(o ->> 'currency', s.currency),
            coalesce(o #>> '{subtotal_price_set,shop_money,amount}', o ->> 'subtotal_price')::numeric,
            coalesce(o #>> '{total_discounts_set,shop_money,amount}', o ->> 'total_discounts', '0')::numeric,
            coalesce(o #>> '{total_tax_set,shop_money,amount}', o ->> 'total_tax', '0')::numeric,
            coalesce(o #>> '{total_shipping_price_set,shop_money,amount}',
                (select pg_catalog.sum(coalesce(sl #>> '{price_set,shop_money,amount}', sl ->> 'price')::numeric)::text
                 from pg_catalog.jsonb_array_elements(coalesce(o -> 'shipping_lines', '[]')) as sl),
                '0')::numeric,
            coalesce(o #>> '{total_price_set,shop_money,amount}', o ->> 'total_price')::numeric,
            (o #>> '{customer,id}')::bigint, o ->> 'source_name', o ->> 'landing_site',
            o ->> 'referring_site', o ->> 'tags',
            ((o ->> 'created_at')::timestamptz at time zone v_tz)::date,
            extract(hour from (o ->> 'created_at')::timestamptz at time zone v_tz)::smallint
        from pg_catalog.jsonb_array_elements(v_winning) as o
            join app.shop as s on s.shop_id = p_shop_id
        on conflict on constraint pk_shopify_order do update
        set name = excluded.name, created_at = excluded.created_at,
            processed_at = excluded.processed_at, updated_at = excluded.updated_at,
            cancelled_at = excluded.cancelled_at, cancel_reason = excluded.cancel_reason,
            is_test = excluded.is_test, financial_status = excluded.financial_status,
            fulfillment_status = excluded.fulfillment_status, currency = excluded.currency,
            subtotal_price = excluded.subtotal_price, total_discounts = excluded.total_discounts,
            total_tax = excluded.total_tax, total_shipping = excluded.total_shipping,
            total_price = excluded.total_price, customer_id = excluded.customer_id,
            source_name = excluded.source_name, landing_site = excluded.landing_site,
            referring_site = excluded.referring_site, tags = excluded.tags,
            local_date = excluded.local_date, local_hour = excluded.local_hour;

        delete from app.shopify_order_line as l
        where l.shop_id = p_shop_id and l.order_id = any (v_winners);
        insert into app.shopify_order_line (shop_id, order_id, line_item_id, product_id,
            variant_id, sku, title, variant_title, quantity, price, discount, tax,
            is_gift_card, requires_shipping)
        select p_shop_id, (o ->> 'id')::bigint, (li ->> 'id')::bigint, (li ->> 'product_id')::bigint,
            (li ->> 'variant_id')::bigint, li ->> 'sku', li ->> 'title', li ->> 'variant_title',
            (li ->> 'quantity')::integer,
            coalesce(li #>> '{price_set,shop_money,amount}', li ->> 'price')::numeric,
            coalesce((select pg_catalog.sum(coalesce(a #>> '{amount_set,shop_money,amount}', a ->> 'amount')::numeric)
                      from pg_catalog.jsonb_array_elements(coalesce(li -> 'discount_allocations', '[]')) as a), 0),
            coalesce((select pg_catalog.sum(coalesce(tl #>> '{price_set,shop_money,amount}', tl ->> 'price')::numeric)
                      from pg_catalog.jsonb_array_elements(coalesce(li -> 'tax_lines', '[]')) as tl), 0),
            coalesce((li ->> 'gift_card')::boolean, false), (li ->> 'requires_shipping')::boolean
        from pg_catalog.jsonb_array_elements(v_winning) as o,
            pg_catalog.jsonb_array_elements(o -> 'line_items') as li;

        delete from app.shopify_order_discount_code as d
        where d.shop_id = p_shop_id and d.order_id = any (v_winners);
        insert into app.shopify_order_discount_code (shop_id, order_id, code, amount, discount_type)
        select p_shop_id, (o ->> 'id')::bigint, dc ->> 'code', pg_catalog.sum((dc ->> 'amount')::numeric),
            pg_catalog.min(dc ->> 'type')
        from pg_catalog.jsonb_array_elements(v_winning) as o,
            pg_catalog.jsonb_array_elements(coalesce(o -> 'discount_codes', '[]')) as dc
        where dc ->> 'code' is not null
        group by (o ->> 'id')::bigint, dc ->> 'code';

        perform private.shopify_insert_refunds(p_shop_id, v_tz,
            coalesce((select pg_catalog.jsonb_agg(r)
                      from pg_catalog.jsonb_array_elements(v_winning) as o,
                          pg_catalog.jsonb_array_elements(coalesce(o -> 'refunds', '[]')) as r),
                     '[]'));

        perform private.apply_sales_contributions(p_shop_id, v_winners, 1);

        perform private.shopify_apply_customers(p_shop_id,
            coalesce((select pg_catalog.jsonb_agg(
                          case when o -> 'customer' ? 'updated_at' then o -> 'customer'
                               else (o -> 'customer')
                                    || pg_catalog.jsonb_build_object('updated_at', o -> 'updated_at')
                          end)
                      from pg_catalog.jsonb_array_elements(v_winning) as o
                      where pg_catalog.jsonb_typeof(o -> 'customer') = 'object'),
                     '[]'));
    end if;

    perform private.refresh_first_orders(p_shop_id, v_customers || array(
        select (o #>> '{customer,id}')::bigint from pg_catalog.jsonb_array_elements(v_winning) as o
        where o #>> '{customer,id}' is not null));

    return query
    select i, case when i = any (v_winners) then 'applied' else 'stale' end
    from pg_catalog.unnest(v_ids) as i;
end
$$;

comment on function private.shopify_apply_orders(uuid, jsonb) is 'Applies order resources (with their line items, discount codes, refunds and customer) where newer than the stored version, keeping the rollups exact. Returns applied or stale per order.';

grant execute on function private.shopify_apply_orders(uuid, jsonb) to service_role;

create function private.shopify_apply_refunds(p_shop_id uuid, p_refunds jsonb)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_tz text;
    v_orders bigint[];
    v_count integer;
begin
    select s.iana_timezone into v_tz from app.shop as s where s.shop_id = p_shop_id;
    v_orders := array(select distinct (r ->> 'order_id')::bigint
                      from pg_catalog.jsonb_array_elements(p_refunds) as r);
    perform private.lock_shopify_orders(p_shop_id, v_orders);
    perform private.apply_sales_contributions(p_shop_id, v_orders, -1);
    v_count := private.shopify_insert_refunds(p_shop_id, v_tz, p_refunds);
    perform private.apply_sales_contributions(p_shop_id, v_orders, 1);
    return v_count;
end
$$;

comment on function private.shopify_apply_refunds(uuid, jsonb) is 'Applies refunds/create payloads: new refunds are stored and their orders'' contributions recomputed (a refund whose order is not known yet counts once the order arrives).';

grant execute on function private.shopify_apply_refunds(uuid, jsonb) to service_role;

create function private.shopify_delete_order(p_shop_id uuid, p_order_id bigint, p_deleted_at timestamptz)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_customer_id bigint;
begin
    perform private.lock_shopify_orders(p_shop_id, array[p_order_id]);
    perform private.apply_sales_contributions(p_shop_id, array[p_order_id], -1);
    delete from app.shopify_order as o
    where o.shop_id = p_shop_id and o.order_id = p_order_id
    returning o.customer_id into v_customer_id;
    insert into app.shopify_order_deletion (shop_id, order_id, deleted_at)
    values (p_shop_id, p_order_id, p_deleted_at)
    on conflict do nothing;
    perform private.refresh_first_orders(p_shop_id, array[v_customer_id]);
end
$$;

comment on function private.shopify_delete_order(uuid, bigint, timestamptz) is 'orders/delete: removes the order (its figures leave the rollups) and leaves a tombstone that ignores any later version.';

grant execute on function private.shopify_delete_order(uuid, bigint, timestamptz) to service_role;

create function private.shopify_apply_products(p_shop_id uuid, p_products jsonb)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_winners bigint[];
begin
    with incoming as (
        select distinct on ((p ->> 'id')::bigint) (p ->> 'id')::bigint as product_id,
            (p ->> 'updated_at')::timestamptz as updated_at, p
        from pg_catalog.jsonb_array_elements(p_products) as p
        order by (p ->> 'id')::bigint, (p ->> 'updated_at')::timestamptz desc
    ),
    applied as (
        insert into app.shopify_product as t (shop_id, product_id, title, handle, product_type,
            vendor, status, tags, created_at, updated_at)
        select p_shop_id, i.product_id, i.p ->> 'title', i.p ->> 'handle', i.p ->> 'product_type',
            i.p ->> 'vendor', i.p ->> 'status', i.p ->> 'tags', (i.p ->> 'created_at')::timestamptz,
            i.updated_at
        from incoming as i
        on conflict (shop_id, product_id) do update
        set title = excluded.title, handle = excluded.handle,
            product_type = excluded.product_type, vendor = excluded.vendor,
            status = excluded.status, tags = excluded.tags, created_at = excluded.created_at,
            updated_at = excluded.updated_at
        where excluded.updated_at > t.updated_at
        returning t.product_id
    )
    select array_agg(a.product_id) into v_winners from applied as a;
    if v_winners is null then
        return 0;
    end if;
    delete from app.shopify_variant as v
    where v.shop_id = p_shop_id and v.product_id = any (v_winners);
    insert into app.shopify_variant (shop_id, variant_id, product_id, sku, title, price,
        compare_at_price, inventory_item_id, updated_at)
    select p_shop_id, (v ->> 'id')::bigint, (p ->> 'id')::bigint, v ->> 'sku', v ->> 'title',
        (v ->> 'price')::numeric, (v ->> 'compare_at_price')::numeric,
        (v ->> 'inventory_item_id')::bigint, (p ->> 'updated_at')::timestamptz
    from pg_catalog.jsonb_array_elements(p_products) as p,
        pg_catalog.jsonb_array_elements(coalesce(p -> 'variants', '[]')) as v
    where (p ->> 'id')::bigint = any (v_winners)
        and (p ->> 'updated_at')::timestamptz = (
            select t.updated_at from app.shopify_product as t
            where t.shop_id = p_shop_id and t.product_id = (p ->> 'id')::bigint)
    on conflict do nothing;
    return pg_catalog.array_length(v_winners, 1);
end
$$;

comment on function private.shopify_apply_products(uuid, jsonb) is 'Stores products (and replaces their variants) where newer than the stored version. A deletion, once recorded, stays.';

grant execute on function private.shopify_apply_products(uuid, jsonb) to service_role;

create function private.shopify_delete_product(p_shop_id uuid, p_product_id bigint, p_deleted_at timestamptz)
    returns void
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    insert into app.shopify_product as t (shop_id, product_id, updated_at, deleted_at)
    values (p_shop_id, p_product_id, '-infinity', p_deleted_at)
    on conflict (shop_id, product_id) do update
    set deleted_at = coalesce(t.deleted_at, excluded.deleted_at)
$$;

comment on function private.shopify_delete_product(uuid, bigint, timestamptz) is 'products/delete: marks the product deleted (keeping its row for past orders); a deletion that arrives first leaves a row later versions fill in.';

grant execute on function private.shopify_delete_product(uuid, bigint, timestamptz) to service_role;

create function private.shopify_apply_inventory_items(p_shop_id uuid, p_items jsonb)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_count integer;
begin
    insert into app.shopify_inventory_item as t (shop_id, inventory_item_id, sku, unit_cost,
        is_tracked, updated_at)
    select distinct on ((i ->> 'id')::bigint) p_shop_id, (i ->> 'id')::bigint, i ->> 'sku',
        (i ->> 'cost')::numeric, (i ->> 'tracked')::boolean, (i ->> 'updated_at')::timestamptz
    from pg_catalog.jsonb_array_elements(p_items) as i
    order by (i ->> 'id')::bigint, (i ->> 'updated_at')::timestamptz desc
    on conflict (shop_id, inventory_item_id) do update
    set sku = excluded.sku, unit_cost = excluded.unit_cost, is_tracked = excluded.is_tracked,
        updated_at = excluded.updated_at
    where excluded.updated_at > t.updated_at;
    get diagnostics v_count = row_count;
    return v_count;
end
$$;

comment on function private.shopify_apply_inventory_items(uuid, jsonb) is 'Stores inventory items (unit costs) newer than the stored version.';

grant execute on function private.shopify_apply_inventory_items(uuid, jsonb) to service_role;

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
