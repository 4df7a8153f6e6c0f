-- Undo: drop Fulfillment Flow's job functions.

drop function private.run_fulfillment_flow();

drop function private.file_chase_carrier_suggestions(uuid, timestamptz);

drop function private.fulfillment_state_drift(uuid);
