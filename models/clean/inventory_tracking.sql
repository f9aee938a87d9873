-- materialized: table
-- unique_key: natural_key
-- grain: one inventory movement of this run's batches (new or changed at the source)
--
-- Cleanup only: trims the reason. Its sign and validity are the rules' job.

with batch_rows as (
    select *
    from staging.inventory_tracking
    where _batch_id = any(etl.run_batch_ids('inventory_tracking'))
),

-- A correction accepted from a quarantine batch (dq.corrections) takes the place of the
-- source's value, and the row's hash covers it (docs/reprocessing.md). Lengths and scales are
-- cast back: dq.corrected returns its type without them.
corrected_rows as (
    select
        b.tracking_id,
        dq.corrected(k.corrected, 'product_id', b.product_id)                  as product_id,
        dq.corrected(k.corrected, 'quantity_change', b.quantity_change)        as quantity_change,
        dq.corrected(k.corrected, 'change_date', b.change_date)                as change_date,
        dq.corrected(k.corrected, 'reason', b.reason)::character varying(100)  as reason,
        dq.corrected(k.corrected, 'created_at', b.created_at)                  as created_at,
        dq.corrected_row_hash(b._row_hash, k.corrected)                        as _row_hash
    from batch_rows as b
    left join dq.run_corrections('inventory_tracking') as k on k.natural_key = b.tracking_id::text
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
from corrected_rows
