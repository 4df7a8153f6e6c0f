-- Nightly, check every shop's incremental Sales Pulse rollups against a full rebuild.
-- depends: 20261125_36_create-sales-pulse-tile
--
-- The rollups are maintained at ingestion and should never drift; this job proves it
-- each night and repairs a shop whose rollups differ (the rebuild is the truth), raising
-- a warning that pg_cron records in cron.job_run_details and the lint reports.

create function private.sales_rollup_fingerprint(p_shop_id uuid)
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

create function private.check_sales_rollups()
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_shop uuid;
    v_before text;
    v_after text;
    v_repaired integer := 0;
begin
    for v_shop in select s.shop_id from app.shop as s order by s.shop_id loop
        v_before := private.sales_rollup_fingerprint(v_shop);
        perform private.rebuild_sales_rollups(v_shop);
        v_after := private.sales_rollup_fingerprint(v_shop);
        if v_before <> v_after then
            v_repaired := v_repaired + 1;
            raise warning 'sales rollups of shop % had drifted from a rebuild and were repaired', v_shop;
        end if;
    end loop;
    return v_repaired;
end
$$;

comment on function private.check_sales_rollups() is 'Rebuilds every shop''s Sales Pulse rollups and returns how many had drifted from the incremental ones (each is warned about).';

select private.schedule_job(
    'storepulse-check-sales-rollups',
    '23 10 * * *',
    $job$select private.check_sales_rollups()$job$
);
