select private.disable_row_audit('app.shop_legal_hold');

select private.disable_row_audit('app.shop_member');

select private.disable_row_audit('app.shop');
