-- dq.run_publish_verdicts filters the run's batches with `batch_id = any(etl.run_batch_ids(t))`,
-- as the clean models filter staging (0012), instead of `batch_id in (select etl.run_batches(t))`.
-- The planner guessed the set-returning function at 1,000 rows and joined it last, so its
-- estimates of every join under it were off by orders of magnitude (sorts on disk, hash joins
-- split in batches). As an index condition on dq.verdicts the filter is estimated within a few
-- times. The function is evaluated once as an index condition (the primary key leads with
-- batch_id), but once per row as a filter; the planner counts that cost and keeps to the index.
-- (As a scalar subquery its better estimate chose a slower merge join on text keys.)
create or replace function dq.run_publish_verdicts(p_table_name text)
returns table (batch_id text, natural_key text, nullified jsonb, fixed jsonb)
language sql stable as $$
  select v.batch_id, v.natural_key, v.nullified, v.fixed
  from dq.verdicts as v
  where v.table_name = p_table_name
    and v.verdict = 'publish'
    and v.batch_id = any(etl.run_batch_ids(p_table_name))
$$;
