-- Undo: restore private.shopify_apply_orders, private.shopify_apply,
-- private.shopify_apply_page and private.shopify_redact as they were, and drop the
-- fulfillment appliers.

CREATE OR REPLACE FUNCTION private.shopify_apply_orders(p_shop_id uuid, p_orders jsonb) RETURNS TABLE(ordinal bigint, outcome text)
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
#variable_conflict use_column
declare
    v_tz text;
    v_currency text;
    v_ids bigint[];
    v_winners bigint[];
    v_ordinals bigint[];
    v_winning jsonb;
    v_state jsonb;
begin
    select s.iana_timezone, s.currency::text into v_tz, v_currency
    from app.shop as s
    where s.shop_id = p_shop_id;
    -- the keys alone, to lock the orders before their stored versions are read
    v_ids := array(select distinct (i.value #>> '{}')::bigint
                   from pg_catalog.jsonb_array_elements(
                       pg_catalog.jsonb_path_query_array(p_orders, '$[*].id')) as i (value));
    perform private.lock_shopify_orders(p_shop_id, v_ids);
    -- the newest incoming version of each order wins if it is newer than the stored one
    -- and the order was not deleted
    select coalesce(pg_catalog.array_agg(x.order_id order by x.order_id), '{}'),
        coalesce(pg_catalog.array_agg(x.ordinal order by x.order_id), '{}')
    into v_winners, v_ordinals
    from (
        select distinct on (o.order_id) o.order_id, o.updated_at, o.ordinal
        from private.shopify_order_rows(p_orders) as o
        order by o.order_id, o.updated_at desc, o.ordinal desc
    ) as x
    -- the stored version by key, a probe per element (see shopify_apply_customers)
    where x.updated_at > coalesce((select s.updated_at
                                   from app.shopify_order as s
                                   where s.shop_id = p_shop_id
                                       and s.order_id = x.order_id), '-infinity')
        and not exists (
            select
            from app.shopify_order_deletion as d
            where d.shop_id = p_shop_id
                and d.order_id = x.order_id);
    if pg_catalog.cardinality(v_winners) > 0 then
        if pg_catalog.cardinality(v_winners) = pg_catalog.jsonb_array_length(p_orders) then
            v_winning := p_orders;  -- every order of the batch wins, each once (the usual case)
        else
            v_winning := (
                select pg_catalog.jsonb_agg(e.value order by e.n)
                from pg_catalog.jsonb_array_elements(p_orders) with ordinality as e (value, n)
                where e.n = any (v_ordinals));
        end if;
        v_state := private.changing(p_shop_id, 'shopify_order', v_winners);

        insert into app.shopify_order as t (shop_id, order_id, name, created_at, processed_at,
            updated_at, cancelled_at, cancel_reason, is_test, financial_status,
            fulfillment_status, currency, subtotal_price, total_discounts, total_tax,
            total_shipping, total_price, customer_id, source_name, landing_site, referring_site,
            tags, local_date, local_hour)
        select p_shop_id, o.order_id, o.name, o.created_at, o.processed_at, o.updated_at,
            o.cancelled_at, o.cancel_reason, o.is_test, o.financial_status, o.fulfillment_status,
            coalesce(o.currency, v_currency), o.subtotal_price, o.total_discounts, o.total_tax,
            o.total_shipping, o.total_price, o.customer_id, o.source_name, o.landing_site,
            o.referring_site, o.tags, (o.created_at at time zone v_tz)::date,
            extract(hour from o.created_at at time zone v_tz)::smallint
        from private.shopify_order_rows(v_winning) as o
        on conflict on constraint pk_shopify_order do update
        set name = excluded.name,
            created_at = excluded.created_at,
            processed_at = excluded.processed_at,
            updated_at = excluded.updated_at,
            cancelled_at = excluded.cancelled_at,
            cancel_reason = excluded.cancel_reason,
            is_test = excluded.is_test,
            financial_status = excluded.financial_status,
            fulfillment_status = excluded.fulfillment_status,
            currency = excluded.currency,
            subtotal_price = excluded.subtotal_price,
            total_discounts = excluded.total_discounts,
            total_tax = excluded.total_tax,
            total_shipping = excluded.total_shipping,
            total_price = excluded.total_price,
            customer_id = excluded.customer_id,
            source_name = excluded.source_name,
            landing_site = excluded.landing_site,
            referring_site = excluded.referring_site,
            tags = excluded.tags,
            local_date = excluded.local_date,
            local_hour = excluded.local_hour;

        -- the latest version's lines replace the stored ones; a line keeps the unit cost it
        -- was first stored with (the cost of the units when sold), a new one takes its
        -- variant's current cost
        with replaced as (
            delete from app.shopify_order_line as l
            where l.shop_id = p_shop_id
                and l.order_id = any (v_winners)
            returning l.order_id, l.line_item_id, l.unit_cost
        )
        insert into app.shopify_order_line (shop_id, order_id, line_item_id, product_id,
            variant_id, sku, title, variant_title, quantity, price, discount, tax,
            is_gift_card, requires_shipping, unit_cost)
        select p_shop_id, l.order_id, l.line_item_id, l.product_id, l.variant_id, l.sku, l.title,
            l.variant_title, l.quantity, l.price, l.discount, l.tax, l.is_gift_card,
            l.requires_shipping, coalesce(r.unit_cost, (
                -- the variant's cost by key, a probe per line
                select i.unit_cost
                from app.shopify_variant as v
                    join app.shopify_inventory_item as i
                        on i.shop_id = v.shop_id
                        and i.inventory_item_id = v.inventory_item_id
                where v.shop_id = p_shop_id
                    and v.variant_id = l.variant_id))
        from private.shopify_line_item_rows(v_winning) as l
            left join replaced as r
                on r.order_id = l.order_id
                and r.line_item_id = l.line_item_id;

        delete from app.shopify_order_discount_code as d
        where d.shop_id = p_shop_id
            and d.order_id = any (v_winners);
        insert into app.shopify_order_discount_code (shop_id, order_id, code, amount, discount_type)
        select p_shop_id, c.order_id, c.code, pg_catalog.sum(c.amount), pg_catalog.min(c.discount_type)
        from private.shopify_discount_code_rows(v_winning) as c
        where c.code is not null
        group by c.order_id, c.code;

        perform private.shopify_insert_refunds(p_shop_id, v_tz,
            pg_catalog.jsonb_path_query_array(v_winning, '$[*].refunds[*]'));

        perform private.changed(p_shop_id, 'shopify_order', v_winners, v_state);

        -- the buyers: a customer object without updated_at is as new as its order
        perform private.shopify_apply_customers(p_shop_id, coalesce((
            select pg_catalog.jsonb_agg(case
                when pg_catalog.jsonb_typeof(e.value -> 'customer' -> 'updated_at') = 'string'
                    then e.value -> 'customer'
                else (e.value -> 'customer')
                    || pg_catalog.jsonb_build_object('updated_at', e.value -> 'updated_at')
                end order by e.n)
            from pg_catalog.jsonb_array_elements(v_winning) with ordinality as e (value, n)
            where pg_catalog.jsonb_typeof(e.value -> 'customer') = 'object'), '[]'), null);
    end if;
    return query
        select n.n, case when n.n = any (v_ordinals) then 'applied' else 'stale' end
        from pg_catalog.generate_series(1::bigint,
            pg_catalog.jsonb_array_length(p_orders)::bigint) as n (n);
end
$_$;

COMMENT ON FUNCTION private.shopify_apply_orders(p_shop_id uuid, p_orders jsonb) IS 'Stores order resources (with their line items, discount codes, refunds and buyer) where newer than the stored version and not deleted. Returns applied or stale per element; reports shopify_order (and shopify_customer).';

CREATE OR REPLACE FUNCTION private.shopify_apply(p_shop_id uuid, p_topic text, p_payload jsonb, p_context jsonb) RETURNS jsonb
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
    v_outcome text;
    v_at timestamptz := coalesce((p_context ->> 'triggered_at')::timestamptz, pg_catalog.now());
begin
    -- the payload has passed its resource's checks (private.inbound_topic)
    case
        when p_topic = 'orders/edited' and p_payload ? 'order_edit' then
            -- the orders/updated Shopify sends with it carries the edited order
            return pg_catalog.jsonb_build_object('outcome', 'recorded');
        when p_topic in ('orders/create', 'orders/updated', 'orders/cancelled', 'orders/paid',
                         'orders/edited', 'backfill/order') then
            select a.outcome into v_outcome
            from private.shopify_apply_orders(p_shop_id, pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic = 'orders/delete' then
            perform private.shopify_delete_order(p_shop_id, d.order_id, v_at)
            from private.shopify_order_deletion_rows(pg_catalog.jsonb_build_array(p_payload)) as d;
            v_outcome := 'applied';
        when p_topic = 'refunds/create' then
            select a.outcome into v_outcome
            from private.shopify_apply_refunds(p_shop_id, pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic in ('products/create', 'products/update', 'backfill/product') then
            select a.outcome into v_outcome
            from private.shopify_apply_products(p_shop_id, pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic = 'products/delete' then
            perform private.shopify_delete_product(p_shop_id, d.product_id, v_at)
            from private.shopify_product_deletion_rows(pg_catalog.jsonb_build_array(p_payload)) as d;
            v_outcome := 'applied';
        when p_topic in ('customers/create', 'customers/update', 'backfill/customer') then
            select a.outcome into v_outcome
            from private.shopify_apply_customers(p_shop_id, pg_catalog.jsonb_build_array(p_payload),
                                                 v_at) as a;
        when p_topic = 'backfill/inventory_item' then
            select a.outcome into v_outcome
            from private.shopify_apply_inventory_items(p_shop_id,
                                                       pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic in ('inventory_levels/update', 'inventory_levels/connect',
                         'backfill/inventory_level') then
            select a.outcome into v_outcome
            from private.shopify_apply_levels(p_shop_id, pg_catalog.jsonb_build_array(p_payload),
                                              v_at, false) as a;
        when p_topic = 'inventory_levels/disconnect' then
            select a.outcome into v_outcome
            from private.shopify_apply_levels(p_shop_id, pg_catalog.jsonb_build_array(p_payload),
                                              v_at, true) as a;
        when p_topic in ('inventory_items/create', 'inventory_items/update') then
            select a.outcome into v_outcome
            from private.shopify_apply_inventory_items(p_shop_id,
                                                       pg_catalog.jsonb_build_array(p_payload)) as a;
        when p_topic = 'inventory_items/delete' then
            perform private.shopify_delete_inventory_item(p_shop_id, d.inventory_item_id, v_at)
            from private.shopify_inventory_item_deletion_rows(pg_catalog.jsonb_build_array(p_payload)) as d;
            v_outcome := 'applied';
        when p_topic in ('locations/create', 'locations/update', 'backfill/location') then
            select a.outcome into v_outcome
            from private.shopify_apply_locations(p_shop_id, pg_catalog.jsonb_build_array(p_payload),
                                                 v_at) as a;
        when p_topic = 'locations/delete' then
            perform private.shopify_delete_location(p_shop_id, d.location_id, v_at)
            from private.shopify_location_deletion_rows(pg_catalog.jsonb_build_array(p_payload)) as d;
            v_outcome := 'applied';
        when p_topic = 'shop/update' then
            v_outcome := private.shopify_apply_shop(p_shop_id, p_payload, v_at);
        when p_topic = 'customers/data_request' then
            return pg_catalog.jsonb_build_object('outcome', 'recorded', 'data',
                private.shopify_customer_data(p_shop_id, (p_payload #>> '{customer,id}')::bigint));
        when p_topic = 'customers/redact' then
            perform private.shopify_redact(p_shop_id, (p_payload #>> '{customer,id}')::bigint,
                array(select pg_catalog.jsonb_array_elements_text(
                    coalesce(nullif(p_payload -> 'orders_to_redact', 'null'), '[]'))::bigint),
                array(select v.value
                      from pg_catalog.jsonb_each_text(p_payload -> 'customer') as v
                      where v.key <> 'id' and v.value is not null));
            return pg_catalog.jsonb_build_object('outcome', 'recorded', 'store_scrubbed', true);
        when p_topic = 'shop/redact' then
            perform private.shopify_redact(p_shop_id, null, '{}', '{}');
            return pg_catalog.jsonb_build_object('outcome', 'recorded', 'store_scrubbed', true);
        else
            raise exception 'no Shopify applier for topic %', p_topic
                using errcode = '22023', column = 'topic',
                    hint = 'A topic in private.inbound_topic needs a branch in private.shopify_apply.';
    end case;
    return pg_catalog.jsonb_build_object('outcome', v_outcome);
end
$$;

COMMENT ON FUNCTION private.shopify_apply(p_shop_id uuid, p_topic text, p_payload jsonb, p_context jsonb) IS 'Shopify''s applier (private.inbound_source): normalises one checked payload of a topic into the model (orders, refunds, products, customers, inventory items, levels and locations, the shop). Returns {"outcome": applied | stale | recorded, ...}; customers/data_request answers with the data held; the redaction topics ask for their own bodies to be kept scrubbed (store_scrubbed).';

CREATE OR REPLACE FUNCTION private.shopify_apply_page(p_shop_id uuid, p_resources jsonb) RETURNS TABLE(ordinal bigint, outcome text)
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $_$
#variable_conflict use_column
declare
    v_kinds text[];
    v_kind text;
    v_items jsonb;
    v_ordinals bigint[];
begin
    -- the kinds alone, small: which resources of the page each applier gets
    v_kinds := array(select pg_catalog.jsonb_array_elements_text(
        pg_catalog.jsonb_path_query_array(p_resources, '$[*].kind')));
    -- catalog first, then locations and their levels, then customers, then orders (whose
    -- lines take their variants' costs)
    foreach v_kind in array array['product', 'inventory_item', 'location', 'inventory_level',
                                  'customer', 'order'] loop
        v_ordinals := array(
            select k.n
            from pg_catalog.unnest(v_kinds) with ordinality as k (kind, n)
            where k.kind = v_kind
            order by k.n);
        if pg_catalog.cardinality(v_ordinals) = 0 then
            continue;
        end if;
        v_items := pg_catalog.jsonb_path_query_array(p_resources,
            '$[*] ? (@.kind == $kind).resource', pg_catalog.jsonb_build_object('kind', v_kind));
        if v_kind = 'product' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_products(p_shop_id, v_items) as a;
        elsif v_kind = 'inventory_item' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_inventory_items(p_shop_id, v_items) as a;
        elsif v_kind = 'location' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_locations(p_shop_id, v_items, pg_catalog.now()) as a;
        elsif v_kind = 'inventory_level' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_levels(p_shop_id, v_items, pg_catalog.now(), false) as a;
        elsif v_kind = 'customer' then
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_customers(p_shop_id, v_items, pg_catalog.now()) as a;
        else
            return query
                select v_ordinals[a.ordinal], a.outcome
                from private.shopify_apply_orders(p_shop_id, v_items) as a;
        end if;
    end loop;
end
$_$;

COMMENT ON FUNCTION private.shopify_apply_page(p_shop_id uuid, p_resources jsonb) IS 'Shopify''s page applier (private.inbound_source): applies a checked backfill page set-based, kind by kind (products, inventory items, locations, inventory levels, customers, orders). Returns (ordinal in the page, applied | stale) per resource.';

CREATE OR REPLACE FUNCTION private.shopify_redact(p_shop_id uuid, p_customer_id bigint, p_order_ids bigint[], p_known_values text[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
declare
    v_values text[];
begin
    -- what we know of the person, to find it wherever a payload holds it
    v_values := array(
        select v.value
        from app.shopify_customer_pii as p,
            pg_catalog.unnest(array[p.email, p.phone, p.first_name || ' ' || p.last_name]) as v (value)
        where p.shop_id = p_shop_id
            and p.customer_id = p_customer_id
            and v.value is not null) || coalesce(p_known_values, '{}');
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
    -- staff notes on their refunds may quote them
    update app.shopify_refund as r
    set note = null
    where r.shop_id = p_shop_id
        and r.note is not null
        and (p_customer_id is null
             or r.order_id = any (p_order_ids)
             or r.order_id in (
                select o.order_id
                from app.shopify_order as o
                where o.shop_id = p_shop_id
                    and o.customer_id = p_customer_id));
    return private.redact_inbound(p_shop_id, 'shopify', p_customer_id::text,
        coalesce(p_order_ids::text[], '{}'), v_values);
end
$$;

COMMENT ON FUNCTION private.shopify_redact(p_shop_id uuid, p_customer_id bigint, p_order_ids bigint[], p_known_values text[]) IS 'customers/redact (a customer and their orders, with any values the request names) or shop/redact (null customer): deletes personal data from the model and scrubs it from every kept raw body, wherever it sits; every figure stays. Returns how many bodies were scrubbed.';

drop function private.shopify_apply_order_versions(uuid, jsonb, timestamptz);

drop function private.shopify_apply_fulfillments(uuid, jsonb, timestamptz);

drop function private.shopify_delete_fulfillment_events(uuid, jsonb, timestamptz);

drop function private.shopify_apply_fulfillment_events(uuid, jsonb, timestamptz);

drop function private.carrier_key(uuid, text);

drop function private.carrier_alias_of(text);
