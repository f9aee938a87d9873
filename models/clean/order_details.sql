-- materialized: table
-- unique_key: natural_key
-- grain: one order line of this run's batches (new or changed at the source)
--
-- The POS types these columns already; nothing to standardize beyond naming the key.

with batch_rows as (
    select *
    from staging.order_details
    where _batch_id = any(etl.run_batch_ids('order_details'))
),

-- A correction accepted from a quarantine batch (dq.corrections) takes the place of the
-- source's value, and the row's hash covers it (docs/reprocessing.md). Lengths and scales are
-- cast back: dq.corrected returns its type without them.
corrected_rows as (
    select
        b.order_detail_id,
        dq.corrected(k.corrected, 'order_id', b.order_id)                     as order_id,
        dq.corrected(k.corrected, 'product_id', b.product_id)                 as product_id,
        dq.corrected(k.corrected, 'quantity', b.quantity)                     as quantity,
        dq.corrected(k.corrected, 'unit_price', b.unit_price)::numeric(10,2)  as unit_price,
        dq.corrected(k.corrected, 'subtotal', b.subtotal)::numeric(10,2)      as subtotal,
        dq.corrected(k.corrected, 'created_at', b.created_at)                 as created_at,
        dq.corrected_row_hash(b._row_hash, k.corrected)                       as _row_hash
    from batch_rows as b
    left join dq.run_corrections('order_details') as k on k.natural_key = b.order_detail_id::text
)

select
    order_detail_id,
    order_id,
    product_id,
    quantity,
    unit_price,
    subtotal,
    created_at,
    order_detail_id::text      as natural_key,
    _row_hash                  as row_hash
from corrected_rows
