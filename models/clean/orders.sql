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
    from batch_rows
)

select * from standardized
