drop table private.change_subscriber;

drop table private.inbound_pii_key;

drop table private.inbound_field;

drop table private.inbound_resource;

drop table private.inbound_topic;

drop table private.inbound_source;
