-- The model helpers are parallel safe: they read tables and settings and write nothing. Declared
-- without a label they were parallel unsafe, and a query that calls one never runs in parallel:
-- the first build of a model (create table ... as select) then read and joined every row in one
-- process while the machine's other cores sat idle. Settings such as paccafe.run_id reach the
-- workers, which start with the leader's settings.
alter function dq.run_publish_verdicts(text) parallel safe;
alter function dq.verdict_value(jsonb, jsonb, text, text) parallel safe;
alter function dq.verdict_value(jsonb, jsonb, text, integer) parallel safe;
alter function dq.verdict_value(jsonb, jsonb, text, numeric) parallel safe;
alter function dq.verdict_value(jsonb, jsonb, text, date) parallel safe;
alter function dq.verdict_value(jsonb, jsonb, text, timestamp) parallel safe;
alter function etl.current_run_id() parallel safe;
alter function etl.local_time(timestamptz) parallel safe;
alter function etl.local_time_zone() parallel safe;
alter function etl.normalize_name(text) parallel safe;
alter function etl.run_batch_ids(text) parallel safe;
alter function etl.run_batches(text) parallel safe;
alter function warehouse.date_id(timestamp) parallel safe;
alter function warehouse.movement_sign(text) parallel safe;
alter function warehouse.surrogate_key(text, text) parallel safe;
alter function warehouse.time_id(timestamp) parallel safe;
