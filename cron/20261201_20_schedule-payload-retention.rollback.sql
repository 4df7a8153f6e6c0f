select private.unschedule_job('storepulse-apply-payload-retention');
