-- Apply Shopify resources to the normalised model, keeping the Sales Pulse rollups exact.
-- depends: 20261125_33_create-shopify-payload-helpers
--
-- Set-based: a webhook is a batch of one, a backfill a batch of hundreds, same code.
-- Delivery semantics: a version older than (or as old as) the stored one is ignored, so
-- duplicates, retries and out-of-order arrivals converge on the newest state. Orders
-- touched by a batch are locked (advisory, in id order) for the transaction.
-- Rollups: an order's contribution (its day's orders, units, money, and its refunds'
-- returns on their days) is subtracted before the change and added after it, by
-- private.apply_sales_contributions; the full rebuild adds every order's contribution to
-- empty rollups through the same function, so both agree exactly.

create function private.sales_contributions(p_shop_id uuid, p_order_ids bigint[])
    returns table (
        day date,
        hour smallint,
        product_id bigint,
        orders integer,
        units integer,
        gross_sales numeric,
        discounts numeric,
        returns numeric,
        shipping numeric,
        taxes numeric,
        cancelled_orders integer,
        refunded_units integer
    )
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
begin
    return query
        with counted as (
            -- one primary-key lookup per id: a filter on order_id = any (...) let the planner
            -- walk every order of the shop through another index
            select o.*
            from (select distinct pg_catalog.unnest(p_order_ids) as order_id) as i
                join app.shopify_order as o
                    on o.shop_id = p_shop_id
                    and o.order_id = i.order_id
            where not o.is_test
        ),
        parts as (
            -- the order itself: one order, its shipping and tax, on its day
            select o.local_date as day, o.local_hour as hour, null::bigint as product_id,
                1 as orders, 0 as units, 0::numeric as gross_sales, 0::numeric as discounts,
                0::numeric as returns,
                case when o.financial_status = 'voided' then 0 else o.total_shipping end as shipping,
                case when o.financial_status = 'voided' then 0 else o.total_tax end as taxes,
                (o.cancelled_at is not null)::integer as cancelled_orders, 0 as refunded_units
            from counted as o
            union all
            -- its line items: units, gross sales and discounts per product, on its day
            select o.local_date, o.local_hour, coalesce(l.product_id, 0),
                0, l.quantity, l.price * l.quantity, l.discount, 0, 0, 0, 0, 0
            from counted as o
                join app.shopify_order_line as l
                    on l.shop_id = o.shop_id
                    and l.order_id = o.order_id
            where not l.is_gift_card
                and o.financial_status is distinct from 'voided'
            union all
            -- its refunded lines: returns and refunded tax per product, on the refund's day
            select r.local_date, r.local_hour, coalesce(l.product_id, 0),
                0, 0, 0, 0, rl.subtotal, 0, -rl.total_tax, 0, rl.quantity
            from counted as o
                join app.shopify_refund as r
                    on r.shop_id = o.shop_id
                    and r.order_id = o.order_id
                join app.shopify_refund_line as rl
                    on rl.shop_id = r.shop_id
                    and rl.refund_id = r.refund_id
                left join app.shopify_order_line as l
                    on l.shop_id = rl.shop_id
                    and l.order_id = rl.order_id
                    and l.line_item_id = rl.line_item_id
            where not coalesce(l.is_gift_card, false)
            union all
            -- its order adjustments: shipping refunds and refund discrepancies, on the refund's day
            select r.local_date, r.local_hour, null::bigint,
                0, 0, 0, 0,
                case when a.kind = 'refund_discrepancy' then -a.amount else 0 end,
                case when a.kind = 'shipping_refund' then -abs(a.amount) else 0 end,
                -abs(a.tax_amount), 0, 0
            from counted as o
                join app.shopify_refund as r
                    on r.shop_id = o.shop_id
                    and r.order_id = o.order_id
                join app.shopify_order_adjustment as a
                    on a.shop_id = r.shop_id
                    and a.refund_id = r.refund_id
        )
        select p.day, p.hour, p.product_id,
            sum(p.orders)::integer, sum(p.units)::integer, sum(p.gross_sales), sum(p.discounts),
            sum(p.returns), sum(p.shipping), sum(p.taxes), sum(p.cancelled_orders)::integer,
            sum(p.refunded_units)::integer
        from parts as p
        group by p.day, p.hour, p.product_id;
