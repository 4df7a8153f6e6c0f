-- Nightly, check every shop's incremental Sales Pulse rollups against a full rebuild.
-- depends: 20261125_36_create-sales-pulse-tile
--
-- The rollups are maintained at ingestion and should never drift; this job proves it
-- each night with private.check_sales_rollups, which repairs a shop whose rollups differ
-- (the rebuild is the truth), raising a warning that pg_cron records in
-- cron.job_run_details and the lint reports.

select private.schedule_job(
    'storepulse-check-sales-rollups',
    '23 10 * * *',
    $job$select private.check_sales_rollups()$job$
);
