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

-- A correction accepted from a quarantine batch (dq.corrections) takes the place of the
-- source's value, and the row's hash covers it (docs/reprocessing.md). Lengths and scales are
-- cast back: dq.corrected returns its type without them.
corrected_rows as (
    select
        b.customer_id,
        dq.corrected(k.corrected, 'first_name', b.first_name)::character varying(50)  as first_name,
        dq.corrected(k.corrected, 'last_name', b.last_name)::character varying(50)    as last_name,
        dq.corrected(k.corrected, 'email', b.email)::character varying(100)           as email,
        dq.corrected(k.corrected, 'phone', b.phone)::character varying(20)            as phone,
        dq.corrected(k.corrected, 'loyalty_points', b.loyalty_points)                 as loyalty_points,
        dq.corrected(k.corrected, 'created_at', b.created_at)                         as created_at,
        dq.corrected_row_hash(b._row_hash, k.corrected)                               as _row_hash
    from batch_rows as b
    left join dq.run_corrections('customers') as k on k.natural_key = b.customer_id::text
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
    from corrected_rows
)

select * from standardized
