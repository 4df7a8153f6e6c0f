-- The sales rollups as the first subscriber of the change feed: Shopify's appliers no longer know them.
-- depends: 20261201_11_create-shopify-appliers
--
-- private.sales_on_order_change hears of every change to shopify_order (orders, their
-- lines and refunds, a deletion, a new time zone): before it, the orders' old
-- contributions are subtracted from the rollups; after it, their new ones are added and
-- their buyers' first orders recomputed. The full rebuild adds every order's contribution
-- to empty rollups through the same function, so both agree exactly. Contributions now
-- carry the cost of goods and the net sales of lines with a known cost (gross profit),
-- and private.sales_contribution_parts keeps each part's exact time, so the tile can
-- count the same minutes of an hour on two days. Definitions: README.md.
-- private.sales_contributions is dropped and created again with the new columns (private,
-- never a client's):
-- squawk-ignore-file ban-drop-function

drop function private.sales_contributions(uuid, bigint[]);

create function private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[])
    returns table (
        at timestamptz,
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
        refunded_units integer,
        costed_net_sales numeric,
        cost_of_goods numeric
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
        )
        -- the order itself: one order, its shipping and tax, on its day (a voided order's
        -- money never came in: it counts as an order, and a cancelled one, with nothing else)
        select o.created_at, o.local_date, o.local_hour, null::bigint,
            1, 0, 0::numeric, 0::numeric, 0::numeric,
            case when o.financial_status = 'voided' then 0 else o.total_shipping end,
            case when o.financial_status = 'voided' then 0 else o.total_tax end,
            (o.cancelled_at is not null)::integer, 0, 0::numeric, 0::numeric
        from counted as o
        union all
        -- its line items: units, gross sales, discounts and their cost, per product, on its day
        select o.created_at, o.local_date, o.local_hour, coalesce(l.product_id, 0),
            0, l.quantity, l.price * l.quantity, l.discount, 0, 0, 0, 0, 0,
            case when l.unit_cost is null then 0 else l.price * l.quantity - l.discount end,
            coalesce(l.unit_cost * l.quantity, 0)
        from counted as o
            join app.shopify_order_line as l
                on l.shop_id = o.shop_id
                and l.order_id = o.order_id
        where not l.is_gift_card
            and o.financial_status is distinct from 'voided'
        union all
        -- its refunded lines: returns, refunded tax and the cost back, per product, on the
        -- refund's day
        select r.created_at, r.local_date, r.local_hour, coalesce(l.product_id, 0),
            0, 0, 0, 0, rl.subtotal, 0, -rl.total_tax, 0, rl.quantity,
            case when l.unit_cost is null then 0 else -rl.subtotal end,
            -coalesce(l.unit_cost * rl.quantity, 0)
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
        select r.created_at, r.local_date, r.local_hour, null::bigint,
            0, 0, 0, 0,
            case when a.kind = 'refund_discrepancy' then -a.amount else 0 end,
            case when a.kind = 'shipping_refund' then -pg_catalog.abs(a.amount) else 0 end,
            -pg_catalog.abs(a.tax_amount), 0, 0, 0::numeric, 0::numeric
        from counted as o
            join app.shopify_refund as r
                on r.shop_id = o.shop_id
                and r.order_id = o.order_id
            join app.shopify_order_adjustment as a
                on a.shop_id = r.shop_id
                and a.refund_id = r.refund_id;
end
$$;

comment on function private.sales_contribution_parts(uuid, bigint[]) is 'Every part the given orders contribute to Sales Pulse, ungrouped, with the exact time it counts at (the order''s or the refund''s created_at) and its local day, hour and product (null: order-level figures). Test and deleted orders contribute nothing. The one definition of the figures: see README.md.';

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
        refunded_units integer,
        costed_net_sales numeric,
        cost_of_goods numeric
    )
    language plpgsql
    stable
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
begin
    -- plpgsql keeps its plan: this runs on every change of an order
    return query
        select p.day, p.hour, p.product_id,
            pg_catalog.sum(p.orders)::integer, pg_catalog.sum(p.units)::integer,
            pg_catalog.sum(p.gross_sales), pg_catalog.sum(p.discounts), pg_catalog.sum(p.returns),
            pg_catalog.sum(p.shipping), pg_catalog.sum(p.taxes),
            pg_catalog.sum(p.cancelled_orders)::integer, pg_catalog.sum(p.refunded_units)::integer,
            pg_catalog.sum(p.costed_net_sales), pg_catalog.sum(p.cost_of_goods)
        from private.sales_contribution_parts(p_shop_id, p_order_ids) as p
        group by p.day, p.hour, p.product_id;
