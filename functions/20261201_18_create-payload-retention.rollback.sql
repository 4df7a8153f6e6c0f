drop function api.payload_retention(uuid);

drop function api.discard_dead_letters(uuid, bigint[]);

drop function api.set_payload_retention(uuid, integer);

drop procedure private.run_payload_retention(integer, timestamptz);

drop function private.apply_payload_retention(timestamptz, integer);

drop function private.drop_inbound_payload_months(timestamptz);

drop function private.compact_inbound_payloads(timestamptz, integer);

drop function private.payload_replay_window(uuid);

drop function private.ensure_inbound_payload_partitions(integer);

drop function private.create_inbound_payload_partition(date);
