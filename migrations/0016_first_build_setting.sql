-- Whether the model being built is built for the first time (its table is new or empty). A model
-- that rebuilds the partitions a run touched reads every partition on its first build, from
-- tables that earlier runs filled (dbt's is_incremental(), the other way round). The model
-- runner sets paccafe.first_build per transaction, as it sets paccafe.run_id.
create function etl.is_first_build() returns boolean
language sql stable parallel safe as $$ select coalesce(current_setting('paccafe.first_build', true), '') = 'on' $$;
