-- Undo: drop Inventory Watch's job functions.

drop function private.run_inventory_watch();

drop function private.file_reorder_suggestions(uuid, timestamptz);

drop function private.inventory_stats_drift(uuid);
