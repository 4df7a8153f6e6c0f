-- Inventory Watch's job: roll each shop's figures over its local midnight, check them, and file reorder suggestions.
-- depends: 20261201_34_create-inventory-watch-tile
--
-- private.run_inventory_watch (pg_cron, hourly) does, for every shop with stock: compare the
-- stored figures with a rebuild of the same day (warning about any drift), roll them to the
-- shop's local today when its day has turned (private.roll_inventory_stats computes all
-- of them again), and private.file_reorder_suggestions: one reorder_sku suggestion in the
-- decision log per variant below its reorder point (never two open for one variant), and
-- an open one withdrawn (recorded expired by the system, with a note) once its variant is
-- back above it. Rollback drops them.

create function private.inventory_stats_drift(p_shop_id uuid)
    returns integer
    language sql
    stable
    security invoker
    set search_path = ''
as $$
    -- the stored figures against the same day's rebuild, row by row (both ways)
    with stored as (
        select s.variant_id, s.inventory_item_id, s.lookback_days, s.in_stock_days, s.velocity,
            s.sigma, s.net_units_30, s.units_ordered_30, s.units_ordered_dead, s.net_sales_90,
            s.first_day, s.close_before
        from app.inventory_variant_stats as s
        where s.shop_id = p_shop_id
    ),
    rebuilt as (
        select f.*
        from app.inventory_stats_day as d,
            private.inventory_variant_figures(p_shop_id, d.stats_day, null) as f
        where d.shop_id = p_shop_id
    )
    ,
    kept as (
        select s.variant_id, s.line, s.cover_bucket, s.available, s.on_order, s.abc,
            s.reorder_quantity, s.needs_reorder, s.urgent, s.excess_units, s.dead_stock
        from app.inventory_variant_state as s
        where s.shop_id = p_shop_id
    ),
    recomputed as (
        select r.variant_id, r.line, r.cover_bucket, r.available, r.on_order, r.abc,
            r.reorder_quantity, r.needs_reorder, r.urgent, r.excess_units, r.dead_stock
        from app.inventory_stats_day as d,
            private.inventory_variant_rows(p_shop_id, 'infinity', null, d.stats_day) as r
        where d.shop_id = p_shop_id
    ),
    summed as (
        -- the totals against the sums of the state they are kept with
        select (t.variants, t.stocked_out, t.below_reorder_point, t.urgent,
                t.lost_revenue_per_day, t.units_on_order, t.stock_value, t.units,
                t.overstock_variants, t.overstock_value, t.dead_stock_variants,
                t.dead_stock_value)
            is distinct from (
                select (pg_catalog.count(*)::integer,
                        (pg_catalog.count(*) filter (where s.available <= 0))::integer,
                        (pg_catalog.count(*) filter (where s.needs_reorder))::integer,
                        (pg_catalog.count(*) filter (where s.urgent))::integer,
                        coalesce(pg_catalog.sum(s.lost_revenue_per_day), 0)::numeric(16,2),
                        coalesce(pg_catalog.sum(s.on_order), 0)::bigint,
                        coalesce(pg_catalog.sum(greatest(s.available, 0) * s.unit_cost), 0)::numeric(16,2),
                        coalesce(pg_catalog.sum(greatest(s.available, 0)), 0)::bigint,
                        (pg_catalog.count(*) filter (where s.excess_units > 0))::integer,
                        coalesce(pg_catalog.sum(s.excess_value), 0)::numeric(16,2),
                        (pg_catalog.count(*) filter (where s.dead_stock))::integer,
                        coalesce(pg_catalog.sum(s.dead_stock_value), 0)::numeric(16,2))
                from app.inventory_variant_state as s
                where s.shop_id = p_shop_id) as off
        from app.inventory_state_totals as t
        where t.shop_id = p_shop_id
    )
    select (select pg_catalog.count(*) from (select * from stored except select * from rebuilt) as a)::integer
        + (select pg_catalog.count(*) from (select * from rebuilt except select * from stored) as b)::integer
        + (select pg_catalog.count(*) from (select * from kept except select * from recomputed) as c)::integer
        + (select pg_catalog.count(*) from (select * from recomputed except select * from kept) as e)::integer
        + coalesce((select s.off::integer from summed as s), 0)
$$;

comment on function private.inventory_stats_drift(uuid) is 'How many rows of the shop''s stored Inventory Watch figures and kept state differ from a rebuild of the same stats day, plus 1 if its totals differ from the sums of its state (0: the incremental path is exact).';

create function private.file_reorder_suggestions(p_shop_id uuid, p_as_of timestamptz)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_filed bigint;
    v_withdrawn bigint;
