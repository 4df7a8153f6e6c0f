-- Record every change to shops, members and legal holds in audit.row_change.
-- depends: 20261125_19_create-row-audit-triggers
--
-- These are the operator-facing tables so far; each new one gets its own
-- `select private.enable_row_audit('app.<table>')` in the migration that creates it.
-- Rows already present are not back-filled: the audit starts here. From now on TRUNCATE
-- of these tables is refused.

-- Fail fast rather than queue every query on the table behind this migration.
set local lock_timeout = '5s';

select private.enable_row_audit('app.shop');

select private.enable_row_audit('app.shop_member');

select private.enable_row_audit('app.shop_legal_hold');