end
$$;

comment on function private.sales_contributions(uuid, bigint[]) is 'What the given orders contribute to the Sales Pulse rollups, per local day, hour and product (product_id null: order-level figures): private.sales_contribution_parts, summed.';

create or replace function private.apply_sales_contributions(p_shop_id uuid, p_order_ids bigint[], p_sign integer)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_days date[];
    v_hour_days date[];
    v_hours smallint[];
    v_product_days date[];
    v_products bigint[];
begin
    if p_sign not in (-1, 1) then
        raise exception 'sign must be -1 or 1, got %', p_sign using errcode = '22023', column = 'p_sign';
    end if;
    with c as materialized (
        select * from private.sales_contributions(p_shop_id, p_order_ids)
    ),
    daily as (
        insert into app.sales_daily as t (shop_id, day, orders, units, gross_sales, discounts,
            returns, shipping, taxes, cancelled_orders, refunded_units, costed_net_sales,
            cost_of_goods)
        select p_shop_id, c.day, p_sign * sum(c.orders), p_sign * sum(c.units),
            p_sign * sum(c.gross_sales), p_sign * sum(c.discounts), p_sign * sum(c.returns),
            p_sign * sum(c.shipping), p_sign * sum(c.taxes), p_sign * sum(c.cancelled_orders),
            p_sign * sum(c.refunded_units), p_sign * sum(c.costed_net_sales),
            p_sign * sum(c.cost_of_goods)
        from c
        group by c.day
        on conflict (shop_id, day) do update
        set orders = t.orders + excluded.orders, units = t.units + excluded.units,
            gross_sales = t.gross_sales + excluded.gross_sales,
            discounts = t.discounts + excluded.discounts, returns = t.returns + excluded.returns,
            shipping = t.shipping + excluded.shipping, taxes = t.taxes + excluded.taxes,
            cancelled_orders = t.cancelled_orders + excluded.cancelled_orders,
            refunded_units = t.refunded_units + excluded.refunded_units,
            costed_net_sales = t.costed_net_sales + excluded.costed_net_sales,
            cost_of_goods = t.cost_of_goods + excluded.cost_of_goods
        returning t.day, (t.orders, t.units, t.gross_sales, t.discounts, t.returns, t.shipping, t.taxes,
            t.cancelled_orders, t.refunded_units, t.costed_net_sales, t.cost_of_goods)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) as empty
    ),
    hourly as (
        insert into app.sales_hourly as t (shop_id, day, hour, orders, units, gross_sales,
            discounts, returns, shipping, taxes, cancelled_orders, refunded_units,
            costed_net_sales, cost_of_goods)
        select p_shop_id, c.day, c.hour, p_sign * sum(c.orders), p_sign * sum(c.units),
            p_sign * sum(c.gross_sales), p_sign * sum(c.discounts), p_sign * sum(c.returns),
            p_sign * sum(c.shipping), p_sign * sum(c.taxes), p_sign * sum(c.cancelled_orders),
            p_sign * sum(c.refunded_units), p_sign * sum(c.costed_net_sales),
            p_sign * sum(c.cost_of_goods)
        from c
        group by c.day, c.hour
        on conflict (shop_id, day, hour) do update
        set orders = t.orders + excluded.orders, units = t.units + excluded.units,
            gross_sales = t.gross_sales + excluded.gross_sales,
            discounts = t.discounts + excluded.discounts, returns = t.returns + excluded.returns,
            shipping = t.shipping + excluded.shipping, taxes = t.taxes + excluded.taxes,
            cancelled_orders = t.cancelled_orders + excluded.cancelled_orders,
            refunded_units = t.refunded_units + excluded.refunded_units,
            costed_net_sales = t.costed_net_sales + excluded.costed_net_sales,
            cost_of_goods = t.cost_of_goods + excluded.cost_of_goods
        returning t.day, t.hour, (t.orders, t.units, t.gross_sales, t.discounts, t.returns, t.shipping, t.taxes,
            t.cancelled_orders, t.refunded_units, t.costed_net_sales, t.cost_of_goods)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) as empty
    ),
    products as (
        insert into app.sales_product_daily as t (shop_id, day, product_id, units, gross_sales,
            discounts, returns, refunded_units, costed_net_sales, cost_of_goods)
        select p_shop_id, c.day, c.product_id, p_sign * sum(c.units), p_sign * sum(c.gross_sales),
            p_sign * sum(c.discounts), p_sign * sum(c.returns), p_sign * sum(c.refunded_units),
            p_sign * sum(c.costed_net_sales), p_sign * sum(c.cost_of_goods)
        from c
        where c.product_id is not null
        group by c.day, c.product_id
        on conflict (shop_id, day, product_id) do update
        set units = t.units + excluded.units, gross_sales = t.gross_sales + excluded.gross_sales,
            discounts = t.discounts + excluded.discounts, returns = t.returns + excluded.returns,
            refunded_units = t.refunded_units + excluded.refunded_units,
            costed_net_sales = t.costed_net_sales + excluded.costed_net_sales,
            cost_of_goods = t.cost_of_goods + excluded.cost_of_goods
        returning t.day, t.product_id, (t.units, t.gross_sales, t.discounts, t.returns,
            t.refunded_units, t.costed_net_sales, t.cost_of_goods) = (0, 0, 0, 0, 0, 0, 0) as empty
    )
    -- the buckets this change left at zero, by key (usually none)
    select array(select d.day from daily as d where d.empty),
        array(select h.day from hourly as h where h.empty order by h.day, h.hour),
        array(select h.hour from hourly as h where h.empty order by h.day, h.hour),
        array(select x.day from products as x where x.empty order by x.day, x.product_id),
        array(select x.product_id from products as x where x.empty order by x.day, x.product_id)
    into v_days, v_hour_days, v_hours, v_product_days, v_products;

    -- buckets that cancel out to nothing are removed, as a rebuild would never create them
    if pg_catalog.cardinality(v_days) > 0 then
        delete from app.sales_daily as t
        where t.shop_id = p_shop_id
            and t.day = any (v_days);
    end if;
    if pg_catalog.cardinality(v_hours) > 0 then
        delete from app.sales_hourly as t
        using pg_catalog.generate_subscripts(v_hours, 1) as k (i)
        where t.shop_id = p_shop_id
            and t.day = v_hour_days[k.i]
            and t.hour = v_hours[k.i];
    end if;
    if pg_catalog.cardinality(v_products) > 0 then
        delete from app.sales_product_daily as t
        using pg_catalog.generate_subscripts(v_products, 1) as k (i)
        where t.shop_id = p_shop_id
            and t.day = v_product_days[k.i]
            and t.product_id = v_products[k.i];
    end if;
