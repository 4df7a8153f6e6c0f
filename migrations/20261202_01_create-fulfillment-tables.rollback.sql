-- Undo: drop Fulfillment Flow's stores.

drop table app.carrier_service_sla;

drop table private.carrier_service_sla_default;

drop table app.carrier_alias;

drop table private.carrier_alias_default;

drop table app.shop_holiday;

drop table app.fulfillment_settings;

drop table app.shopify_fulfillment_event;

drop table app.shopify_fulfillment_pii;

drop table app.shopify_fulfillment_line;

drop table app.shopify_fulfillment;

set local lock_timeout = '5s';

alter table app.shopify_order drop column shipping_title;