end
$$;

comment on function private.sales_contributions(uuid, bigint[]) is 'What the given orders contribute to the Sales Pulse rollups, per local day, hour and product (product_id null: order-level figures). Test and deleted orders contribute nothing. The one definition of the figures: see README.md.';

grant execute on function private.sales_contributions(uuid, bigint[]) to service_role;

create function private.apply_sales_contributions(p_shop_id uuid, p_order_ids bigint[], p_sign integer)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_days date[];
begin
    if p_sign not in (-1, 1) then
        raise exception 'sign must be -1 or 1, got %', p_sign using errcode = '22023', column = 'p_sign';
    end if;
    with c as materialized (
        select * from private.sales_contributions(p_shop_id, p_order_ids)
    ),
    daily as (
        insert into app.sales_daily as t (shop_id, day, orders, units, gross_sales, discounts,
            returns, shipping, taxes, cancelled_orders, refunded_units)
        select p_shop_id, c.day, p_sign * sum(c.orders), p_sign * sum(c.units),
            p_sign * sum(c.gross_sales), p_sign * sum(c.discounts), p_sign * sum(c.returns),
            p_sign * sum(c.shipping), p_sign * sum(c.taxes), p_sign * sum(c.cancelled_orders),
            p_sign * sum(c.refunded_units)
        from c
        group by c.day
        on conflict (shop_id, day) do update
        set orders = t.orders + excluded.orders, units = t.units + excluded.units,
            gross_sales = t.gross_sales + excluded.gross_sales,
            discounts = t.discounts + excluded.discounts, returns = t.returns + excluded.returns,
            shipping = t.shipping + excluded.shipping, taxes = t.taxes + excluded.taxes,
            cancelled_orders = t.cancelled_orders + excluded.cancelled_orders,
            refunded_units = t.refunded_units + excluded.refunded_units
    ),
    hourly as (
        insert into app.sales_hourly as t (shop_id, day, hour, orders, units, gross_sales,
            discounts, returns, shipping, taxes, cancelled_orders, refunded_units)
        select p_shop_id, c.day, c.hour, p_sign * sum(c.orders), p_sign * sum(c.units),
            p_sign * sum(c.gross_sales), p_sign * sum(c.discounts), p_sign * sum(c.returns),
            p_sign * sum(c.shipping), p_sign * sum(c.taxes), p_sign * sum(c.cancelled_orders),
            p_sign * sum(c.refunded_units)
        from c
        group by c.day, c.hour
        on conflict (shop_id, day, hour) do update
        set orders = t.orders + excluded.orders, units = t.units + excluded.units,
            gross_sales = t.gross_sales + excluded.gross_sales,
            discounts = t.discounts + excluded.discounts, returns = t.returns + excluded.returns,
            shipping = t.shipping + excluded.shipping, taxes = t.taxes + excluded.taxes,
            cancelled_orders = t.cancelled_orders + excluded.cancelled_orders,
            refunded_units = t.refunded_units + excluded.refunded_units
    ),
    products as (
        insert into app.sales_product_daily as t (shop_id, day, product_id, units, gross_sales,
            discounts, returns, refunded_units)
        select p_shop_id, c.day, c.product_id, p_sign * sum(c.units), p_sign * sum(c.gross_sales),
            p_sign * sum(c.discounts), p_sign * sum(c.returns), p_sign * sum(c.refunded_units)
        from c
        where c.product_id is not null
        group by c.day, c.product_id
        on conflict (shop_id, day, product_id) do update
        set units = t.units + excluded.units, gross_sales = t.gross_sales + excluded.gross_sales,
            discounts = t.discounts + excluded.discounts, returns = t.returns + excluded.returns,
            refunded_units = t.refunded_units + excluded.refunded_units
    )
    select array(select distinct c.day from c) into v_days;
    if pg_catalog.cardinality(v_days) = 0 then
        return;
    end if;

    -- buckets that cancel out to nothing are removed, as a rebuild would never create them
    delete from app.sales_daily as t
    where t.shop_id = p_shop_id and t.day = any (v_days)
        and (t.orders, t.units, t.gross_sales, t.discounts, t.returns, t.shipping, t.taxes,
             t.cancelled_orders, t.refunded_units) = (0, 0, 0, 0, 0, 0, 0, 0, 0);
    delete from app.sales_hourly as t
    where t.shop_id = p_shop_id and t.day = any (v_days)
        and (t.orders, t.units, t.gross_sales, t.discounts, t.returns, t.shipping, t.taxes,
             t.cancelled_orders, t.refunded_units) = (0, 0, 0, 0, 0, 0, 0, 0, 0);
    delete from app.sales_product_daily as t
    where t.shop_id = p_shop_id and t.day = any (v_days)
        and (t.units, t.gross_sales, t.discounts, t.returns, t.refunded_units) = (0, 0, 0, 0, 0);
