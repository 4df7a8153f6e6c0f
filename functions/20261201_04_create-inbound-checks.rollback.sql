drop function private.inbound_looks_valid(text, text, jsonb);

drop function private.compile_inbound_checks(text);

drop function private.inbound_resource_violation(text, text, integer);

drop function private.inbound_kind_violation(text, text, integer);

drop function private.inbound_kind_fits(text, integer);

drop function private.check_inbound_resource(text, text, jsonb, text);

drop function private.raise_inbound_problem(text, text[], jsonb);

drop function private.inbound_value_problem(jsonb, text, integer);

drop function private.json_type_phrase(jsonb);
