-- Schedule Fulfillment Flow's hourly job: the check of its state and the chase_carrier suggestions.
-- depends: 20261202_10_create-fulfillment-job
--
-- Hourly at minute 27 (pg_cron runs in GMT), ten minutes after Inventory Watch's job: a
-- parcel that turns late is chased within the hour.

select private.schedule_job(
    'storepulse-run-fulfillment-flow',
    '27 * * * *',
    $job$select private.run_fulfillment_flow()$job$
);
