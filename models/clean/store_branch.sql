-- materialized: table
-- unique_key: natural_key
-- grain: one branch row of this run's store_branch sheet batch
--
-- Sheet cells arrive as parsed canonical text (ingestion checked that they parse); typed here.

with batch_rows as (
    select *
    from staging.store_branch
    where _batch_id = any(etl.run_batch_ids('store_branch'))
)

select
    store_id::integer               as store_id,
    etl.normalize_name(store_name)  as store_name,
    created_at::timestamp           as created_at,
    _natural_key                    as natural_key,
    _row_hash                       as row_hash
from batch_rows
