-- Inventory Watch's rollups: sales per variant and day, and each variant's stored figures.
-- depends: 20261201_31_create-inventory-planning-policies
--
-- private.sales_contribution_parts gains the variant of each line part (the last column;
-- the Sales Pulse callers read its other columns by name), so Inventory Watch counts units
-- and net sales with the very definitions of Sales Pulse. private.inventory_variant_figures
-- is the one definition of the lookback figures (velocity, sigma, in-stock days, net units,
-- net sales); app.inventory_variant_stats holds them for the shop's stats day, kept
-- current by subscribers of shopify_order, shopify_inventory_level_version,
-- shopify_variant, shopify_inventory_item and shopify_product (a change reaches the stored
-- figures only when it falls in a lookback, so today's orders and levels cost nothing
-- here), and rolled each day by private.roll_inventory_stats.
-- The contribution function's return type changes, so it is dropped and created; the
-- functions dropped here are private and recreated in this file:
-- squawk-ignore-file ban-drop-function
-- Rollback unsubscribes, drops the new functions and restores the old contribution function.

drop function private.sales_contribution_parts(uuid, bigint[]);

CREATE FUNCTION private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[]) RETURNS TABLE(at timestamp with time zone, day date, hour smallint, product_id bigint, orders integer, units integer, gross_sales numeric, discounts numeric, returns numeric, shipping numeric, taxes numeric, cancelled_orders integer, refunded_units integer, costed_net_sales numeric, cost_of_goods numeric, variant_id bigint)
    LANGUAGE plpgsql STABLE
    SET search_path TO ''
    AS $$
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
            (o.cancelled_at is not null)::integer, 0, 0::numeric, 0::numeric, null::bigint
        from counted as o
        union all
        -- its line items: units, gross sales, discounts and their cost, per product and variant,
        -- on its day
        select o.created_at, o.local_date, o.local_hour, coalesce(l.product_id, 0),
            0, l.quantity, l.price * l.quantity, l.discount, 0, 0, 0, 0, 0,
            case when l.unit_cost is null then 0 else l.price * l.quantity - l.discount end,
            coalesce(l.unit_cost * l.quantity, 0), l.variant_id
        from counted as o
            join app.shopify_order_line as l
                on l.shop_id = o.shop_id
                and l.order_id = o.order_id
        where not l.is_gift_card
            and o.financial_status is distinct from 'voided'
        union all
        -- its refunded lines: returns, refunded tax and the cost back, per product and variant,
        -- on the refund's day
        select r.created_at, r.local_date, r.local_hour, coalesce(l.product_id, 0),
            0, 0, 0, 0, rl.subtotal, 0, -rl.total_tax, 0, rl.quantity,
            case when l.unit_cost is null then 0 else -rl.subtotal end,
            -coalesce(l.unit_cost * rl.quantity, 0), l.variant_id
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
            -pg_catalog.abs(a.tax_amount), 0, 0, 0::numeric, 0::numeric, null::bigint
        from counted as o
            join app.shopify_refund as r
                on r.shop_id = o.shop_id
                and r.order_id = o.order_id
            join app.shopify_order_adjustment as a
                on a.shop_id = r.shop_id
                and a.refund_id = r.refund_id;
end
$$;

COMMENT ON FUNCTION private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[]) IS 'Every part the given orders contribute to Sales Pulse, ungrouped, with the exact time it counts at (the order''s or the refund''s created_at) and its local day, hour, product and variant (null: order-level figures). Test and deleted orders contribute nothing. The one definition of the figures: see README.md.';

REVOKE ALL ON FUNCTION private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[]) FROM PUBLIC;
GRANT ALL ON FUNCTION private.sales_contribution_parts(p_shop_id uuid, p_order_ids bigint[]) TO service_role;

