-- Prune pg_cron's run history daily: pg_cron never deletes job_run_details itself.
-- depends: 20261125_09_create-job-scheduling-helpers

select private.schedule_job(
    'storepulse-prune-cron-history',
    '17 3 * * *',
    $job$delete from cron.job_run_details where end_time < now() - interval '14 days'$job$
);
