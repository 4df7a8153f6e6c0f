-- Undo: drop the shipping calendar and carrier api.

drop function api.set_carrier_service_sla(uuid, text, text, integer);

drop function api.set_carrier_alias(uuid, text, text);

drop function api.set_shop_holiday(uuid, date, text);

drop function api.set_fulfillment_settings(uuid, integer, time, time, time, integer[], integer);

drop function private.require_shipping_manager(uuid);

revoke execute on function private.carrier_alias_of(text) from authenticated;
