drop function api.decide_action(uuid, uuid, text, text, jsonb);

drop function api.suggest_action(uuid, text, text, text, jsonb, text, text, numeric, jsonb, timestamptz);

drop function private.expire_suggestions();

drop function private.record_decision(uuid, uuid, text, text, jsonb);

drop function private.record_suggestion(uuid, text, text, text, jsonb, text, text, numeric, jsonb, timestamptz);

drop function private.my_role_in_shop(uuid);

drop function private.check_text(text, text, integer);

drop function private.check_one_of(text, text[], text);

