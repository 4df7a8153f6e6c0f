-- Owners may discard their shops' dead letters, which lets retention drop their bodies.
-- depends: 20261201_16_replace-sales-pulse-tile
--
-- A dead letter keeps its delivery's body past the replay window until it is replayed or
-- an owner discards it (api.discard_dead_letters). The policy lets owners update their
-- shops' letters; the column grant (in the retention migration) lets them set only the
-- discarding columns.

create policy "owners can discard their shops' inbound dead letters"
    on app.inbound_dead_letter
    for update
    to authenticated
    using (shop_id = any (array(select private.my_shop_ids('{owner}'))))
    with check (shop_id = any (array(select private.my_shop_ids('{owner}'))));