create function private.apply_inventory_sales(p_shop_id uuid, p_order_ids bigint[], p_sign integer)
    returns table (variant_id bigint, day date)
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
#variable_conflict use_column
begin
    if p_sign not in (-1, 1) then
        raise exception 'sign must be -1 or 1, got %', p_sign using errcode = '22023', column = 'p_sign';
    end if;
    return query
        with parts as (
            select p.variant_id, p.day, pg_catalog.sum(p.units)::integer as units,
                pg_catalog.sum(p.refunded_units)::integer as refunded_units,
                pg_catalog.sum(p.gross_sales - p.discounts - p.returns) as net_sales
            from private.sales_contribution_parts(p_shop_id, p_order_ids) as p
            where p.variant_id is not null
            group by p.variant_id, p.day
        ),
        applied as (
            insert into app.inventory_sales_daily as t (shop_id, day, variant_id, units,
                refunded_units, net_sales)
            select p_shop_id, p.day, p.variant_id, p_sign * p.units, p_sign * p.refunded_units,
                p_sign * p.net_sales
            from parts as p
            on conflict on constraint pk_inventory_sales_daily do update
            set units = t.units + excluded.units,
                refunded_units = t.refunded_units + excluded.refunded_units,
                net_sales = t.net_sales + excluded.net_sales
            returning t.variant_id, t.day, (t.units, t.refunded_units, t.net_sales) = (0, 0, 0) as empty
        ),
        emptied as (
            -- a bucket that cancels out to nothing goes, as a rebuild would never make it
            delete from app.inventory_sales_daily as t
            using applied as a
            where a.empty
                and t.shop_id = p_shop_id
                and t.variant_id = a.variant_id
                and t.day = a.day
        )
        select a.variant_id, a.day
        from applied as a;
end
$$;

comment on function private.apply_inventory_sales(uuid, bigint[], integer) is 'Adds (1) or subtracts (-1) the orders'' Sales Pulse contributions to app.inventory_sales_daily per variant and day; returns the variant-days it touched.';

