-- Nightly, check every shop's incremental Sales Pulse rollups against a full rebuild.
-- depends: 20261125_36_create-sales-pulse-tile
--
-- The rollups are maintained at ingestion and should never drift; this job proves it
-- each night and repairs a shop whose rollups differ (the rebuild is the truth), raising
-- a warning that pg_cron records in cron.job_run_details and the lint reports.

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
        select pg_catalog.md5(coalesce(pg_catalog.string_agg(d::text, ',' order by d.day), ''))
        into v_before from app.sales_daily as d where d.shop_id = v_shop;
        perform private.rebuild_sales_rollups(v_shop);
        select pg_catalog.md5(coalesce(pg_catalog.string_agg(d::text, ',' order by d.day), ''))
        into v_after from app.sales_daily as d where d.shop_id = v_shop;
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
