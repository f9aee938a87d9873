-- materialized: table
-- unique_key: natural_key
-- grain: one inventory movement of this run's batches (new or changed at the source)
--
-- Cleanup only: trims the reason. Its sign and validity are the rules' job.

with batch_rows as (
    select *
    from staging.inventory_tracking
    where _batch_id = any(etl.run_batch_ids('inventory_tracking'))
)

select
    tracking_id,
    product_id,
    quantity_change,
    change_date,
    initcap(nullif(etl.trim_text(reason), ''))  as reason,
    created_at,
    tracking_id::text                           as natural_key,
    _row_hash                                   as row_hash
from batch_rows
