-- Fail fast rather than queue every query on the table behind this migration.
set local lock_timeout = '5s';

drop trigger _100_refuse_change on audit.row_change;

drop trigger _100_refuse_change on audit.decision;

drop trigger _100_refuse_change on audit.suggestion;

drop function private.tg_audit__refuse_change();