end
$$;

comment on function private.apply_sales_contributions(uuid, bigint[], integer) is 'Adds (sign 1) or subtracts (sign -1) the given orders'' contributions to the daily, hourly and per-product rollups, and drops buckets that reach zero.';

create or replace function private.refresh_first_orders(p_shop_id uuid, p_customer_ids bigint[])
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
declare
    v_ids bigint[];
    v_days date[];
    v_gone bigint[];
begin
    -- only what changed is written: most changes leave a buyer's first order as it was, and
    -- then this one read is all. Each buyer is looked up alone (scalar subqueries: one index
    -- probe each, whatever the statistics say): the first order by created_at on (shop,
    -- customer, created_at), whose day is the earliest, and the stored day by key
    select pg_catalog.array_agg(w.customer_id) filter (where w.first_order_date is not null),
        pg_catalog.array_agg(w.first_order_date) filter (where w.first_order_date is not null),
        pg_catalog.array_agg(w.customer_id) filter (where w.first_order_date is null)
    into v_ids, v_days, v_gone
    from (
        select i.customer_id,
            (select o.local_date
             from app.shopify_order as o
             where o.shop_id = p_shop_id
                 and o.customer_id = i.customer_id
                 and not o.is_test
             order by o.created_at
             limit 1) as first_order_date,
            (select f.first_order_date
             from app.sales_customer_first_order as f
             where f.shop_id = p_shop_id
                 and f.customer_id = i.customer_id) as stored
        from (select distinct pg_catalog.unnest(p_customer_ids) as customer_id) as i
        where i.customer_id is not null
    ) as w
    where w.stored is distinct from w.first_order_date;
    if v_ids is not null then
        insert into app.sales_customer_first_order as t (shop_id, customer_id, first_order_date)
        select p_shop_id, v_ids[n.n], v_days[n.n]
        from pg_catalog.generate_subscripts(v_ids, 1) as n (n)
        on conflict (shop_id, customer_id) do update
        set first_order_date = excluded.first_order_date;
    end if;
    if v_gone is not null then  -- no counted order left
        delete from app.sales_customer_first_order as f
        where f.shop_id = p_shop_id
            and f.customer_id = any (v_gone);
    end if;
