-- materialized: view
-- unique_key: natural_key
-- grain: one order line of this run's batches (new or changed at the source)
--
-- The POS types these columns already; nothing to standardize beyond naming the key.
-- A view, so: a copy of the run's rows in a table would change nothing, and it was the
-- largest write before validation (3 million lines at scale 1000). Validation and the
-- warehouse models read the run's staging rows through it, in sessions that set the run id.

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
    _batch_id                  as batch_id,
    _row_hash                  as row_hash
from batch_rows
