-- materialized: table
-- unique_key: natural_key
-- grain: one order row of this run's batches (new or changed at the source)
--
-- Cleanup only: trims the enum-like text. Spelling fixes and unknown values are the rules'
-- job (orders.rules.yml).

with batch_rows as (
    select *
    from staging.orders
    where _batch_id = any(etl.run_batch_ids('orders'))
),

-- A correction accepted from a quarantine batch (dq.corrections) takes the place of the
-- source's value, and the row's hash covers it (docs/reprocessing.md). Lengths and scales are
-- cast back: dq.corrected returns its type without them.
corrected_rows as (
    select
        b.order_id,
        dq.corrected(k.corrected, 'employee_id', b.employee_id)                               as employee_id,
        dq.corrected(k.corrected, 'customer_id', b.customer_id)                               as customer_id,
        dq.corrected(k.corrected, 'order_date', b.order_date)                                 as order_date,
        dq.corrected(k.corrected, 'total_amount', b.total_amount)::numeric(10,2)              as total_amount,
        dq.corrected(k.corrected, 'payment_method', b.payment_method)::character varying(50)  as payment_method,
        dq.corrected(k.corrected, 'order_status', b.order_status)::character varying(50)      as order_status,
        dq.corrected(k.corrected, 'created_at', b.created_at)                                 as created_at,
        dq.corrected_row_hash(b._row_hash, k.corrected)                                       as _row_hash
    from batch_rows as b
    left join dq.run_corrections('orders') as k on k.natural_key = b.order_id::text
),

standardized as (
    select
        order_id,
        employee_id,
        customer_id,
        order_date,
        total_amount,
        etl.trim_text(payment_method)  as payment_method,
        etl.trim_text(order_status)    as order_status,
        created_at,
        order_id::text                 as natural_key,
        _row_hash                      as row_hash
    from corrected_rows
)

select * from standardized
