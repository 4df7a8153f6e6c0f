-- Schedule the payload retention daily.
-- depends: 20261201_19_start-payload-retention
--
-- 03:41 GMT, after the audit maintenance (02:23): compacts raw bodies past their replay
-- window in committed batches, drops whole months, keeps partitions ready two months
-- ahead, and records what it freed in private.payload_retention_run. Tests run the
-- procedure directly.

select private.schedule_job(
    'storepulse-apply-payload-retention',
    '41 3 * * *',
    $job$call private.run_payload_retention()$job$
);
