-- Partitions of audit.row_change for this month and the next two.
-- depends: 20261125_17_create-row-change-partitions
--
-- From here on the daily maintenance job (the storepulse-maintain-audit-trail job) keeps two months ready ahead.
-- Rolling back drops every partition, with whatever audit rows they hold.

select private.ensure_row_change_partitions(2);
