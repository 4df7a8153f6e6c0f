drop table private.payload_retention_run;

drop table app.shop_payload_retention;

drop table app.inbound_dead_letter;

drop table app.inbound_payload;

drop table app.inbound_event;
