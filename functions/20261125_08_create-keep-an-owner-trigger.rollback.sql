-- Fail fast rather than queue every query on the table behind this migration.
set local lock_timeout = '5s';

drop trigger _500_keep_an_owner_on_delete on app.shop_member;

drop trigger _500_keep_an_owner_on_update on app.shop_member;

drop function private.tg_shop_member__keep_an_owner();
