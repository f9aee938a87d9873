-- materialized: table
-- unique_key: natural_key
-- grain: one physical stock count (date, branch, product) of this run's stock_count sheet batch
--
-- Sheet cells arrive as parsed canonical text (ingestion checked that they parse); typed here.

with batch_rows as (
    select *
    from staging.stock_count
    where _batch_id = any(etl.run_batch_ids('stock_count'))
)

select
    count_date::date                       as count_date,
    etl.normalize_name(store_name)         as store_name,
    product_id::integer                    as product_id,
    counted_qty::integer                   as counted_qty,
    nullif(etl.trim_text(counted_by), '')  as counted_by,
    _natural_key                           as natural_key,
    _row_hash                              as row_hash
from batch_rows
