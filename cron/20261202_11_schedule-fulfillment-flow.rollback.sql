-- Undo: unschedule Fulfillment Flow's job.

select private.unschedule_job('storepulse-run-fulfillment-flow');
