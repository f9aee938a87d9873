-- materialized: table
-- unique_key: natural_key
-- grain: one branch row of this run's store_branch sheet batch
--
-- Sheet cells arrive as parsed canonical text (ingestion checked that they parse); typed here.

with batch_rows as (
    select *
    from staging.store_branch
    where _batch_id = any(etl.run_batch_ids('store_branch'))
),

-- A correction accepted from a quarantine batch (dq.corrections) takes the place of the
-- source's value, and the row's hash covers it (docs/reprocessing.md). Lengths and scales are
-- cast back: dq.corrected returns its type without them.
corrected_rows as (
    select
        b._natural_key,
        dq.corrected(k.corrected, 'store_id', b.store_id)      as store_id,
        dq.corrected(k.corrected, 'store_name', b.store_name)  as store_name,
        dq.corrected(k.corrected, 'created_at', b.created_at)  as created_at,
        dq.corrected_row_hash(b._row_hash, k.corrected)        as _row_hash
    from batch_rows as b
    left join dq.run_corrections('store_branch') as k on k.natural_key = b._natural_key
)

select
    store_id::integer               as store_id,
    etl.normalize_name(store_name)  as store_name,
    created_at::timestamp           as created_at,
    _natural_key                    as natural_key,
    _row_hash                       as row_hash
from corrected_rows
