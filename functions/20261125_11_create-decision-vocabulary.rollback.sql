drop function private.is_evidence_list(jsonb);

drop function private.decision_subject_types();

drop function private.decision_kinds();
