-- Undo: drop Fulfillment Flow's kept state.

drop table app.fulfillment_shipment;

drop table app.fulfillment_line;