create function private.inventory_variant_figures(p_shop_id uuid, p_day date, p_variant_ids bigint[])
    returns table (variant_id bigint, inventory_item_id bigint, lookback_days integer,
                   in_stock_days integer, velocity numeric, sigma numeric, net_units_30 integer,
                   units_ordered_30 integer, units_ordered_dead integer, net_sales_90 numeric,
                   first_day date, close_before integer)
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    with settings as (
        select coalesce(s.lookback_days, 30) as short_days,
            coalesce(s.slow_lookback_days, 90) as long_days,
            coalesce(s.slow_mover_units, 10) as slow_units,
            coalesce(s.min_in_stock_days, 7) as min_days,
            coalesce(s.dead_stock_days, 90) as dead_days
        from (select) as one
            left join app.inventory_settings as s
                on s.shop_id = p_shop_id
    ),
    variants as (
        -- tracked variants of live products with a level (p_variant_ids null: all of them)
        select v.variant_id, v.inventory_item_id,
            (select pg_catalog.min(d.day)
             from app.inventory_item_day as d
             where d.shop_id = p_shop_id
                 and d.inventory_item_id = v.inventory_item_id) as first_day,
            (select d.close
             from app.inventory_item_day as d
             where d.shop_id = p_shop_id
                 and d.inventory_item_id = v.inventory_item_id
                 and d.day < p_day - 90
             order by d.day desc
             limit 1) as close_earlier
        from app.shopify_variant as v
            join app.shopify_inventory_item as i
                on i.shop_id = v.shop_id
                and i.inventory_item_id = v.inventory_item_id
            join app.shopify_product as p
                on p.shop_id = v.shop_id
                and p.product_id = v.product_id
        where v.shop_id = p_shop_id
            -- a plain array (every variant of the shop when none are given): the plan
            -- looks the variants up by key either way
            and v.variant_id = any (coalesce(p_variant_ids, array(
                select x.variant_id
                from app.shopify_variant as x
                where x.shop_id = p_shop_id)))
            and i.is_tracked is not false
            and i.deleted_at is null
            and p.deleted_at is null
            and exists (
                select
                from app.shopify_inventory_level as l
                where l.shop_id = p_shop_id
                    and l.inventory_item_id = v.inventory_item_id)
    ),
    marked as (
        -- the 90 days before p_day; a day without a snapshot belongs to the last one before it
        select v.variant_id, g.day::date as day, v.close_earlier, x.low, x.close,
            pg_catalog.count(x.day) over (partition by v.variant_id order by g.day) as grp
        from variants as v
            cross join pg_catalog.generate_series(p_day - 90, p_day - 1, interval '1 day') as g (day)
            left join app.inventory_item_day as x
                on x.shop_id = p_shop_id
                and x.inventory_item_id = v.inventory_item_id
                and x.day = g.day::date
                -- the same rows, said so the index finds them: those items, those days
                and x.inventory_item_id = any (array(select w.inventory_item_id from variants as w))
                and x.day between p_day - 90 and p_day - 1
    ),
    carried as (
        select m.variant_id, m.day, m.low, m.close,
            case when m.grp = 0 then m.close_earlier
                 else pg_catalog.first_value(m.close) over (partition by m.variant_id, m.grp
                                                            order by m.day) end as carried
        from marked as m
    ),
    daily as (
        -- low null: not observed yet; low <= 0: out of stock
        select c.variant_id, c.day, coalesce(c.low, c.carried) as low,
            coalesce(c.close, c.carried) as close, coalesce(s.units, 0) as units,
            coalesce(s.units, 0) - coalesce(s.refunded_units, 0) as net,
            coalesce(s.net_sales, 0) as net_sales
        from carried as c
            left join app.inventory_sales_daily as s
                on s.shop_id = p_shop_id
                and s.variant_id = c.variant_id
                and s.day = c.day
                and s.variant_id = any (array(select w.variant_id from variants as w))
                and s.day between p_day - 90 and p_day - 1
    ),
    sums as (
        select d.variant_id,
            pg_catalog.count(*) filter (where d.low > 0 and d.day >= p_day - se.short_days) as short_n,
            pg_catalog.sum(d.net) filter (where d.low > 0 and d.day >= p_day - se.short_days) as short_sum,
            pg_catalog.stddev_samp(d.net::numeric) filter (where d.low > 0
                                                           and d.day >= p_day - se.short_days) as short_sd,
            pg_catalog.count(*) filter (where d.low > 0 and d.day >= p_day - se.long_days) as long_n,
            pg_catalog.sum(d.net) filter (where d.low > 0 and d.day >= p_day - se.long_days) as long_sum,
            pg_catalog.stddev_samp(d.net::numeric) filter (where d.low > 0
                                                           and d.day >= p_day - se.long_days) as long_sd,
            coalesce(pg_catalog.sum(d.net) filter (where d.day >= p_day - se.short_days), 0) as net_short,
            coalesce(pg_catalog.sum(d.units) filter (where d.day >= p_day - se.short_days), 0) as units_short,
            coalesce(pg_catalog.sum(d.units) filter (where d.day >= p_day - se.dead_days), 0) as units_dead,
            pg_catalog.sum(d.net_sales) as net_sales_90,
            pg_catalog.max(d.close) filter (where d.day = p_day - 1) as close_before,
            pg_catalog.min(se.slow_units) as slow_units, pg_catalog.min(se.min_days) as min_days,
            pg_catalog.min(se.short_days) as short_days, pg_catalog.min(se.long_days) as long_days
        from daily as d
            cross join settings as se
        group by d.variant_id
    ),
    picked as (
        -- a slow mover (few net units, or few in-stock days) takes the longer lookback
        select s.*, (s.net_short < s.slow_units or s.short_n < s.min_days) as slow
        from sums as s
    )
    select p.variant_id, v.inventory_item_id,
        case when p.slow then p.long_days else p.short_days end::integer,
        case when p.slow then p.long_n else p.short_n end::integer,
        case when (case when p.slow then p.long_n else p.short_n end) > 0
             then greatest(0, pg_catalog.round(
                 (case when p.slow then p.long_sum else p.short_sum end)::numeric
                 / (case when p.slow then p.long_n else p.short_n end), 4)) end,
        coalesce(pg_catalog.round(case when p.slow then p.long_sd else p.short_sd end, 4), 0),
        p.net_short::integer, p.units_short::integer, p.units_dead::integer,
        p.net_sales_90, v.first_day, p.close_before::integer
    from picked as p
        join variants as v
            on v.variant_id = p.variant_id
$$;

comment on function private.inventory_variant_figures(uuid, date, bigint[]) is 'Each tracked variant''s figures over the lookbacks ending the day before p_day (p_variant_ids null: every variant): the lookback (30, or 90 for a slow mover), its in-stock days, velocity and sigma over them, net units and units ordered over 30 days, units ordered over the dead-stock window, net sales over 90 days, the first day of its stock history and its close the day before. The one definition of these figures: see README.md.';

create function private.refresh_inventory_stats(p_shop_id uuid, p_variant_ids bigint[])
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
    set plan_cache_mode = force_custom_plan
as $$
declare
    v_day date;
    v_reclassed bigint[];
