-- Undo: retire the planning tables' audit stores (their changes move to audit.row_change)
-- and drop the tables.

set local lock_timeout = '5s';

select private.retire_row_change_store('app.inventory_receipt');

select private.retire_row_change_store('app.inventory_variant_supplier');

select private.retire_row_change_store('app.inventory_supplier');

select private.retire_row_change_store('app.inventory_settings');

drop table app.inventory_state_cover;

drop table app.inventory_state_totals;

drop table app.inventory_variant_state;

drop table app.inventory_variant_stats;

drop table app.inventory_stats_day;

drop table app.inventory_sales_daily;

drop table app.inventory_receipt;

drop table app.inventory_variant_supplier;

drop table app.inventory_supplier;

drop table app.inventory_settings;
