-- Undo: drop the policies of Inventory Watch's stores.

drop policy "members can read their shops' shopify location rows" on app.shopify_location;

drop policy "members can read their shops' inventory level rows" on app.shopify_inventory_level;

drop policy "members can read their shops' inventory level version rows" on app.shopify_inventory_level_version;

drop policy "members can read their shops' level snapshot rows" on app.inventory_level_day;

drop policy "members can read their shops' item snapshot rows" on app.inventory_item_day;
