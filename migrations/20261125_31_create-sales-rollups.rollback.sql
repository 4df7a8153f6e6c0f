drop table app.sales_product_daily;

drop table app.sales_hourly;

drop table app.sales_daily;
