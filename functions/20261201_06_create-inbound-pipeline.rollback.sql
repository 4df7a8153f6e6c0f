drop function private.unsubscribe_from_changes(text, text);

drop function private.subscribe_to_changes(text, text, integer, text);

drop function private.changed(uuid, text, bigint[], jsonb);

drop function private.changing(uuid, text, bigint[]);

drop function private.replay_inbound_dead_letters(uuid, text, bigint[]);

drop function private.ingest_inbound_page(uuid, text, jsonb);

drop function private.parse_inbound_body(text);

drop function private.ingest_inbound(uuid, text, text, text, text, text, timestamptz, text, boolean, jsonb, text, text[]);

drop function private.try_inbound(uuid, text, text, jsonb, jsonb);

drop function private.inbound_topic_resource(text, text, jsonb);

drop function private.redact_inbound(uuid, text, text, text[], text[]);

drop function private.scrub_inbound_body(text, jsonb, text[]);

drop function private.personal_values(jsonb, text[], integer);

drop function private.scrub_personal_data(jsonb, text[], text[], text[], integer);

drop function private.safe_error_message(text);
