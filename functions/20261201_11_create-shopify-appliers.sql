-- Shopify's appliers on the shared pipeline: they normalise checked payloads and report what they touch.
-- depends: 20261201_10_create-sales-customer-policies
--
-- private.shopify_apply (one payload) and private.shopify_apply_page (a backfill page)
-- are Shopify's entries in private.inbound_source. They read typed rows through the
-- generated private.shopify_<resource>_rows functions, store the newest version of each
-- resource (an older or equal updated_at is stale, a deleted order stays deleted), and
-- report the keys they change with private.changing / private.changed: shopify_order,
-- shopify_customer, shopify_product, shopify_variant, shopify_inventory_item. They hold
-- no rollup logic: the sales rollups subscribe to shopify_order. Landing, dedupe,
-- checks, dead letters and replay are the pipeline's. A refund carried by an order must
-- belong to it (the checks refuse one naming another order).
-- The functions these replace (Shopify's own landing, checks and dispatch) are dropped;
-- the rollback restores them.
-- The functions dropped here are private (never a client's) and replaced in this file:
-- squawk-ignore-file ban-drop-function

drop function private.shopify_try(uuid, bigint, text, jsonb, timestamptz);

drop function private.shopify_dispatch(uuid, text, jsonb, timestamptz);

drop function private.shopify_apply_shop_update(uuid, jsonb);

drop function private.shopify_apply_inventory_items(uuid, jsonb);

drop function private.shopify_delete_product(uuid, bigint, timestamptz);

drop function private.shopify_apply_products(uuid, jsonb);

drop function private.shopify_delete_order(uuid, bigint, timestamptz);

drop function private.shopify_apply_refunds(uuid, jsonb);

drop function private.shopify_apply_orders(uuid, jsonb);

drop function private.shopify_apply_customers(uuid, jsonb);

drop function private.shopify_insert_refunds(uuid, text, jsonb);

drop function private.shopify_page_looks_valid(jsonb);

drop function private.shopify_check_inventory_item(jsonb, text);

drop function private.shopify_check_product(jsonb, text);

drop function private.shopify_check_order(jsonb, text);

drop function private.shopify_check_refund(jsonb, text);

drop function private.shopify_check_customer(jsonb, text);

drop function private.shopify_check_money_set(jsonb, text, text);

drop function private.shopify_expect(jsonb, text, text, text, boolean);

drop function private.shopify_pattern(text);

drop function private.shopify_scrub_pii(jsonb);

drop function private.shopify_redact(uuid, bigint, bigint[]);

create function private.raise_if_repeated(p_keys bigint[], p_what text)
    returns void
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    -- the checks refuse a key repeated within one array; a page applied set-based must
    -- refuse it too, so that it goes one by one and the checks name it
    if pg_catalog.cardinality(p_keys) > (select pg_catalog.count(distinct k) from pg_catalog.unnest(p_keys) as k) then
        raise exception '% repeat an id within one payload', p_what using errcode = '23505';
    end if;
end
$$;

comment on function private.raise_if_repeated(bigint[], text) is 'Raises 23505 when the keys hold a repeat: an applier''s guard that a repeated key is never silently merged.';

create function private.shopify_insert_refunds(p_shop_id uuid, p_tz text, p_refunds jsonb)
    returns bigint[]
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_new bigint[];
begin
    -- refunds never change once made: a known refund id is skipped, lines and all
    perform private.raise_if_repeated(
        array(select r.refund_id from private.shopify_refund_rows(p_refunds) as r), 'refunds');
    with inserted as (
        insert into app.shopify_refund (shop_id, refund_id, order_id, created_at,
            processed_at, note, local_date, local_hour)
        select p_shop_id, r.refund_id, r.order_id, r.created_at, r.processed_at, r.note,
            (r.created_at at time zone p_tz)::date,
            extract(hour from r.created_at at time zone p_tz)::smallint
        from private.shopify_refund_rows(p_refunds) as r
        on conflict (shop_id, refund_id) do nothing
        returning refund_id
    )
    select pg_catalog.array_agg(i.refund_id) into v_new from inserted as i;
    if v_new is null then
        return '{}'::bigint[];
    end if;
    insert into app.shopify_refund_line (shop_id, refund_id, refund_line_id, order_id,
        line_item_id, quantity, restock_type, subtotal, total_tax)
    select p_shop_id, l.refund_id, l.refund_line_id, r.order_id, l.line_item_id, l.quantity,
        l.restock_type, l.subtotal, l.total_tax
    from private.shopify_refund_line_item_rows(p_refunds) as l
        join private.shopify_refund_rows(p_refunds) as r
            on r.ordinal = l.ordinal
    where l.refund_id = any (v_new);
    insert into app.shopify_order_adjustment (shop_id, refund_id, adjustment_id, order_id,
        kind, amount, tax_amount, reason)
    select p_shop_id, a.refund_id, a.adjustment_id, r.order_id, a.kind, a.amount, a.tax_amount,
        a.reason
    from private.shopify_order_adjustment_rows(p_refunds) as a
        join private.shopify_refund_rows(p_refunds) as r
            on r.ordinal = a.ordinal
    where a.refund_id = any (v_new);
    insert into app.shopify_transaction (shop_id, transaction_id, order_id, refund_id, kind,
        status, gateway, amount, processed_at, is_test)
    select p_shop_id, t.transaction_id, r.order_id, t.refund_id, t.kind, t.status, t.gateway,
        t.amount, t.processed_at, t.is_test
    from private.shopify_transaction_rows(p_refunds) as t
        join private.shopify_refund_rows(p_refunds) as r
            on r.ordinal = t.ordinal
    where t.refund_id = any (v_new);
    return v_new;
end
$$;

comment on function private.shopify_insert_refunds(uuid, text, jsonb) is 'Stores new refunds with their lines, adjustments and transactions (a known refund id is skipped); returns the new refund ids. Reports nothing: its callers do.';

create function private.shopify_apply_customers(p_shop_id uuid, p_customers jsonb,
                                                p_version timestamptz)
    returns table (ordinal bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
declare
    v_winners bigint[];
    v_ordinals bigint[];
    v_state jsonb;
begin
    -- the newest element of each customer wins if newer than the stored version; one
    -- without updated_at (Shopify's samples send null) is as new as p_version
    select coalesce(pg_catalog.array_agg(w.customer_id order by w.customer_id), '{}'),
        coalesce(pg_catalog.array_agg(w.ordinal order by w.customer_id), '{}')
    into v_winners, v_ordinals
    from (
        select distinct on (c.customer_id) c.customer_id, c.ordinal,
            coalesce(c.updated_at, p_version) as version
        from private.shopify_customer_rows(p_customers) as c
        order by c.customer_id, coalesce(c.updated_at, p_version) desc, c.ordinal desc
    ) as w
    -- the stored version by key, a probe per element (a scalar subquery, never a hash of
    -- the shop's rows, whatever the statistics of a young shop say)
    where w.version > coalesce((select s.updated_at
                                from app.shopify_customer as s
                                where s.shop_id = p_shop_id
                                    and s.customer_id = w.customer_id), '-infinity');
    v_state := private.changing(p_shop_id, 'shopify_customer', v_winners);
    with incoming as (
        select c.*, coalesce(c.updated_at, p_version) as version
        from private.shopify_customer_rows(p_customers) as c
        where c.ordinal = any (v_ordinals)
    ),
    applied as (
        insert into app.shopify_customer as t (shop_id, customer_id, created_at, updated_at,
            state, tags)
        select p_shop_id, i.customer_id, i.created_at, i.version, i.state, i.tags
        from incoming as i
        on conflict (shop_id, customer_id) do update
        set created_at = coalesce(excluded.created_at, t.created_at),
            updated_at = excluded.updated_at,
            state = excluded.state,
            tags = excluded.tags
        returning t.customer_id, t.redacted_at
    )
    insert into app.shopify_customer_pii as t (shop_id, customer_id, email, first_name,
        last_name, phone, default_address, updated_at)
    select p_shop_id, i.customer_id, i.email, i.first_name, i.last_name, i.phone,
        i.default_address, i.version
    from incoming as i
        join applied as a
            on a.customer_id = i.customer_id
    where a.redacted_at is null
    on conflict (shop_id, customer_id) do update
    set email = excluded.email,
        first_name = excluded.first_name,
        last_name = excluded.last_name,
        phone = excluded.phone,
        default_address = excluded.default_address,
        updated_at = excluded.updated_at;
    perform private.changed(p_shop_id, 'shopify_customer', v_winners, v_state);
    return query
        select n.n, case when n.n = any (v_ordinals) then 'applied' else 'stale' end
        from pg_catalog.generate_series(1::bigint,
            pg_catalog.jsonb_array_length(p_customers)::bigint) as n (n);
end
$$;

comment on function private.shopify_apply_customers(uuid, jsonb, timestamptz) is 'Stores customers newer than the stored version (one without updated_at counts as of p_version); personal data goes to app.shopify_customer_pii, never again once the customer is redacted. Returns applied or stale per element; reports shopify_customer.';

create function private.shopify_apply_orders(p_shop_id uuid, p_orders jsonb)
    returns table (ordinal bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
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
$$;

comment on function private.shopify_apply_orders(uuid, jsonb) is 'Stores order resources (with their line items, discount codes, refunds and buyer) where newer than the stored version and not deleted. Returns applied or stale per element; reports shopify_order (and shopify_customer).';

create function private.shopify_apply_refunds(p_shop_id uuid, p_refunds jsonb)
    returns table (ordinal bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_tz text;
    v_orders bigint[];
    v_state jsonb;
    v_new bigint[];
begin
    select s.iana_timezone into v_tz
    from app.shop as s
    where s.shop_id = p_shop_id;
    v_orders := array(select distinct r.order_id from private.shopify_refund_rows(p_refunds) as r);
    perform private.lock_shopify_orders(p_shop_id, v_orders);
    v_state := private.changing(p_shop_id, 'shopify_order', v_orders);
    v_new := private.shopify_insert_refunds(p_shop_id, v_tz, p_refunds);
    perform private.changed(p_shop_id, 'shopify_order', v_orders, v_state);
    return query
        select r.ordinal, case when r.refund_id = any (v_new) then 'applied' else 'stale' end
        from private.shopify_refund_rows(p_refunds) as r;
end
$$;

comment on function private.shopify_apply_refunds(uuid, jsonb) is 'Stores refunds/create payloads (a known refund is stale); a refund whose order is not known yet counts once the order arrives. Reports shopify_order for the refunded orders.';

create function private.shopify_delete_order(p_shop_id uuid, p_order_id bigint,
                                             p_deleted_at timestamptz)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_state jsonb;
begin
    perform private.lock_shopify_orders(p_shop_id, array[p_order_id]);
    v_state := private.changing(p_shop_id, 'shopify_order', array[p_order_id]);
    delete from app.shopify_order as o
    where o.shop_id = p_shop_id
        and o.order_id = p_order_id;
    insert into app.shopify_order_deletion (shop_id, order_id, deleted_at)
    values (p_shop_id, p_order_id, p_deleted_at)
    on conflict do nothing;
    perform private.changed(p_shop_id, 'shopify_order', array[p_order_id], v_state);
end
$$;

comment on function private.shopify_delete_order(uuid, bigint, timestamptz) is 'orders/delete: removes the order and leaves a tombstone that ignores any later version. Reports shopify_order.';

create function private.shopify_apply_products(p_shop_id uuid, p_products jsonb)
    returns table (ordinal bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
declare
    v_winners bigint[];
    v_ordinals bigint[];
    v_winning jsonb;
    v_variants bigint[];
    v_product_state jsonb;
    v_variant_state jsonb;
begin
    select coalesce(pg_catalog.array_agg(x.product_id order by x.product_id), '{}'),
        coalesce(pg_catalog.array_agg(x.ordinal order by x.product_id), '{}')
    into v_winners, v_ordinals
    from (
        select distinct on (p.product_id) p.product_id, p.updated_at, p.ordinal
        from private.shopify_product_rows(p_products) as p
        order by p.product_id, p.updated_at desc, p.ordinal desc
    ) as x
    -- the stored version by key, a probe per element (see shopify_apply_customers)
    where x.updated_at > coalesce((select s.updated_at
                                   from app.shopify_product as s
                                   where s.shop_id = p_shop_id
                                       and s.product_id = x.product_id), '-infinity');
    if pg_catalog.cardinality(v_winners) > 0 then
        v_winning := (
            select pg_catalog.jsonb_agg(e.value order by e.n)
            from pg_catalog.jsonb_array_elements(p_products) with ordinality as e (value, n)
            where e.n = any (v_ordinals));
        -- the variants replaced and the variants that replace them
        v_variants := array(
            select v.variant_id
            from app.shopify_variant as v
            where v.shop_id = p_shop_id
                and v.product_id = any (v_winners)
            union
            select v.variant_id
            from private.shopify_variant_rows(v_winning) as v);
        v_product_state := private.changing(p_shop_id, 'shopify_product', v_winners);
        v_variant_state := private.changing(p_shop_id, 'shopify_variant', v_variants);
        insert into app.shopify_product as t (shop_id, product_id, title, handle, product_type,
            vendor, status, tags, created_at, updated_at)
        select p_shop_id, p.product_id, p.title, p.handle, p.product_type, p.vendor, p.status,
            p.tags, p.created_at, p.updated_at
        from private.shopify_product_rows(v_winning) as p
        on conflict (shop_id, product_id) do update
        set title = excluded.title,
            handle = excluded.handle,
            product_type = excluded.product_type,
            vendor = excluded.vendor,
            status = excluded.status,
            tags = excluded.tags,
            created_at = excluded.created_at,
            updated_at = excluded.updated_at;
        delete from app.shopify_variant as v
        where v.shop_id = p_shop_id
            and v.product_id = any (v_winners);
        insert into app.shopify_variant (shop_id, variant_id, product_id, sku, title, price,
            compare_at_price, inventory_item_id, updated_at)
        select p_shop_id, v.variant_id, v.product_id, v.sku, v.title, v.price,
            v.compare_at_price, v.inventory_item_id, p.updated_at
        from private.shopify_variant_rows(v_winning) as v
            join private.shopify_product_rows(v_winning) as p
                on p.ordinal = v.ordinal;
        perform private.changed(p_shop_id, 'shopify_variant', v_variants, v_variant_state);
        perform private.changed(p_shop_id, 'shopify_product', v_winners, v_product_state);
    end if;
    return query
        select n.n, case when n.n = any (v_ordinals) then 'applied' else 'stale' end
        from pg_catalog.generate_series(1::bigint,
            pg_catalog.jsonb_array_length(p_products)::bigint) as n (n);
end
$$;

comment on function private.shopify_apply_products(uuid, jsonb) is 'Stores products (and replaces their variants) where newer than the stored version; a deletion, once recorded, stays. Returns applied or stale per element; reports shopify_product and shopify_variant.';

create function private.shopify_delete_product(p_shop_id uuid, p_product_id bigint,
                                               p_deleted_at timestamptz)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_state jsonb;
begin
    v_state := private.changing(p_shop_id, 'shopify_product', array[p_product_id]);
    insert into app.shopify_product as t (shop_id, product_id, updated_at, deleted_at)
    values (p_shop_id, p_product_id, '-infinity', p_deleted_at)
    on conflict (shop_id, product_id) do update
    set deleted_at = coalesce(t.deleted_at, excluded.deleted_at);
    perform private.changed(p_shop_id, 'shopify_product', array[p_product_id], v_state);
end
$$;

comment on function private.shopify_delete_product(uuid, bigint, timestamptz) is 'products/delete: marks the product deleted (its row stays for past orders); a deletion that arrives first leaves a row later versions fill in. Reports shopify_product.';

create function private.shopify_apply_inventory_items(p_shop_id uuid, p_items jsonb)
    returns table (ordinal bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
declare
    v_winners bigint[];
    v_ordinals bigint[];
    v_state jsonb;
begin
    select coalesce(pg_catalog.array_agg(x.inventory_item_id order by x.inventory_item_id), '{}'),
        coalesce(pg_catalog.array_agg(x.ordinal order by x.inventory_item_id), '{}')
    into v_winners, v_ordinals
    from (
        select distinct on (i.inventory_item_id) i.inventory_item_id, i.updated_at, i.ordinal
        from private.shopify_inventory_item_rows(p_items) as i
        order by i.inventory_item_id, i.updated_at desc, i.ordinal desc
    ) as x
    -- the stored version by key, a probe per element (see shopify_apply_customers)
    where x.updated_at > coalesce((select s.updated_at
                                   from app.shopify_inventory_item as s
                                   where s.shop_id = p_shop_id
                                       and s.inventory_item_id = x.inventory_item_id), '-infinity');
    v_state := private.changing(p_shop_id, 'shopify_inventory_item', v_winners);
    insert into app.shopify_inventory_item as t (shop_id, inventory_item_id, sku, unit_cost,
        is_tracked, updated_at)
    select p_shop_id, i.inventory_item_id, i.sku, i.unit_cost, i.is_tracked, i.updated_at
    from private.shopify_inventory_item_rows(p_items) as i
    where i.ordinal = any (v_ordinals)
    on conflict (shop_id, inventory_item_id) do update
    set sku = excluded.sku,
        unit_cost = excluded.unit_cost,
        is_tracked = excluded.is_tracked,
        updated_at = excluded.updated_at;
    perform private.changed(p_shop_id, 'shopify_inventory_item', v_winners, v_state);
    return query
        select n.n, case when n.n = any (v_ordinals) then 'applied' else 'stale' end
        from pg_catalog.generate_series(1::bigint,
            pg_catalog.jsonb_array_length(p_items)::bigint) as n (n);
end
$$;

comment on function private.shopify_apply_inventory_items(uuid, jsonb) is 'Stores inventory items (unit costs) newer than the stored version. Returns applied or stale per element; reports shopify_inventory_item.';

create function private.shopify_apply_shop(p_shop_id uuid, p_shop jsonb, p_version timestamptz)
    returns text
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_old app.shop;
    v_new record;
    v_version timestamptz;
    v_tz text;
    v_orders bigint[];
    v_state jsonb;
begin
    select * into v_new
    from private.shopify_shop_rows(pg_catalog.jsonb_build_array(p_shop));
    select * into strict v_old
    from app.shop as s
    where s.shop_id = p_shop_id
    for update;
    -- Shopify's documented sample sends updated_at null: the delivery's time counts then
    v_version := coalesce(v_new.updated_at, p_version);
    if v_version <= v_old.updated_at then
        return 'stale';
    end if;
    if v_new.iana_timezone is not null and not private.is_iana_timezone(v_new.iana_timezone) then
        raise exception '$.iana_timezone must be an IANA time zone name, like America/Chicago'
            using errcode = '22023', column = '$.iana_timezone';
    end if;
    if v_new.currency is not null and v_new.currency !~ '^[A-Z]{3}$' then
        raise exception '$.currency must be an ISO 4217 code, like USD'
            using errcode = '22023', column = '$.currency';
    end if;
    v_tz := coalesce(v_new.iana_timezone, v_old.iana_timezone);
    if v_tz <> v_old.iana_timezone then
        -- days move with the time zone: every order's contribution moves with them
        v_orders := array(
            select o.order_id
            from app.shopify_order as o
            where o.shop_id = p_shop_id);
        perform private.lock_shopify_orders(p_shop_id, v_orders);
        v_state := private.changing(p_shop_id, 'shopify_order', v_orders);
    end if;
    update app.shop as s
    set name = coalesce(v_new.name, s.name),
        currency = coalesce(v_new.currency, s.currency),
        iana_timezone = v_tz,
        updated_at = v_version
    where s.shop_id = p_shop_id;
    if v_tz <> v_old.iana_timezone then
        update app.shopify_order as o
        set local_date = (o.created_at at time zone v_tz)::date,
            local_hour = extract(hour from o.created_at at time zone v_tz)::smallint
        where o.shop_id = p_shop_id;
        update app.shopify_refund as r
        set local_date = (r.created_at at time zone v_tz)::date,
            local_hour = extract(hour from r.created_at at time zone v_tz)::smallint
        where r.shop_id = p_shop_id;
        perform private.changed(p_shop_id, 'shopify_order', v_orders, v_state);
    end if;
    return 'applied';
end
$$;

comment on function private.shopify_apply_shop(uuid, jsonb, timestamptz) is 'shop/update: name, currency and time zone (a shop/update without updated_at counts as of p_version); a new time zone re-buckets every order and refund, reported as a change of all the shop''s orders.';

create function private.shopify_redact(p_shop_id uuid, p_customer_id bigint, p_order_ids bigint[],
                                       p_known_values text[])
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
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

comment on function private.shopify_redact(uuid, bigint, bigint[], text[]) is 'customers/redact (a customer and their orders, with any values the request names) or shop/redact (null customer): deletes personal data from the model and scrubs it from every kept raw body, wherever it sits; every figure stays. Returns how many bodies were scrubbed.';

create function private.shopify_apply(p_shop_id uuid, p_topic text, p_payload jsonb,
                                      p_context jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
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

comment on function private.shopify_apply(uuid, text, jsonb, jsonb) is 'Shopify''s applier (private.inbound_source): normalises one checked payload of a topic into the model. Returns {"outcome": applied | stale | recorded, ...}; customers/data_request answers with the data held; the redaction topics ask for their own bodies to be kept scrubbed (store_scrubbed).';

create function private.shopify_apply_page(p_shop_id uuid, p_resources jsonb)
    returns table (ordinal bigint, outcome text)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
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
    -- catalog first, then customers, then orders (whose lines take their variants' costs)
    foreach v_kind in array array['product', 'inventory_item', 'customer', 'order'] loop
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
$$;

comment on function private.shopify_apply_page(uuid, jsonb) is 'Shopify''s page applier (private.inbound_source): applies a checked backfill page set-based, kind by kind. Returns (ordinal in the page, applied | stale) per resource.';

grant execute on function private.raise_if_repeated(bigint[], text) to service_role;

grant execute on function private.shopify_insert_refunds(uuid, text, jsonb) to service_role;

grant execute on function private.shopify_apply_customers(uuid, jsonb, timestamptz) to service_role;

grant execute on function private.shopify_apply_orders(uuid, jsonb) to service_role;

grant execute on function private.shopify_apply_refunds(uuid, jsonb) to service_role;

grant execute on function private.shopify_delete_order(uuid, bigint, timestamptz) to service_role;

grant execute on function private.shopify_apply_products(uuid, jsonb) to service_role;

grant execute on function private.shopify_delete_product(uuid, bigint, timestamptz) to service_role;

grant execute on function private.shopify_apply_inventory_items(uuid, jsonb) to service_role;

grant execute on function private.shopify_apply_shop(uuid, jsonb, timestamptz) to service_role;

grant execute on function private.shopify_redact(uuid, bigint, bigint[], text[]) to service_role;

grant execute on function private.shopify_apply(uuid, text, jsonb, jsonb) to service_role;

grant execute on function private.shopify_apply_page(uuid, jsonb) to service_role;
