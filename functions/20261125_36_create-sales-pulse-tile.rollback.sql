drop function private.check_sales_rollups();

drop function private.sales_rollup_fingerprint(uuid);

drop function api.sales_pulse(uuid, timestamptz);

drop function private.sales_customers(uuid, date, date);

drop function private.sales_delta(jsonb, jsonb);

drop function private.sales_figures(uuid, date, date);