begin
    select d.stats_day into v_day
    from app.inventory_stats_day as d
    where d.shop_id = p_shop_id;
    -- never rolled yet: the tile computes its figures as it goes
    if v_day is null or pg_catalog.cardinality(p_variant_ids) = 0 then
        return;
    end if;
    delete from app.inventory_variant_stats as s
    where s.shop_id = p_shop_id
        and (p_variant_ids is null or s.variant_id = any (p_variant_ids));
    insert into app.inventory_variant_stats (shop_id, variant_id, inventory_item_id,
        lookback_days, in_stock_days, velocity, sigma, net_units_30, units_ordered_30,
        units_ordered_dead, net_sales_90, first_day, close_before)
    select p_shop_id, f.variant_id, f.inventory_item_id, f.lookback_days, f.in_stock_days,
        f.velocity, f.sigma, f.net_units_30, f.units_ordered_30, f.units_ordered_dead,
        f.net_sales_90, f.first_day, f.close_before
    from private.inventory_variant_figures(p_shop_id, v_day, p_variant_ids) as f;
    -- their net sales may move others between ABC classes; then their state follows
    v_reclassed := private.refresh_inventory_abc(p_shop_id);
    perform private.refresh_inventory_state(p_shop_id,
        case when p_variant_ids is not null
             then array(select distinct pg_catalog.unnest(p_variant_ids || v_reclassed)) end);
end
$$;

comment on function private.refresh_inventory_stats(uuid, bigint[]) is 'Computes the given variants'' rows of app.inventory_variant_stats again (null: every variant), for the shop''s stats day (nothing before the shop''s first day roll), then the ABC classes, then the state of those variants and of any whose class moved.';

create function private.abc_class(p_net_sales numeric, p_above numeric, p_positive numeric)
    returns text
    language sql
    immutable
    security invoker
    set search_path = ''
as $$
    -- A while the net sales ranked above sum to below 80 % of the positive total, B below 95 %
    select case when p_net_sales <= 0 then 'C'
                when p_above < 0.80 * p_positive then 'A'
                when p_above < 0.95 * p_positive then 'B'
                else 'C' end
$$;

comment on function private.abc_class(numeric, numeric, numeric) is 'A variant''s ABC class from its net sales, the net sales of the variants ranked above it, and the total of the positive ones: A while those above sum to below 80 % of it, B below 95 %, else C (and C without positive net sales).';

create function private.refresh_inventory_abc(p_shop_id uuid)
    returns bigint[]
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_changed bigint[];
begin
    with sums as materialized (
        -- (the running sum to this row, less its own: a frame that ends before the row
        -- would be summed again for every row)
        select s.variant_id, s.net_sales_90,
            pg_catalog.sum(s.net_sales_90) over (
                order by s.net_sales_90 desc, s.variant_id
                rows between unbounded preceding and current row) - s.net_sales_90 as above,
            pg_catalog.sum(s.net_sales_90) filter (where s.net_sales_90 > 0) over () as positive
        from app.inventory_variant_stats as s
        where s.shop_id = p_shop_id
    ),
    ranked as (
        -- private.abc_class, written out: a function with a pinned search_path is called
        -- once per variant, not inlined
        select x.variant_id,
            case when x.net_sales_90 <= 0 then 'C'
                 when x.above < 0.80 * x.positive then 'A'
                 when x.above < 0.95 * x.positive then 'B'
                 else 'C' end as abc
        from sums as x
    ),
    changed as (
        update app.inventory_variant_stats as t
        set abc = r.abc
        from ranked as r
        where t.shop_id = p_shop_id
            and t.variant_id = r.variant_id
            and t.abc is distinct from r.abc
        returning t.variant_id
    )
    select coalesce(pg_catalog.array_agg(c.variant_id), '{}') into v_changed
    from changed as c;
    return v_changed;
end
$$;

comment on function private.refresh_inventory_abc(uuid) is 'Classes the shop''s stored variants A, B or C by their net sales over 90 days (private.abc_class); returns the variants whose class changed.';

create function private.roll_inventory_stats(p_shop_id uuid, p_day date)
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_count integer;
begin
    -- one roll of a shop at a time
    perform pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended(p_shop_id::text || '/inventory_stats', 0));
    insert into app.inventory_stats_day as d (shop_id, stats_day, computed_at)
    values (p_shop_id, p_day, pg_catalog.now())
    on conflict on constraint pk_inventory_stats_day do update
    set stats_day = excluded.stats_day,
        computed_at = excluded.computed_at;
    perform private.refresh_inventory_stats(p_shop_id, null);
    select pg_catalog.count(*)::integer into v_count
    from app.inventory_variant_stats as s
    where s.shop_id = p_shop_id;
    return v_count;
end
$$;

comment on function private.roll_inventory_stats(uuid, date) is 'Rolls a shop''s Inventory Watch figures to a stats day: computes every variant''s row of app.inventory_variant_stats from the snapshots and sales, for the lookbacks ending the day before. Returns the variants.';

