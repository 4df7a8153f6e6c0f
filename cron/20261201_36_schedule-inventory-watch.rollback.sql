-- Undo: unschedule Inventory Watch's job.

select private.unschedule_job('storepulse-run-inventory-watch');
