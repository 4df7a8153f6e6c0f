-- Audit every change to the shipping calendar and carrier tables that owners and managers edit.
-- depends: 20261202_11_schedule-fulfillment-flow
--
-- app.fulfillment_settings, app.shop_holiday, app.carrier_alias and app.carrier_service_sla
-- set the promises Fulfillment Flow measures against, so who changed them and when is kept,
-- each in its own row-change store. Rollback retires the stores (their changes move to
-- audit.row_change).

set local lock_timeout = '5s';

select private.enable_row_audit('app.fulfillment_settings');

select private.enable_row_audit('app.shop_holiday');

select private.enable_row_audit('app.carrier_alias');

select private.enable_row_audit('app.carrier_service_sla');