create function private.inventory_stats_window_touched(p_shop_id uuid, p_days date[])
    returns boolean
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    -- whether a change on these days reaches the figures of the stats day (its 90 days)
    select exists (
        select
        from app.inventory_stats_day as s,
            pg_catalog.unnest(p_days) as d (day)
        where s.shop_id = p_shop_id
            and d.day < s.stats_day)
$$;

comment on function private.inventory_stats_window_touched(uuid, date[]) is 'Whether a change on any of these shop-local days reaches the shop''s stored figures (a day before its stats day).';

create function private.inventory_on_order_change(p_shop_id uuid, p_keys bigint[],
                                                  p_phase text, p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_variants bigint[];
    v_days date[];
begin
    -- the applier holds the orders' advisory locks from before to after
    select coalesce(pg_catalog.array_agg(distinct t.variant_id), '{}'),
        coalesce(pg_catalog.array_agg(distinct t.day), '{}')
    into v_variants, v_days
    from private.apply_inventory_sales(p_shop_id, p_keys,
                                       case when p_phase = 'before' then -1 else 1 end) as t;
    if p_phase = 'before' then
        return pg_catalog.jsonb_build_object('variants', v_variants, 'days', v_days);
    end if;
    v_variants := v_variants || array(
        select (v.value #>> '{}')::bigint
        from pg_catalog.jsonb_array_elements(coalesce(p_state -> 'variants', '[]')) as v (value));
    v_days := v_days || array(
        select (d.value #>> '{}')::date
        from pg_catalog.jsonb_array_elements(coalesce(p_state -> 'days', '[]')) as d (value));
    -- today's sales are in no lookback yet: most changes end here
    if private.inventory_stats_window_touched(p_shop_id, v_days) then
        perform private.refresh_inventory_stats(p_shop_id,
            array(select distinct pg_catalog.unnest(v_variants)));
    end if;
    return null;
end
$$;

comment on function private.inventory_on_order_change(uuid, bigint[], text, jsonb) is 'Inventory Watch''s subscriber to shopify_order: before a change subtracts the orders'' sales per variant and day, after it adds them again, and computes the stored figures of the variants they touch again when a touched day is in the lookbacks.';

create function private.inventory_on_variant_change(p_shop_id uuid, p_keys bigint[],
                                                    p_phase text, p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- every subscriber takes the change feed's state; this one keeps none (p_state is unused):
-- @plpgsql_check_options: extra_warnings = false
begin
    if p_phase = 'after' then
        perform private.refresh_inventory_stats(p_shop_id, p_keys);
    end if;
    return null;
end
$$;

comment on function private.inventory_on_variant_change(uuid, bigint[], text, jsonb) is 'Inventory Watch''s subscriber to shopify_variant: a variant replaced, added or gone has its stored figures computed again.';

create function private.inventory_on_item_change(p_shop_id uuid, p_keys bigint[],
                                                 p_phase text, p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- every subscriber takes the change feed's state; this one keeps none (p_state is unused):
-- @plpgsql_check_options: extra_warnings = false
begin
    if p_phase = 'after' then
        perform private.refresh_inventory_stats(p_shop_id, array(
            select v.variant_id
            from app.shopify_variant as v
            where v.shop_id = p_shop_id
                and v.inventory_item_id = any (p_keys)));
    end if;
    return null;
end
$$;

comment on function private.inventory_on_item_change(uuid, bigint[], text, jsonb) is 'Inventory Watch''s subscriber to shopify_inventory_item: an item tracked, untracked or deleted has its variants'' stored figures computed again.';

create function private.inventory_on_product_change(p_shop_id uuid, p_keys bigint[],
                                                    p_phase text, p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- every subscriber takes the change feed's state; this one keeps none (p_state is unused):
-- @plpgsql_check_options: extra_warnings = false
begin
    if p_phase = 'after' then
        perform private.refresh_inventory_stats(p_shop_id, array(
            select v.variant_id
            from app.shopify_variant as v
            where v.shop_id = p_shop_id
                and v.product_id = any (p_keys)));
    end if;
    return null;
end
$$;

comment on function private.inventory_on_product_change(uuid, bigint[], text, jsonb) is 'Inventory Watch''s subscriber to shopify_product: a product deleted has its variants'' stored figures computed again (they leave the tile).';

create function private.rebuild_inventory_sales(p_shop_id uuid)
    returns void
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    delete from app.inventory_sales_daily as t
    where t.shop_id = p_shop_id;
    perform private.apply_inventory_sales(
        p_shop_id,
        array(select o.order_id from app.shopify_order as o where o.shop_id = p_shop_id),
        1);
end
$$;

comment on function private.rebuild_inventory_sales(uuid) is 'Recomputes a shop''s app.inventory_sales_daily from its orders; the result equals the incrementally maintained one.';

create function private.inventory_stats_on_level_version(p_shop_id uuid, p_keys bigint[],
                                                         p_phase text, p_state jsonb)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
-- every subscriber takes the change feed's state; this one keeps none (p_state is unused):
-- @plpgsql_check_options: extra_warnings = false
declare
    v_tz text;
begin
    if p_phase = 'before' then
        return null;
    end if;
    select s.iana_timezone into strict v_tz
    from app.shop as s
    where s.shop_id = p_shop_id;
    -- after the snapshots (position 10): a version of a day in the lookbacks, or the first
    -- of a variant not yet in the figures, computes its variant's figures again; every
    -- variant whose level changed has its state brought up to date
    perform private.refresh_inventory_state(p_shop_id, array(
        select distinct sv.variant_id
        from app.shopify_inventory_level_version as v
            join app.shopify_variant as sv
                on sv.shop_id = v.shop_id
                and sv.inventory_item_id = v.inventory_item_id
        where v.shop_id = p_shop_id
            and v.version_id = any (p_keys)));
    perform private.refresh_inventory_stats(p_shop_id, array(
        select distinct sv.variant_id
        from app.shopify_inventory_level_version as v
            join app.shopify_variant as sv
                on sv.shop_id = v.shop_id
                and sv.inventory_item_id = v.inventory_item_id
            join app.inventory_stats_day as d
                on d.shop_id = v.shop_id
        where v.shop_id = p_shop_id
            and v.version_id = any (p_keys)
            and ((v.updated_at at time zone v_tz)::date < d.stats_day
                 or not exists (
                     select
                     from app.inventory_variant_stats as st
                     where st.shop_id = v.shop_id
                         and st.variant_id = sv.variant_id))));
    return null;
end
$$;

comment on function private.inventory_stats_on_level_version(uuid, bigint[], text, jsonb) is 'Inventory Watch''s subscriber to shopify_inventory_level_version, after the snapshots: a version on a day in the lookbacks (or a variant''s first) has its variant''s stored figures computed again.';

grant execute on function private.apply_inventory_sales(uuid, bigint[], integer) to service_role;

grant execute on function private.inventory_variant_figures(uuid, date, bigint[]) to service_role;

grant execute on function private.refresh_inventory_stats(uuid, bigint[]) to service_role;

grant execute on function private.roll_inventory_stats(uuid, date) to service_role;

grant execute on function private.inventory_stats_window_touched(uuid, date[]) to service_role;

grant execute on function private.inventory_on_order_change(uuid, bigint[], text, jsonb) to service_role;

grant execute on function private.inventory_on_variant_change(uuid, bigint[], text, jsonb) to service_role;

grant execute on function private.inventory_on_item_change(uuid, bigint[], text, jsonb) to service_role;

grant execute on function private.inventory_on_product_change(uuid, bigint[], text, jsonb) to service_role;

grant execute on function private.rebuild_inventory_sales(uuid) to service_role;

grant execute on function private.abc_class(numeric, numeric, numeric) to service_role;

grant execute on function private.refresh_inventory_abc(uuid) to service_role;

grant execute on function private.inventory_stats_on_level_version(uuid, bigint[], text, jsonb) to service_role;

select private.subscribe_to_changes('shopify_order', 'private.inventory_on_order_change', 200,
    'Inventory Watch: sales per variant and day (app.inventory_sales_daily), and the stored figures of the variants a change reaches.');

select private.subscribe_to_changes('shopify_inventory_level_version',
    'private.inventory_stats_on_level_version', 20,
    'Inventory Watch: the stored figures of the variants whose stock history changed in their lookbacks.');

select private.subscribe_to_changes('shopify_variant', 'private.inventory_on_variant_change', 10,
    'Inventory Watch: the stored figures of variants replaced, added or gone.');

select private.subscribe_to_changes('shopify_inventory_item', 'private.inventory_on_item_change',
    10, 'Inventory Watch: the stored figures of variants whose item was tracked, untracked or deleted.');

select private.subscribe_to_changes('shopify_product', 'private.inventory_on_product_change', 10,
    'Inventory Watch: the stored figures of a deleted product''s variants.');
