drop policy "owners can discard their shops' inbound dead letters" on app.inbound_dead_letter;
