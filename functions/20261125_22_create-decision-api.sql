-- Suggest and decide through the API; a job records expired suggestions.
-- depends: 20261125_21_create-audit-views
--
-- api.suggest_action and api.decide_action run with the caller's rights and hand the
-- write to a security definer function in private, which checks the caller's role in the
-- shop, validates every field (22023 naming it), and fills in who, in which role and
-- when: a caller cannot choose those, and no API role can write schema audit directly.
-- Deciding locks the suggestion row, so concurrent deciders queue: the first one's
-- decision is recorded, each later one sees it and gets 23505 (HTTP 409) naming it.

create function private.check_one_of(p_value text, p_allowed text[], p_field text)
    returns text
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    if p_value is null or not (p_value = any (p_allowed)) then
        raise exception '% must be one of % (got %)', p_field,
            pg_catalog.array_to_string(p_allowed, ', '),
            coalesce(pg_catalog.quote_literal(p_value), 'null')
            using errcode = '22023', column = p_field;
    end if;
    return p_value;
end
$$;

comment on function private.check_one_of(text, text[], text) is 'Returns the value if it is one of the allowed ones; otherwise raises 22023 naming the field and the allowed values.';

grant execute on function private.check_one_of(text, text[], text) to authenticated, service_role;

create function private.check_text(p_value text, p_field text, p_max_length integer)
    returns text
    language plpgsql
    immutable
    security invoker
    set search_path = ''
as $$
begin
    if p_value is null or pg_catalog.btrim(p_value) = '' then
        raise exception '% must not be empty', p_field using errcode = '22023', column = p_field;
    end if;
    if pg_catalog.char_length(p_value) > p_max_length then
        raise exception '% must be at most % characters (got %)', p_field, p_max_length,
            pg_catalog.char_length(p_value)
            using errcode = '22023', column = p_field;
    end if;
    return p_value;
end
$$;

comment on function private.check_text(text, text, integer) is 'Returns the text if it is neither empty nor blank nor longer than the maximum; otherwise raises 22023 naming the field.';

grant execute on function private.check_text(text, text, integer) to authenticated, service_role;

create function private.my_role_in_shop(p_shop_id uuid)
    returns app.member_role
    language sql
    stable
    security definer
    set search_path = ''
as $$
    select m.role
    from app.shop_member as m
    where m.shop_id = p_shop_id
        and m.user_id = (select auth.uid())
$$;

comment on function private.my_role_in_shop(uuid) is 'The calling user''s role in the shop, null when not a member. Definer, like private.my_shop_ids: it reads the membership whatever the caller may see.';

grant execute on function private.my_role_in_shop(uuid) to authenticated, service_role;

create function private.record_suggestion(
    p_shop_id uuid,
    p_kind text,
    p_subject_type text,
    p_subject_id text,
    p_payload jsonb,
    p_source text,
    p_model_version text,
    p_score numeric,
    p_evidence jsonb,
    p_expires_at timestamptz
)
    returns uuid
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    v_user_id uuid := (select auth.uid());
    v_role text;
    v_suggestion_id uuid;
