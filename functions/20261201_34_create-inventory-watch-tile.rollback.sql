-- Undo: drop the Inventory Watch tile.

drop function api.inventory_watch(uuid, timestamptz);

drop function private.inventory_watch(uuid, timestamptz);

drop function private.refresh_inventory_state(uuid, bigint[]);

drop function private.inventory_variant_rows(uuid, timestamptz, bigint[], date);
