-- Undo: drop Inventory Watch's planning api.

drop function api.set_inventory_settings(uuid, integer, integer, integer, integer, integer, integer, integer, integer);

drop function api.close_receipt(uuid, bigint, text, timestamptz);

drop function api.record_expected_receipt(uuid, bigint, integer, date, bigint, text, timestamptz);

drop function api.set_variant_supplier(uuid, bigint, bigint, integer);

drop function api.set_supplier(uuid, text, integer, integer);

drop function private.check_shop_supplier(uuid, bigint);

drop function private.check_shop_variant(uuid, bigint);

drop function private.check_whole_number(integer, text, integer, integer);

drop function private.require_planner(uuid);
