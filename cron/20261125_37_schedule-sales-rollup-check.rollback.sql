select private.unschedule_job('storepulse-check-sales-rollups');
