drop table audit.row_change;
