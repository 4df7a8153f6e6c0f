-- Fail fast rather than queue every query on the table behind this migration.
set local lock_timeout = '5s';

select private.disable_row_audit('app.shop_legal_hold');

select private.disable_row_audit('app.shop_member');

select private.disable_row_audit('app.shop');
