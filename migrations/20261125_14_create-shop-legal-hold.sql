-- Legal hold: a shop under hold keeps its audit and decision rows past retention.
-- depends: 20261125_13_create-row-change-log
--
-- A row here means the shop is under legal hold: the retention job keeps every audit and
-- decision row of the shop, however old, until the hold is lifted (the row deleted).
-- Owners place and lift holds through api.set_legal_hold; every change to this table is
-- itself recorded in audit.row_change (private.enable_row_audit('app.shop_legal_hold')).

create table app.shop_legal_hold (
    shop_id uuid not null,
    reason text not null,
    placed_by uuid default auth.uid(),
    placed_at timestamptz not null default now(),
    constraint pk_shop_legal_hold primary key (shop_id),
    constraint fk_shop_legal_hold_shop_id_shop foreign key (shop_id)
        references app.shop (shop_id) on delete cascade,
    constraint check_shop_legal_hold_reason_not_blank
        check (btrim(reason) <> '' and char_length(reason) <= 1000)
);

alter table app.shop_legal_hold enable row level security;

comment on table app.shop_legal_hold is 'Shops under legal hold: retention keeps all their audit and decision rows while the row exists.';
comment on column app.shop_legal_hold.shop_id is 'The shop under hold.';
comment on column app.shop_legal_hold.reason is 'Why, for example the case or request it serves (at most 1000 characters).';
comment on column app.shop_legal_hold.placed_by is 'The owner who placed or last changed the hold.';
comment on column app.shop_legal_hold.placed_at is 'When the hold was placed or last changed.';

grant select, insert (shop_id, reason), update (reason, placed_by, placed_at), delete
    on app.shop_legal_hold to authenticated;

grant select on app.shop_legal_hold to service_role;
