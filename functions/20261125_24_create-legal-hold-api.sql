-- Owners place and lift a shop's legal hold through api.set_legal_hold.
-- depends: 20261125_23_create-audit-query-api
--
-- Security invoker: the owner-only policies on app.shop_legal_hold decide, and the
-- function checks first so that everyone else gets a clear 42501. Placing an existing
-- hold again replaces its reason. Each change is recorded in audit.row_change, with the
-- owner as actor.

create function api.set_legal_hold(shop_id uuid, held boolean, reason text default null)
    returns boolean
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as $$
begin
    if set_legal_hold.held is null then
        raise exception 'held must be true (place the hold) or false (lift it)'
            using errcode = '22023', column = 'held';
    end if;
    if private.my_role_in_shop(set_legal_hold.shop_id) is distinct from 'owner' then
        raise exception 'shop % not found, or your role may not place or lift its legal hold',
            set_legal_hold.shop_id
            using errcode = '42501', hint = 'Only owners place and lift legal holds.';
    end if;
    if set_legal_hold.held then
        insert into app.shop_legal_hold as h (shop_id, reason)
        values (set_legal_hold.shop_id, private.check_text(set_legal_hold.reason, 'reason', 1000))
        on conflict on constraint pk_shop_legal_hold do update
        set reason = excluded.reason,
            placed_by = (select auth.uid()),
            placed_at = pg_catalog.now();
    else
        delete from app.shop_legal_hold as h
        where h.shop_id = set_legal_hold.shop_id;
    end if;
    return set_legal_hold.held;
end
$$;

comment on function api.set_legal_hold(uuid, boolean, text) is 'Places (held true, with a reason) or lifts (held false) the shop''s legal hold, which suspends retention of its audit and decision rows; returns whether the shop is now held. Owners only.';

grant execute on function api.set_legal_hold(uuid, boolean, text) to authenticated;
