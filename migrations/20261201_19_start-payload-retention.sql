-- Start the payload retention: audit the replay-window settings and make this month's partitions.
-- depends: 20261201_18_create-payload-retention
--
-- app.shop_payload_retention is operator-facing (owners set it), so every change to it is
-- recorded in its row-change store. app.inbound_payload gets its partitions for this
-- month and the next two; bodies that arrived before them (the Shopify deliveries moved
-- in) move out of the default partition into their month's. Locks: the audit adds
-- triggers to the settings table (nobody writes it yet); lock_timeout bounds the wait.
-- Rollback moves every month's bodies back into the default partition, drops the months
-- and retires the store (its history kept in audit.row_change).

set local lock_timeout = '5s';

select private.enable_row_audit('app.shop_payload_retention');

select private.ensure_inbound_payload_partitions(2);
