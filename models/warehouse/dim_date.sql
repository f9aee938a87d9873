-- materialized: table
-- unique_key: date_id
-- grain: one calendar day from 2020 to 2035, plus the unknown (-1) day
--
-- Days are the cafe's local days: POS timestamps are already local time (docs/warehouse.md).

with days as (
    select day::date as date_actual
    from generate_series('2020-01-01'::date, '2035-12-31'::date, interval '1 day') as day
)

select
    warehouse.date_id(date_actual)                   as date_id,
    date_actual,
    extract(isodow from date_actual)::integer        as day_of_week,
    trim(to_char(date_actual, 'Day'))                as day_name,
    extract(week from date_actual)::integer          as iso_week,
    extract(month from date_actual)::integer         as month,
    trim(to_char(date_actual, 'Month'))              as month_name,
    extract(quarter from date_actual)::integer       as quarter,
    extract(year from date_actual)::integer          as year,
    extract(isodow from date_actual) in (6, 7)       as is_weekend
from days

union all

select -1, null, null, 'Unknown', null, null, 'Unknown', null, null, null
