-- Decision log: schema audit, with append-only suggestions and their decisions.
-- depends: 20261125_11_create-decision-vocabulary
--
-- Schema audit holds the store's evidence trail: never exposed, row-level security on
-- every table, and no API role holds INSERT, UPDATE, DELETE or TRUNCATE on anything in it.
-- Rows are written only by security definer functions in private (api.suggest_action,
-- api.decide_action and the jobs) and never changed (triggers refuse UPDATE, DELETE and
-- TRUNCATE to every role but the retention job: private.tg_audit__refuse_change).
--
-- A suggestion is one row, written when the dashboard shows it; its decision is another,
-- written once: the primary key of audit.decision is the suggestion's, so a suggestion has
-- at most one decision, whoever races for it. Neither table references app.shop or
-- auth.users: the evidence outlives a deleted shop or user until retention removes it.

create schema audit;

comment on schema audit is 'The evidence trail: decision log and row-change audit. Never exposed through the API; append-only; read through api functions and views under row-level security.';

grant usage on schema audit to authenticated, service_role;

create type audit.decision_outcome as enum ('approved', 'rejected', 'edited', 'expired');

comment on type audit.decision_outcome is 'How a suggestion was decided: approved as shown, rejected, edited (approved with changes), or expired unanswered.';

create table audit.suggestion (
    shop_id uuid not null,
    suggestion_id uuid not null default gen_random_uuid(),
    kind text not null,
    subject_type text not null,
    subject_id text not null,
    payload jsonb not null,
    source text not null,
    model_version text not null,
    score numeric,
    evidence jsonb not null default '[]',
    suggested_by uuid,
    suggested_role text not null,
    suggested_at timestamptz not null default now(),
    expires_at timestamptz not null,
    constraint pk_suggestion primary key (shop_id, suggestion_id),
    constraint check_suggestion_kind_known check (kind = any (private.decision_kinds())),
    constraint check_suggestion_subject_type_known
        check (subject_type = any (private.decision_subject_types())),
    constraint check_suggestion_subject_id_not_blank check (btrim(subject_id) <> ''),
    constraint check_suggestion_payload_object check (jsonb_typeof(payload) = 'object'),
    constraint check_suggestion_source_not_blank check (btrim(source) <> ''),
    constraint check_suggestion_model_version_not_blank check (btrim(model_version) <> ''),
    constraint check_suggestion_score_range check (score >= 0 and score <= 1),
    constraint check_suggestion_evidence_list check (private.is_evidence_list(evidence)),
    constraint check_suggestion_suggested_role_known
        check (suggested_role in ('owner', 'manager', 'operator', 'service_role')),
    -- a member suggests as themselves; the analytics engine (service_role) as nobody
    constraint check_suggestion_suggested_by_member
        check ((suggested_by is null) = (suggested_role = 'service_role')),
    constraint check_suggestion_expires_after_suggested check (expires_at > suggested_at)
);

alter table audit.suggestion enable row level security;

comment on table audit.suggestion is 'A suggested action exactly as the dashboard showed it. Append-only: written by api.suggest_action, never changed.';
comment on column audit.suggestion.shop_id is 'The shop the suggestion is for.';
comment on column audit.suggestion.suggestion_id is 'The suggestion''s id, quoted when deciding it.';
comment on column audit.suggestion.kind is 'What is suggested: one of private.decision_kinds() (reorder_sku, send_reply, fix_seo_page, chase_carrier).';
comment on column audit.suggestion.subject_type is 'What the suggestion concerns: order, sku, conversation or page.';
comment on column audit.suggestion.subject_id is 'Id of the order, SKU, conversation or page, as the shop knows it.';
comment on column audit.suggestion.payload is 'The action as shown (JSON object): for example the reorder quantity or the drafted reply.';
comment on column audit.suggestion.source is 'What produced the suggestion, for example a model or rule engine''s name.';
comment on column audit.suggestion.model_version is 'Version of the model or rule that produced it.';
comment on column audit.suggestion.score is 'The producer''s confidence, from 0 to 1; null when it gives none.';
comment on column audit.suggestion.evidence is 'The tile rows behind the suggestion: a JSON array of {"tile", "id"} items.';
comment on column audit.suggestion.suggested_by is 'The member who asked for the suggestion; null when the analytics engine (service_role) made it.';
comment on column audit.suggestion.suggested_role is 'The suggester''s role at that moment: owner, manager, operator, or service_role.';
comment on column audit.suggestion.suggested_at is 'When it was shown (transaction time).';
comment on column audit.suggestion.expires_at is 'After this instant it can no longer be decided; the expiry job then records it as expired.';

-- Listing by time, and the expiry job's search for unanswered suggestions.
create index index_suggestion_on_shop_id_suggested_at on audit.suggestion (shop_id, suggested_at);

create index index_suggestion_on_expires_at on audit.suggestion (expires_at);

grant select on audit.suggestion to authenticated, service_role;

create table audit.decision (
    shop_id uuid not null,
    suggestion_id uuid not null,
    outcome audit.decision_outcome not null,
    decided_by uuid,
    decided_role text not null,
    decided_at timestamptz not null default now(),
    note text,
    edited_payload jsonb,
    constraint pk_decision primary key (shop_id, suggestion_id),
    constraint fk_decision_suggestion_id_suggestion foreign key (shop_id, suggestion_id)
        references audit.suggestion (shop_id, suggestion_id),
    constraint check_decision_decided_role_known
        check (decided_role in ('owner', 'manager', 'operator', 'system')),
    -- people approve, reject and edit; only the system records an expiry
    constraint check_decision_expired_by_system
        check ((outcome = 'expired') = (decided_role = 'system')),
    constraint check_decision_decided_by_person
        check ((decided_by is null) = (decided_role = 'system')),
    -- the final version sits next to the original exactly when the operator edited it
    constraint check_decision_edited_payload_when_edited
        check ((outcome = 'edited') = (edited_payload is not null)),
    constraint check_decision_edited_payload_object
        check (edited_payload is null or jsonb_typeof(edited_payload) = 'object'),
    constraint check_decision_note_not_blank
        check (note is null or (btrim(note) <> '' and char_length(note) <= 4000))
);

alter table audit.decision enable row level security;

comment on table audit.decision is 'The decision on a suggestion: at most one per suggestion (its primary key). Append-only: written by api.decide_action or the expiry job, never changed.';
comment on column audit.decision.shop_id is 'The shop.';
comment on column audit.decision.suggestion_id is 'The suggestion decided.';
comment on column audit.decision.outcome is 'approved, rejected, edited (approved with changes) or expired (unanswered).';
comment on column audit.decision.decided_by is 'The member who decided (their auth user id); null for an expiry.';
comment on column audit.decision.decided_role is 'The decider''s role in the shop at that moment: owner, manager or operator; system for an expiry.';
comment on column audit.decision.decided_at is 'When it was decided (transaction time); for an expiry, the suggestion''s expires_at.';
comment on column audit.decision.note is 'The operator''s note, if any (at most 4000 characters).';
comment on column audit.decision.edited_payload is 'The final version the operator approved (outcome edited), next to the original in audit.suggestion.payload.';

-- Queries by period: who decided what and when, latency, approval rates, exports.
create index index_decision_on_shop_id_decided_at on audit.decision (shop_id, decided_at);

grant select on audit.decision to authenticated, service_role;
