drop function private.uncompile_inbound_source(text);

drop function private.compile_inbound_source(text);

drop function private.inbound_rows_function(text, text);

drop function private.inbound_field_expression(text, text, text, text, integer);

drop function private.inbound_column_type(text);
