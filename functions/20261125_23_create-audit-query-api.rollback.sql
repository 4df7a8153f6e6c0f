drop function api.row_changes(uuid, text, jsonb, timestamptz, timestamptz);

drop function api.export_decisions_jsonl(uuid, timestamptz, timestamptz);

drop function api.export_decisions_csv(uuid, timestamptz, timestamptz);

drop function private.csv_field(text);

drop function private.decision_export_records(uuid, timestamptz, timestamptz);

drop function private.iso_utc(timestamptz);

drop function api.approval_rates(uuid, timestamptz, timestamptz);

drop function api.decision_latency(uuid, timestamptz, timestamptz);

drop function api.decision_log(uuid, text, uuid, text, timestamptz, timestamptz);

drop function private.decisions_in_period(uuid, timestamptz, timestamptz);

drop function private.check_period(timestamptz, timestamptz);