begin
    if (select auth.role()) = 'service_role' then
        v_user_id := null;
        v_role := 'service_role';
        if not exists (select from app.shop as s where s.shop_id = p_shop_id) then
            raise exception 'shop % does not exist', p_shop_id
                using errcode = '23503', column = 'shop_id';
        end if;
    else
        v_role := private.my_role_in_shop(p_shop_id)::text;
        if v_role is null or v_role = 'viewer' then
            raise exception 'shop % not found, or your role may not suggest actions in it', p_shop_id
                using errcode = '42501',
                    hint = 'Owners, managers, operators and the analytics engine (service_role) suggest; viewers read.';
        end if;
    end if;
    perform private.check_one_of(p_kind, private.decision_kinds(), 'kind');
    perform private.check_one_of(p_subject_type, private.decision_subject_types(), 'subject_type');
    perform private.check_text(p_subject_id, 'subject_id', 500);
    if pg_catalog.jsonb_typeof(p_payload) is distinct from 'object' then
        raise exception 'payload must be a JSON object (got %)', coalesce(pg_catalog.jsonb_typeof(p_payload), 'null')
            using errcode = '22023', column = 'payload';
    end if;
    perform private.check_text(p_source, 'source', 200);
    perform private.check_text(p_model_version, 'model_version', 200);
    if p_score < 0 or p_score > 1 then
        raise exception 'score must be between 0 and 1 (got %)', p_score
            using errcode = '22023', column = 'score';
    end if;
    if not coalesce(private.is_evidence_list(p_evidence), false) then
        raise exception 'evidence must be a JSON array of {"tile": "<tile name>", "id": <row id>} objects (got %)',
            coalesce(pg_catalog.left(p_evidence::text, 200), 'null')
            using errcode = '22023', column = 'evidence';
    end if;
    if p_expires_at <= pg_catalog.now() or p_expires_at > pg_catalog.now() + interval '90 days' then
        raise exception 'expires_at must be in the next 90 days (got %)', p_expires_at
            using errcode = '22023', column = 'expires_at';
    end if;
    insert into audit.suggestion (
        shop_id, kind, subject_type, subject_id, payload, source, model_version, score,
        evidence, suggested_by, suggested_role, expires_at
    )
    values (
        p_shop_id, p_kind, p_subject_type, p_subject_id, p_payload, p_source, p_model_version,
        p_score, p_evidence, v_user_id, v_role,
        coalesce(p_expires_at, pg_catalog.now() + interval '7 days')
    )
    returning suggestion_id into v_suggestion_id;
    return v_suggestion_id;
end
$$;

comment on function private.record_suggestion(uuid, text, text, text, jsonb, text, text, numeric, jsonb, timestamptz) is 'Records a suggestion after checking the caller (service_role, or an owner, manager or operator of the shop) and every field; returns its id. Definer: no API role may write schema audit.';

grant execute on function private.record_suggestion(uuid, text, text, text, jsonb, text, text, numeric, jsonb, timestamptz) to authenticated, service_role;

create function private.record_decision(
    p_shop_id uuid,
    p_suggestion_id uuid,
    p_outcome text,
    p_note text,
    p_edited_payload jsonb
)
    returns void
    language plpgsql
    volatile
    security definer
    set search_path = ''
as $$
declare
    v_user_id uuid := (select auth.uid());
    v_role text;
    v_payload jsonb;
    v_expires_at timestamptz;
    v_decided record;
    v_note text := case when p_note !~ '^\s*$' then p_note end;  -- blank: no note
begin
    perform private.check_one_of(p_outcome, array['approved', 'rejected', 'edited'], 'outcome');
    v_role := private.my_role_in_shop(p_shop_id)::text;
    if v_role in ('owner', 'manager', 'operator') then
        -- Concurrent deciders of one suggestion queue here, in arrival order.
        select s.payload, s.expires_at into v_payload, v_expires_at
        from audit.suggestion as s
        where s.shop_id = p_shop_id
            and s.suggestion_id = p_suggestion_id
        for no key update;
    end if;
    if v_payload is null then
        raise exception 'suggestion % of shop % not found, or your role may not decide it',
            p_suggestion_id, p_shop_id
            using errcode = '42501', hint = 'Owners, managers and operators decide; viewers read.';
    end if;
    select d.outcome, d.decided_by, d.decided_role, d.decided_at into v_decided
    from audit.decision as d
    where d.shop_id = p_shop_id
        and d.suggestion_id = p_suggestion_id;
    if found then
        raise exception 'suggestion % was already decided: % by % (%) at %', p_suggestion_id,
            v_decided.outcome, coalesce(v_decided.decided_by::text, 'nobody'),
            v_decided.decided_role, v_decided.decided_at
            using errcode = '23505', column = 'suggestion_id',
                hint = 'A suggestion takes one decision. Reload it to see the outcome.';
    end if;
    if v_expires_at <= pg_catalog.now() then
        raise exception 'suggestion % expired at %; it can no longer be decided', p_suggestion_id,
            v_expires_at
            using errcode = '23514', column = 'expires_at',
                hint = 'The expiry job records it as expired; ask for a fresh suggestion.';
    end if;
    if p_outcome = 'edited' and pg_catalog.jsonb_typeof(p_edited_payload) is distinct from 'object' then
        raise exception 'edited_payload must be a JSON object holding the final version when outcome is edited'
            using errcode = '22023', column = 'edited_payload';
    end if;
    if p_outcome = 'edited' and p_edited_payload = v_payload then
        raise exception 'edited_payload is the suggestion unchanged; decide approved instead'
            using errcode = '22023', column = 'edited_payload';
    end if;
    if p_outcome <> 'edited' and p_edited_payload is not null then
        raise exception 'edited_payload is only for outcome edited (got outcome %)', p_outcome
            using errcode = '22023', column = 'edited_payload';
    end if;
    if pg_catalog.char_length(v_note) > 4000 then
        raise exception 'note must be at most 4000 characters (got %)', pg_catalog.char_length(v_note)
            using errcode = '22023', column = 'note';
    end if;
    insert into audit.decision (
        shop_id, suggestion_id, outcome, decided_by, decided_role, note, edited_payload
    )
    values (
        p_shop_id, p_suggestion_id, p_outcome::audit.decision_outcome, v_user_id, v_role,
        v_note, p_edited_payload
    );
