select private.unschedule_job('storepulse-prune-cron-history');
