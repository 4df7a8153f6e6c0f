-- Give service_role execute on the registry writers again, as before this migration.

grant execute on function private.compile_inbound_checks(text) to service_role;

grant execute on function private.compile_inbound_source(text) to service_role;

grant execute on function private.uncompile_inbound_source(text) to service_role;

grant execute on function private.compile_change_feed() to service_role;

grant execute on function private.subscribe_to_changes(text, text, integer, text) to service_role;

grant execute on function private.unsubscribe_from_changes(text, text) to service_role;
