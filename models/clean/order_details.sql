-- materialized: table
-- unique_key: natural_key
-- grain: one order line of this run's batches (new or changed at the source)
--
-- The POS types these columns already; nothing to standardize beyond naming the key.

with batch_rows as (
    select *
    from staging.order_details
    where _batch_id = any(etl.run_batch_ids('order_details'))
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
from batch_rows
