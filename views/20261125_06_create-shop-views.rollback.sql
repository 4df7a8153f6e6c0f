drop view api.shop_members;

drop view api.shops;
