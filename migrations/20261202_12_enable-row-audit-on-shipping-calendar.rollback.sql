-- Undo: retire the shipping calendar's audit stores (their changes move to audit.row_change).

set local lock_timeout = '5s';

select private.retire_row_change_store('app.carrier_service_sla');

select private.retire_row_change_store('app.carrier_alias');

select private.retire_row_change_store('app.shop_holiday');

select private.retire_row_change_store('app.fulfillment_settings');
