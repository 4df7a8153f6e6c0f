-- Undo: drop the policies of Inventory Watch's planning stores.

drop policy "owners and managers can change expected receipt rows" on app.inventory_receipt;

drop policy "owners and managers can add expected receipt rows" on app.inventory_receipt;

drop policy "owners and managers can remove variant supplier rows" on app.inventory_variant_supplier;

drop policy "owners and managers can change variant supplier rows" on app.inventory_variant_supplier;

drop policy "owners and managers can add variant supplier rows" on app.inventory_variant_supplier;

drop policy "owners and managers can remove supplier rows" on app.inventory_supplier;

drop policy "owners and managers can change supplier rows" on app.inventory_supplier;

drop policy "owners and managers can add supplier rows" on app.inventory_supplier;

drop policy "owners and managers can remove inventory settings rows" on app.inventory_settings;

drop policy "owners and managers can change inventory settings rows" on app.inventory_settings;

drop policy "owners and managers can add inventory settings rows" on app.inventory_settings;

drop policy "members can read their shops' variant stats rows" on app.inventory_variant_stats;

drop policy "members can read their shops' inventory stats day rows" on app.inventory_stats_day;

drop policy "members can read their shops' inventory sales rows" on app.inventory_sales_daily;

drop policy "members can read their shops' expected receipt rows" on app.inventory_receipt;

drop policy "members can read their shops' variant supplier rows" on app.inventory_variant_supplier;

drop policy "members can read their shops' supplier rows" on app.inventory_supplier;

drop policy "members can read their shops' inventory settings rows" on app.inventory_settings;

drop policy "members can read their shops' variant state rows" on app.inventory_variant_state;

drop policy "members can read their shops' cover distribution rows" on app.inventory_state_cover;

drop policy "members can read their shops' inventory totals rows" on app.inventory_state_totals;
