-- The verdicts that let rows of this run's batches into the warehouse, for one source table.
-- Every warehouse model that publishes a source table joins its clean rows with this.
create function dq.run_publish_verdicts(p_table_name text)
returns table (batch_id text, natural_key text, nullified jsonb, fixed jsonb)
language sql stable as $$
  select v.batch_id, v.natural_key, v.nullified, v.fixed
  from dq.verdicts as v
  where v.table_name = p_table_name
    and v.verdict = 'publish'
    and v.batch_id in (select etl.run_batches(p_table_name))
$$;
