select private.unschedule_job('storepulse-check-sales-rollups');

drop function private.check_sales_rollups();

drop function private.sales_rollup_fingerprint(uuid);
