-- The run's batches of a table as one array, for the clean models' filter on staging._batch_id.
-- `_batch_id = any(etl.run_batch_ids(t))` is planned as a scan of the _batch_id index, where
-- `_batch_id in (select etl.run_batches(t))` is a join with a set-returning function whose size
-- the planner guesses at 1,000 rows, so it read a whole staging table to find one day's rows.
create function etl.run_batch_ids(p_table_name text) returns text[]
language sql stable as $$
  select coalesce(array_agg(batch_id), '{}') from etl.run_batches(p_table_name) as batch_id
$$;
