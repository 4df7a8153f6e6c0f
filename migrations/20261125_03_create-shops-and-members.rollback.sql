drop table app.shop_member;

drop table app.shop;

drop type app.member_role;
