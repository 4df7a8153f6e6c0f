drop function private.create_shop_owned_by_caller(text, text, text, text);

drop function private.my_shop_ids();

drop function private.my_shop_ids(app.member_role[]);