end
$$;

comment on function private.apply_sales_contributions(uuid, bigint[], integer) is 'Adds (sign 1) or subtracts (sign -1) the given orders'' contributions to the daily, hourly and per-product rollups, and drops buckets that reach zero.';

grant execute on function private.apply_sales_contributions(uuid, bigint[], integer) to service_role;

create function private.lock_shopify_orders(p_shop_id uuid, p_order_ids bigint[])
    returns void
    language sql
    volatile
    security invoker
    set search_path = ''
as $$
    select pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended(p_shop_id::text || '/shopify_order/' || i::text, 0))
    from (select distinct pg_catalog.unnest(p_order_ids) as i order by 1) as ids
$$;

comment on function private.lock_shopify_orders(uuid, bigint[]) is 'Takes transaction advisory locks on orders, in id order (no deadlocks), so two deliveries of one order apply one after the other.';

grant execute on function private.lock_shopify_orders(uuid, bigint[]) to service_role;

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

create function private.refresh_first_orders(p_shop_id uuid, p_customer_ids bigint[])
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
begin
        update app.shopify_customer as c
        set first_order_date = f.first_order_date
        from (
            select i.customer_id, (
                select pg_catalog.min(o.local_date)
                from app.shopify_order as o
                where o.shop_id = p_shop_id
                    and o.customer_id = i.customer_id
                    and not o.is_test
            ) as first_order_date
            from (select distinct pg_catalog.unnest(p_customer_ids) as customer_id) as i
        ) as f
        where c.shop_id = p_shop_id
            and c.customer_id = f.customer_id
            and c.first_order_date is distinct from f.first_order_date;
end
$$;

comment on function private.refresh_first_orders(uuid, bigint[]) is 'Recomputes the given customers'' first counted order day from their orders.';

grant execute on function private.refresh_first_orders(uuid, bigint[]) to service_role;

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

create function private.rebuild_sales_rollups(p_shop_id uuid)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    -- the same contributions the incremental path adds, summed from nothing
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(p_shop_id::text || '/sales_rollups', 0));
    delete from app.sales_daily as t where t.shop_id = p_shop_id;
    delete from app.sales_hourly as t where t.shop_id = p_shop_id;
    delete from app.sales_product_daily as t where t.shop_id = p_shop_id;
    perform private.apply_sales_contributions(
        p_shop_id,
        array(select o.order_id from app.shopify_order as o where o.shop_id = p_shop_id),
        1);
    perform private.refresh_first_orders(
        p_shop_id,
        array(select c.customer_id from app.shopify_customer as c where c.shop_id = p_shop_id));
end
$$;

comment on function private.rebuild_sales_rollups(uuid) is 'Recomputes a shop''s Sales Pulse rollups from the normalised orders; the result equals the incrementally maintained one.';

grant execute on function private.rebuild_sales_rollups(uuid) to service_role;
