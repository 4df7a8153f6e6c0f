-- Undo: drop the policies of Fulfillment Flow's stores.

drop policy "members can read their shops' shopify fulfillment rows" on app.shopify_fulfillment;

drop policy "members can read their shops' fulfillment line rows" on app.shopify_fulfillment_line;

drop policy "members can read their shops' fulfillment event rows" on app.shopify_fulfillment_event;

drop policy "members can read their shops' fulfillment settings rows" on app.fulfillment_settings;

drop policy "members can read their shops' holiday rows" on app.shop_holiday;

drop policy "members can read their shops' carrier alias rows" on app.carrier_alias;

drop policy "members can read their shops' carrier service promise rows" on app.carrier_service_sla;

drop policy "owners and managers can add fulfillment settings rows" on app.fulfillment_settings;

drop policy "owners and managers can change fulfillment settings rows" on app.fulfillment_settings;

drop policy "owners and managers can remove fulfillment settings rows" on app.fulfillment_settings;

drop policy "owners and managers can add holiday rows" on app.shop_holiday;

drop policy "owners and managers can change holiday rows" on app.shop_holiday;

drop policy "owners and managers can remove holiday rows" on app.shop_holiday;

drop policy "owners and managers can add carrier alias rows" on app.carrier_alias;

drop policy "owners and managers can change carrier alias rows" on app.carrier_alias;

drop policy "owners and managers can remove carrier alias rows" on app.carrier_alias;

drop policy "owners and managers can add carrier service promise rows" on app.carrier_service_sla;

drop policy "owners and managers can change carrier service promise rows" on app.carrier_service_sla;

drop policy "owners and managers can remove carrier service promise rows" on app.carrier_service_sla;

drop policy "owners, managers and operators read fulfillment personal data" on app.shopify_fulfillment_pii;
