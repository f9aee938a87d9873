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

-- A correction accepted from a quarantine batch (dq.corrections) takes the place of the
-- source's value, and the row's hash covers it (docs/reprocessing.md). Lengths and scales are
-- cast back: dq.corrected returns its type without them.
corrected_rows as (
    select
        b.employee_id,
        dq.corrected(k.corrected, 'first_name', b.first_name)::character varying(50)  as first_name,
        dq.corrected(k.corrected, 'last_name', b.last_name)::character varying(50)    as last_name,
        dq.corrected(k.corrected, 'hire_date', b.hire_date)                           as hire_date,
        dq.corrected(k.corrected, 'role', b.role)::character varying(50)              as role,
        dq.corrected(k.corrected, 'email', b.email)::character varying(100)           as email,
        dq.corrected(k.corrected, 'created_at', b.created_at)                         as created_at,
        dq.corrected_row_hash(b._row_hash, k.corrected)                               as _row_hash
    from batch_rows as b
    left join dq.run_corrections('employees') as k on k.natural_key = b.employee_id::text
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
    from corrected_rows
)

select * from standardized
