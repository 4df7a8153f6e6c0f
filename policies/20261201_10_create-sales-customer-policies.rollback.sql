drop policy "members can read their shops' sales customer first orders" on app.sales_customer_first_order;
