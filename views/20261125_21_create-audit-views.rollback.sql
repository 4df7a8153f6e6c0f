drop view api.legal_holds;

drop view api.decisions;