end
$$;

comment on function private.refresh_first_orders(uuid, bigint[]) is 'Recomputes the given buyers'' first counted order day (app.sales_customer_first_order) from their orders.';

create function private.sales_on_order_change(p_shop_id uuid, p_keys bigint[], p_phase text,
                                              p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    -- the applier holds the orders' advisory locks from before to after
    if p_phase = 'before' then
        perform private.apply_sales_contributions(p_shop_id, p_keys, -1);
        -- the buyers these orders had: an edit or a deletion may take an order from one
        return pg_catalog.jsonb_build_object('customers', coalesce((
            select pg_catalog.jsonb_agg(distinct o.customer_id)
            from app.shopify_order as o
            where o.shop_id = p_shop_id
                and o.order_id = any (p_keys)
                and o.customer_id is not null), '[]'));
    end if;
    perform private.apply_sales_contributions(p_shop_id, p_keys, 1);
    perform private.refresh_first_orders(p_shop_id, array(
        select (c.value #>> '{}')::bigint
        from pg_catalog.jsonb_array_elements(coalesce(p_state -> 'customers', '[]')) as c (value)
        union
        select o.customer_id
        from app.shopify_order as o
        where o.shop_id = p_shop_id
            and o.order_id = any (p_keys)
            and o.customer_id is not null));
    return null;
end
$$;

comment on function private.sales_on_order_change(uuid, bigint[], text, jsonb) is 'The sales rollups'' subscriber to shopify_order: before a change subtracts the orders'' contributions (and remembers their buyers), after it adds them again and recomputes the buyers'' first orders.';

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
    delete from app.sales_customer_first_order as f where f.shop_id = p_shop_id;
    perform private.apply_sales_contributions(
        p_shop_id,
        array(select o.order_id from app.shopify_order as o where o.shop_id = p_shop_id),
        1);
    perform private.refresh_first_orders(
        p_shop_id,
        array(select distinct o.customer_id from app.shopify_order as o
              where o.shop_id = p_shop_id and o.customer_id is not null));
end
$$;

comment on function private.rebuild_sales_rollups(uuid) is 'Recomputes a shop''s Sales Pulse rollups and first orders from the normalised orders; the result equals the incrementally maintained one.';

grant execute on function private.sales_contribution_parts(uuid, bigint[]) to service_role;

grant execute on function private.sales_contributions(uuid, bigint[]) to service_role;

grant execute on function private.sales_on_order_change(uuid, bigint[], text, jsonb) to service_role;

select private.subscribe_to_changes('shopify_order', 'private.sales_on_order_change', 100,
    'Sales Pulse rollups (daily, hourly, per product) and buyers'' first orders.');

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
                            from app.sales_product_daily as p where p.shop_id = p_shop_id), '')
        || '|' || coalesce((select pg_catalog.string_agg(f::text, ',' order by f.customer_id)
                            from app.sales_customer_first_order as f where f.shop_id = p_shop_id), ''))
$$;

comment on function private.sales_rollup_fingerprint(uuid) is 'A digest of all three Sales Pulse rollups of a shop and its buyers'' first orders, to tell whether a rebuild changed anything.';
