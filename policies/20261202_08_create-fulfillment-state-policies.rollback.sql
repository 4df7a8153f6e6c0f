-- Undo: drop the policies of Fulfillment Flow's kept state.

drop policy "members can read their shops' fulfillment shipment rows" on app.fulfillment_shipment;

drop policy "members can read their shops' fulfillment line rows" on app.fulfillment_line;
