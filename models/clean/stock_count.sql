-- materialized: table
-- unique_key: natural_key
-- grain: one physical stock count (date, branch, product) of this run's stock_count sheet batch
--
-- Sheet cells arrive as parsed canonical text (ingestion checked that they parse); typed here.

with batch_rows as (
    select *
    from staging.stock_count
    where _batch_id = any(etl.run_batch_ids('stock_count'))
),

-- A correction accepted from a quarantine batch (dq.corrections) takes the place of the
-- source's value, and the row's hash covers it (docs/reprocessing.md). Lengths and scales are
-- cast back: dq.corrected returns its type without them.
corrected_rows as (
    select
        b._natural_key,
        dq.corrected(k.corrected, 'count_date', b.count_date)    as count_date,
        dq.corrected(k.corrected, 'store_name', b.store_name)    as store_name,
        dq.corrected(k.corrected, 'product_id', b.product_id)    as product_id,
        dq.corrected(k.corrected, 'counted_qty', b.counted_qty)  as counted_qty,
        dq.corrected(k.corrected, 'counted_by', b.counted_by)    as counted_by,
        dq.corrected_row_hash(b._row_hash, k.corrected)          as _row_hash
    from batch_rows as b
    left join dq.run_corrections('stock_count') as k on k.natural_key = b._natural_key
)

select
    count_date::date                       as count_date,
    etl.normalize_name(store_name)         as store_name,
    product_id::integer                    as product_id,
    counted_qty::integer                   as counted_qty,
    nullif(etl.trim_text(counted_by), '')  as counted_by,
    _natural_key                           as natural_key,
    _row_hash                              as row_hash
from corrected_rows
