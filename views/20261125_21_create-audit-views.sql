-- API views of the decision log and legal holds.
-- depends: 20261125_20_enable-row-audit-on-shops
--
-- security_invoker: row-level security on audit.suggestion, audit.decision and
-- app.shop_legal_hold decides what each caller sees (members: their shops).
-- api.decisions is one record per suggestion with its decision, if any: what the issue
-- calls the decision record, and the row type the decision api functions return.

create view api.decisions
with (security_invoker = true)
as
select
    s.shop_id,
    s.suggestion_id,
    s.kind,
    s.subject_type,
    s.subject_id,
    s.payload,
    s.source,
    s.model_version,
    s.score,
    s.evidence,
    s.suggested_by,
    s.suggested_role,
    s.suggested_at,
    s.expires_at,
    case
        when d.outcome is not null then d.outcome::text
        when s.expires_at <= now() then 'expired'
        else 'pending'
    end as status,
    d.outcome::text as outcome,
    d.decided_by,
    d.decided_role,
    d.decided_at,
    d.note,
    d.edited_payload
from audit.suggestion as s
    left join audit.decision as d
        on d.shop_id = s.shop_id
        and d.suggestion_id = s.suggestion_id;

comment on view api.decisions is 'Suggestions and their decisions, one record per suggestion, in the shops the caller belongs to.';
comment on column api.decisions.shop_id is 'The shop.';
comment on column api.decisions.suggestion_id is 'The suggestion''s id.';
comment on column api.decisions.kind is 'What was suggested: reorder_sku, send_reply, fix_seo_page or chase_carrier.';
comment on column api.decisions.subject_type is 'What it concerns: order, sku, conversation or page.';
comment on column api.decisions.subject_id is 'Id of the order, SKU, conversation or page.';
comment on column api.decisions.payload is 'The suggestion as shown.';
comment on column api.decisions.source is 'The model or rule engine that produced it.';
comment on column api.decisions.model_version is 'Version of the model or rule.';
comment on column api.decisions.score is 'The producer''s confidence, 0 to 1.';
comment on column api.decisions.evidence is 'The tile rows behind the suggestion: [{"tile", "id"}, ...].';
comment on column api.decisions.suggested_by is 'The member who asked for it; null for the analytics engine.';
comment on column api.decisions.suggested_role is 'owner, manager, operator or service_role.';
comment on column api.decisions.suggested_at is 'When it was shown.';
comment on column api.decisions.expires_at is 'When it stops being decidable.';
comment on column api.decisions.status is 'pending, approved, rejected, edited or expired (also before the expiry job has recorded it).';
comment on column api.decisions.outcome is 'The recorded outcome: approved, rejected, edited or expired; null while none is recorded.';
comment on column api.decisions.decided_by is 'Who decided; null for an expiry or while undecided.';
comment on column api.decisions.decided_role is 'The decider''s role then: owner, manager or operator; system for an expiry.';
comment on column api.decisions.decided_at is 'When it was decided (for an expiry, when it expired).';
comment on column api.decisions.note is 'The operator''s note.';
comment on column api.decisions.edited_payload is 'The final version approved, when the operator edited the suggestion.';

grant select on api.decisions to authenticated, service_role;

create view api.legal_holds
with (security_invoker = true)
as
select
    h.shop_id,
    h.reason,
    h.placed_by,
    h.placed_at
from app.shop_legal_hold as h;

comment on view api.legal_holds is 'The caller''s shops that are under legal hold: retention keeps all their audit and decision rows.';
comment on column api.legal_holds.shop_id is 'The shop under hold.';
comment on column api.legal_holds.reason is 'Why.';
comment on column api.legal_holds.placed_by is 'The owner who placed or last changed the hold.';
comment on column api.legal_holds.placed_at is 'When.';

grant select on api.legal_holds to authenticated, service_role;