end
$$;

comment on function private.record_decision(uuid, uuid, text, text, jsonb) is 'Records the decision on a suggestion after checking the caller (owner, manager or operator of the shop), the suggestion (not decided, not expired) and the fields. Locks the suggestion row so concurrent deciders queue; later ones get 23505.';

grant execute on function private.record_decision(uuid, uuid, text, text, jsonb) to authenticated;

create function private.expire_suggestions()
    returns integer
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_count integer;
begin
    insert into audit.decision (shop_id, suggestion_id, outcome, decided_by, decided_role, decided_at)
    select s.shop_id, s.suggestion_id, 'expired', null, 'system', s.expires_at
    from audit.suggestion as s
    where s.expires_at <= pg_catalog.now()
        and not exists (
            select
            from audit.decision as d
            where d.shop_id = s.shop_id
                and d.suggestion_id = s.suggestion_id
        )
    on conflict do nothing;
    get diagnostics v_count = row_count;
    return v_count;
end
$$;

comment on function private.expire_suggestions() is 'Job: records every suggestion past its expires_at and still undecided as expired (decided_at = expires_at, decided_role system); returns how many.';

create function api.suggest_action(
    shop_id uuid,
    kind text,
    subject_type text,
    subject_id text,
    payload jsonb,
    source text,
    model_version text,
    score numeric default null,
    evidence jsonb default '[]',
    expires_at timestamptz default null
)
    returns api.decisions
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_suggestion_id uuid;
    v_decision api.decisions;
begin
    v_suggestion_id := private.record_suggestion(
        suggest_action.shop_id, suggest_action.kind, suggest_action.subject_type,
        suggest_action.subject_id, suggest_action.payload, suggest_action.source,
        suggest_action.model_version, suggest_action.score, suggest_action.evidence,
        suggest_action.expires_at
    );
    select * into v_decision
    from api.decisions as d
    where d.shop_id = suggest_action.shop_id
        and d.suggestion_id = v_suggestion_id;
    return v_decision;
end
$$;

comment on function api.suggest_action(uuid, text, text, text, jsonb, text, text, numeric, jsonb, timestamptz) is 'Records a suggestion as the dashboard shows it and returns it (status pending). The analytics engine (service_role), owners, managers and operators may; expires_at defaults to 7 days ahead, at most 90. 400 naming the field for bad input.';

grant execute on function api.suggest_action(uuid, text, text, text, jsonb, text, text, numeric, jsonb, timestamptz) to authenticated, service_role;

create function api.decide_action(
    shop_id uuid,
    suggestion_id uuid,
    outcome text,
    note text default null,
    edited_payload jsonb default null
)
    returns api.decisions
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
declare
    v_decision api.decisions;
begin
    perform private.record_decision(
        decide_action.shop_id, decide_action.suggestion_id, decide_action.outcome,
        decide_action.note, decide_action.edited_payload
    );
    select * into v_decision
    from api.decisions as d
    where d.shop_id = decide_action.shop_id
        and d.suggestion_id = decide_action.suggestion_id;
    return v_decision;
end
$$;

comment on function api.decide_action(uuid, uuid, text, text, jsonb) is 'Decides a suggestion: approved, rejected, or edited (with edited_payload, the final version). Owners, managers and operators only (403 otherwise); 409 if already decided, 400 if expired or a field is bad.';

grant execute on function api.decide_action(uuid, uuid, text, text, jsonb) to authenticated;
