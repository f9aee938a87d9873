-- materialized: table
-- unique_key: natural_key
-- grain: one customer row of this run's batches (new or changed at the source)
--
-- Cleanup only: trims text, lower-cases emails, keeps the digits of phone numbers.
-- Judging the values is the rules' job (customers.rules.yml), not this model's.

with batch_rows as (
    select *
    from staging.customers
    where _batch_id = any(etl.run_batch_ids('customers'))
),

standardized as (
    select
        customer_id,
        nullif(etl.trim_text(first_name), '')                 as first_name,
        nullif(etl.trim_text(last_name), '')                  as last_name,
        lower(nullif(etl.trim_text(email), ''))               as email,
        nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '')  as phone,
        loyalty_points,
        created_at,
        customer_id::text                                     as natural_key,
        _row_hash                                             as row_hash
    from batch_rows
)

select * from standardized
