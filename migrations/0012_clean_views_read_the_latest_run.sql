-- The clean models are views of the run's batches (as dbt's staging models are views): each
-- reader recomputes their row-level cleanup instead of the run writing every row once more.
-- The model runner and validation set paccafe.run_id for their transactions; a reader outside
-- a run (an analyst, psql) sees the rows of the latest run that staged batches.

create or replace function etl.current_run_id() returns text
language sql stable as $$
  select coalesce(
    nullif(current_setting('paccafe.run_id', true), ''),
    (select b.run_id from etl.batches as b where b.status = 'staged' order by b.started_at desc limit 1)
  )
$$;

create or replace function etl.run_batches(p_table_name text) returns setof text
language sql stable as $$
  select batch_id
  from etl.batches
  where run_id = etl.current_run_id()
    and table_name = p_table_name
    and status = 'staged'
$$;
