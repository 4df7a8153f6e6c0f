drop policy "owners can reset their shops' payload retention" on app.shop_payload_retention;

drop policy "owners can change their shops' payload retention" on app.shop_payload_retention;

drop policy "owners can set their shops' payload retention" on app.shop_payload_retention;

drop policy "members can read their shops' payload retention" on app.shop_payload_retention;

drop policy "owners and managers can read their shops' inbound dead letters" on app.inbound_dead_letter;

drop policy "owners and managers can read their shops' inbound payloads" on app.inbound_payload;

drop policy "owners and managers can read their shops' inbound events" on app.inbound_event;
