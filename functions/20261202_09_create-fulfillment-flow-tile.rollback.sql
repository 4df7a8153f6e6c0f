-- Undo: drop the Fulfillment Flow tile.

drop function api.fulfillment_flow(uuid, timestamptz);

drop function private.fulfillment_flow(uuid, timestamptz);

drop function private.fulfillment_delayed_parcels(uuid, timestamptz);

drop function private.business_days_after(date, date, integer[], date[]);
