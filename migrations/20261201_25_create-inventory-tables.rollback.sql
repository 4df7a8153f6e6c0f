-- Undo: drop Inventory Watch's stores and app.shopify_inventory_item.deleted_at.

set local lock_timeout = '5s';

drop table app.inventory_item_day;

drop table app.inventory_level_day;

drop table app.shopify_inventory_level_version;

drop table app.shopify_inventory_level;

drop table app.shopify_location;

alter table app.shopify_inventory_item
    drop column deleted_at;
