-- Undo: unsubscribe Fulfillment Flow from the change feed and drop its state functions.

select private.unsubscribe_from_changes('shopify_fulfillment', 'private.fulfillment_on_fulfillment_change');

select private.unsubscribe_from_changes('shopify_order', 'private.fulfillment_on_order_change');

set local lock_timeout = '5s';

drop trigger tg_carrier_service_sla__rebuild on app.carrier_service_sla;

drop trigger tg_carrier_alias__rebuild on app.carrier_alias;

drop trigger tg_shop_holiday__rebuild on app.shop_holiday;

drop trigger tg_fulfillment_settings__rebuild on app.fulfillment_settings;

drop function private.tg_fulfillment_calendar__rebuild();

drop function private.fulfillment_on_fulfillment_change(uuid, bigint[], text, jsonb);

drop function private.fulfillment_on_order_change(uuid, bigint[], text, jsonb);

drop function private.rebuild_fulfillment_state(uuid);

drop function private.refresh_fulfillment_shipments(uuid, bigint[]);

drop function private.refresh_fulfillment_lines(uuid, bigint[]);

drop function private.fulfillment_shipment_rows(uuid, bigint[]);

drop function private.fulfillment_line_rows(uuid, bigint[]);
