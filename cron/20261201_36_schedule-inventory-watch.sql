-- Schedule Inventory Watch's hourly job: the day roll, its check, and the reorder suggestions.
-- depends: 20261201_35_create-inventory-day-job
--
-- Hourly at minute 17 (pg_cron runs in GMT): each shop's figures roll within the hour after
-- its local midnight, and suggestions follow stock within the hour.

select private.schedule_job(
    'storepulse-run-inventory-watch',
    '17 * * * *',
    $job$select private.run_inventory_watch()$job$
);
