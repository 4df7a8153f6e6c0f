drop policy "owners and managers can remove members" on app.shop_member;

drop policy "owners and managers can change members' roles" on app.shop_member;

drop policy "owners and managers can add members" on app.shop_member;

drop policy "members can read their shops' members" on app.shop_member;

drop policy "owners and managers can update their shops" on app.shop;

drop policy "members can read their shops" on app.shop;
