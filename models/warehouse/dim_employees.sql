-- materialized: incremental
-- unique_key: nk_employee_id
-- grain: one employee, plus the unknown (-1) member
-- publishes: employees
--
-- Reads this run's clean employees that the validation verdicts let through; an unknown role
-- arrives as 'Unknown', an impossible hire date or a malformed email as NULL.

with clean_employees as (
    select * from clean.employees
),

publish_verdicts as (
    select * from dq.run_publish_verdicts('employees')
),

published_employees as (
    select
        e.employee_id                                                   as nk_employee_id,
        e.first_name,
        e.last_name,
        dq.verdict_value(v.nullified, v.fixed, 'hire_date', e.hire_date) as hire_date,
        dq.verdict_value(v.nullified, v.fixed, 'role', e.role)           as role,
        dq.verdict_value(v.nullified, v.fixed, 'email', e.email)         as email,
        e.created_at
    from clean_employees as e
    join publish_verdicts as v
        on v.natural_key = e.natural_key
),

unknown_member as (
    select
        -1                       as nk_employee_id,
        'Unknown'::text          as first_name,
        'employee'::text         as last_name,
        null::date               as hire_date,
        'Unknown'::text          as role,
        null::text               as email,
        null::timestamp          as created_at
)

select
    warehouse.surrogate_key('dim_employees', nk_employee_id::text) as sk_employee_id,
    nk_employee_id,
    first_name,
    last_name,
    concat_ws(' ', first_name, last_name)                          as full_name,
    hire_date,
    role,
    email,
    created_at,
    nk_employee_id < 0                                             as is_special_member
from (
    select * from published_employees
    union all
    select * from unknown_member
) as members
