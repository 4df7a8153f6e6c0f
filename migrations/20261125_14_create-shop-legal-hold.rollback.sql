drop table app.shop_legal_hold;
