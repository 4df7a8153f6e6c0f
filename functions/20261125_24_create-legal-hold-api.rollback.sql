drop function api.set_legal_hold(uuid, boolean, text);