begin
    -- one filer of a shop at a time: the check for an open suggestion and the insert agree
    perform pg_catalog.pg_advisory_xact_lock(
        pg_catalog.hashtextextended(p_shop_id::text || '/reorder_suggestions', 0));
    with rows as materialized (
        select *
        from private.inventory_variant_rows(p_shop_id, p_as_of)
    ),
    open as (
        select s.suggestion_id, s.subject_id
        from audit.suggestion as s
        where s.shop_id = p_shop_id
            and s.kind = 'reorder_sku'
            and s.subject_type = 'sku'
            and s.expires_at > p_as_of
            and not exists (
                select
                from audit.decision as d
                where d.shop_id = s.shop_id
                    and d.suggestion_id = s.suggestion_id)
    ),
    withdrawn as (
        -- restocked (or gone from the tile): no longer below the reorder point
        insert into audit.decision (shop_id, suggestion_id, outcome, decided_by, decided_role,
            decided_at, note)
        select p_shop_id, o.suggestion_id, 'expired', null, 'system', p_as_of,
            'withdrawn: the variant is no longer below its reorder point'
        from open as o
        where not exists (
            select
            from rows as r
            where r.variant_id::text = o.subject_id
                and r.needs_reorder)
        returning 1
    ),
    filed as (
        insert into audit.suggestion (shop_id, kind, subject_type, subject_id, payload, source,
            model_version, score, evidence, suggested_by, suggested_role, suggested_at,
            expires_at)
        select p_shop_id, 'reorder_sku', 'sku', r.variant_id::text,
            pg_catalog.jsonb_build_object(
                'variant_id', r.variant_id, 'sku', r.sku, 'title', r.title,
                'variant_title', r.variant_title, 'quantity', r.reorder_quantity,
                'supplier_id', r.supplier_id, 'supplier', r.supplier,
                'expected_stockout_date', r.stockout_date, 'urgent', r.urgent,
                'available', r.available, 'on_order', r.on_order,
                'reorder_point', r.reorder_point, 'velocity', r.velocity,
                'lead_time_days', r.lead_time_days, 'abc', r.abc),
            'inventory_watch', 'inventory-watch-1', case when r.urgent then 0.9 else 0.6 end,
            pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
                'tile', 'inventory_watch', 'id', r.variant_id)),
            null, 'service_role', p_as_of, p_as_of + interval '7 days'
        from rows as r
        where r.needs_reorder
            and r.reorder_quantity > 0
            and not exists (
                select
                from open as o
                where o.subject_id = r.variant_id::text)
        returning 1
    )
    select (select pg_catalog.count(*) from filed), (select pg_catalog.count(*) from withdrawn)
    into v_filed, v_withdrawn;
    return pg_catalog.jsonb_build_object('filed', v_filed, 'withdrawn', v_withdrawn);
end
$$;

comment on function private.file_reorder_suggestions(uuid, timestamptz) is 'Files one reorder_sku suggestion (source inventory_watch, as the analytics engine) for each variant below its reorder point as of a moment, with its quantity, supplier and expected stock-out date and the tile row as evidence, unless one is open already; withdraws the open ones whose variant is back above it (recorded expired by the system, with a note). Returns {"filed", "withdrawn"}.';

create function private.run_inventory_watch()
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop record;
    v_today date;
    v_drift integer;
    v_result jsonb := '{}'::jsonb;
    v_filed jsonb;
begin
    for v_shop in
        select s.shop_id, s.iana_timezone, d.stats_day
        from app.shop as s
            left join app.inventory_stats_day as d
                on d.shop_id = s.shop_id
        where exists (
            select
            from app.shopify_inventory_level as l
            where l.shop_id = s.shop_id)
        order by s.shop_id
    loop
        v_today := (pg_catalog.now() at time zone v_shop.iana_timezone)::date;
        v_drift := case when v_shop.stats_day is not null
                        then private.inventory_stats_drift(v_shop.shop_id) end;
        if v_drift > 0 then
            raise warning 'Inventory Watch figures of shop % had drifted from a rebuild in % rows; the roll repairs them',
                v_shop.shop_id, v_drift;
        end if;
        if v_shop.stats_day is distinct from v_today or v_drift > 0 then
            perform private.roll_inventory_stats(v_shop.shop_id, v_today);
        end if;
        v_filed := private.file_reorder_suggestions(v_shop.shop_id, pg_catalog.now());
        v_result := v_result || pg_catalog.jsonb_build_object(v_shop.shop_id::text,
            v_filed || pg_catalog.jsonb_build_object('drift', v_drift, 'stats_day', v_today));
    end loop;
    return v_result;
end
$$;

comment on function private.run_inventory_watch() is 'Job: for every shop with stock, checks the stored Inventory Watch figures against a rebuild (warning about drift), rolls them to the shop''s local today when its day has turned (or when they drifted), and files and withdraws reorder suggestions. Returns per shop {"filed", "withdrawn", "drift", "stats_day"}.';

grant execute on function private.inventory_stats_drift(uuid) to service_role;

grant execute on function private.file_reorder_suggestions(uuid, timestamptz) to service_role;

grant execute on function private.run_inventory_watch() to service_role;
