drop policy "owners can lift legal holds" on app.shop_legal_hold;

drop policy "owners can change legal holds" on app.shop_legal_hold;

drop policy "owners can place legal holds" on app.shop_legal_hold;

drop policy "members can read their shops' legal holds" on app.shop_legal_hold;

drop policy "owners and managers can read their shops' row changes" on audit.row_change;

drop policy "members can read their shops' decisions" on audit.decision;

drop policy "members can read their shops' suggestions" on audit.suggestion;
