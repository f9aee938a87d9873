-- materialized: incremental
-- unique_key: nk_customer_id
-- grain: one customer record, plus the unknown (-1) and walk-in (-2) members
-- publishes: customers
-- refresh: customer_master_id from warehouse.int_customers by nk_customer_id
-- refresh: first_order_date from warehouse.int_customer_first_orders by nk_customer_id
--
-- Reads this run's clean customers that the validation verdicts let through; nullified
-- attributes arrive as NULL. customer_master_id is the merged customer of duplicate grouping
-- (int_customers) and first_order_date the record's first Completed order; the refresh
-- headers follow them when a later run regroups a customer or brings its orders.

with clean_customers as (
    select * from clean.customers
),

publish_verdicts as (
    select * from dq.run_publish_verdicts('customers')
),

published_customers as (
    select
        c.customer_id                                                          as nk_customer_id,
        c.first_name,
        c.last_name,
        dq.verdict_value(v.nullified, v.fixed, 'email', c.email)               as email,
        dq.verdict_value(v.nullified, v.fixed, 'phone', c.phone)               as phone,
        dq.verdict_value(v.nullified, v.fixed, 'loyalty_points', c.loyalty_points) as loyalty_points,
        c.created_at
    from clean_customers as c
    join publish_verdicts as v
        on v.natural_key = c.natural_key
),

special_members as (
    select -1 as nk_customer_id, 'Unknown'::varchar(50) as first_name, 'customer'::varchar(50) as last_name
    union all
    select -2, 'Walk-in', 'customer'
),

all_members as (
    select nk_customer_id, first_name, last_name, email, phone, loyalty_points, created_at
    from published_customers
    union all
    select nk_customer_id, first_name, last_name, null, null, null, null
    from special_members
)

select
    warehouse.surrogate_key('dim_customers', a.nk_customer_id::text)   as sk_customer_id,
    a.nk_customer_id,
    first_name,
    last_name,
    nullif(concat_ws(' ', first_name, last_name), '')                  as full_name,
    email,
    phone,
    loyalty_points,
    coalesce(m.customer_master_id, a.nk_customer_id)                   as customer_master_id,
    f.first_order_date,
    created_at,
    a.nk_customer_id < 0                                               as is_special_member
from all_members as a
left join warehouse.int_customers as m on m.nk_customer_id = a.nk_customer_id
left join warehouse.int_customer_first_orders as f on f.nk_customer_id = a.nk_customer_id
