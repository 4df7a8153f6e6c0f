-- Undo: unsubscribe the stock snapshots and drop their functions.

select private.unsubscribe_from_changes('shopify_inventory_level_version',
    'private.inventory_on_level_version');

drop function private.rebuild_inventory_days(uuid);

drop function private.inventory_on_level_version(uuid, bigint[], text, jsonb);

drop function private.refresh_inventory_days(uuid, bigint, date, date);

drop function private.inventory_days(uuid, text, bigint, bigint, date, date);
