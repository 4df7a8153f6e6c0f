select private.unsubscribe_from_changes('shopify_order', 'private.sales_on_order_change');

create or replace function private.sales_rollup_fingerprint(p_shop_id uuid)
    returns text
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    select pg_catalog.md5(
        coalesce((select pg_catalog.string_agg(d::text, ',' order by d.day)
                  from app.sales_daily as d where d.shop_id = p_shop_id), '')
        || '|' || coalesce((select pg_catalog.string_agg(h::text, ',' order by h.day, h.hour)
                            from app.sales_hourly as h where h.shop_id = p_shop_id), '')
        || '|' || coalesce((select pg_catalog.string_agg(p::text, ',' order by p.day, p.product_id)
                            from app.sales_product_daily as p where p.shop_id = p_shop_id), ''))
$$;

comment on function private.sales_rollup_fingerprint(uuid) is 'A digest of all three Sales Pulse rollups of a shop, to tell whether a rebuild changed anything.';

create or replace function private.rebuild_sales_rollups(p_shop_id uuid)
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

create or replace function private.refresh_first_orders(p_shop_id uuid, p_customer_ids bigint[])
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

create or replace function private.apply_sales_contributions(p_shop_id uuid, p_order_ids bigint[], p_sign integer)
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

drop function private.sales_on_order_change(uuid, bigint[], text, jsonb);

drop function private.sales_contributions(uuid, bigint[]);

drop function private.sales_contribution_parts(uuid, bigint[]);

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
