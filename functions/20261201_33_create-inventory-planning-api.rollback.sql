-- Undo: drop Inventory Watch's planning api and its triggers.

set local lock_timeout = '5s';

drop trigger tg_inventory_settings__refresh_state on app.inventory_settings;

drop function private.tg_inventory_settings__refresh_state();

drop trigger tg_inventory_supplier__refresh_state on app.inventory_supplier;

drop function private.tg_inventory_supplier__refresh_state();

drop trigger tg_inventory_variant_supplier__refresh_state on app.inventory_variant_supplier;

drop function private.tg_inventory_variant_supplier__refresh_state();

drop trigger tg_inventory_receipt__refresh_state on app.inventory_receipt;

drop function private.tg_inventory_receipt__refresh_state();

drop function api.set_inventory_settings(uuid, integer, integer, integer, integer, integer, integer, integer, integer);

drop function api.close_receipt(uuid, bigint, text, timestamptz);

drop function api.record_expected_receipt(uuid, bigint, integer, date, bigint, text, timestamptz);

drop function api.set_variant_supplier(uuid, bigint, bigint, integer);

drop function api.set_supplier(uuid, text, integer, integer);

drop function private.check_shop_supplier(uuid, bigint);

drop function private.check_shop_variant(uuid, bigint);

drop function private.check_whole_number(integer, text, integer, integer);

drop function private.require_planner(uuid);
