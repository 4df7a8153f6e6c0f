-- Functions that write the inbound registry and the change feed are for migrations only: service_role loses execute on them.
-- depends: 20261201_23_compile-change-feed
--
-- private.compile_inbound_checks, private.compile_inbound_source,
-- private.uncompile_inbound_source, private.compile_change_feed,
-- private.subscribe_to_changes and private.unsubscribe_from_changes write functions and
-- registry rows; only the migrating role (their owner) calls them, from migrations.
-- service_role, the Edge Functions' role, had execute on them without needing it (it
-- cannot replace functions it does not own, so a call could only fail). No locks beyond
-- the catalog rows of these functions.

revoke execute on function private.compile_inbound_checks(text) from service_role;

revoke execute on function private.compile_inbound_source(text) from service_role;

revoke execute on function private.uncompile_inbound_source(text) from service_role;

revoke execute on function private.compile_change_feed() from service_role;

revoke execute on function private.subscribe_to_changes(text, text, integer, text) from service_role;

revoke execute on function private.unsubscribe_from_changes(text, text) from service_role;
