drop function api.remove_shop_member(uuid, uuid);

drop function api.set_shop_member_role(uuid, uuid, text);

drop function api.add_shop_member(uuid, uuid, text);

drop function api.update_shop(uuid, text, text, text);

drop function api.create_shop(text, text, text, text);

drop function private.to_member_role(text);
