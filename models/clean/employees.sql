-- materialized: table
-- unique_key: natural_key
-- grain: one employee row of this run's batches (new or changed at the source)
--
-- Cleanup only: trims text and puts roles in title case ("barista " -> "Barista").

with batch_rows as (
    select *
    from staging.employees
    where _batch_id = any(etl.run_batch_ids('employees'))
),

standardized as (
    select
        employee_id,
        etl.trim_text(first_name)                 as first_name,
        etl.trim_text(last_name)                  as last_name,
        hire_date,
        initcap(nullif(etl.trim_text(role), ''))  as role,
        lower(nullif(etl.trim_text(email), ''))   as email,
        created_at,
        employee_id::text                         as natural_key,
        _row_hash                                 as row_hash
    from batch_rows
)

select * from standardized
