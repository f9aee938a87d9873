-- materialized: table
-- grain: one calendar month with orders
--
-- Per month (Completed orders): customers ordering for the first time, customers coming back,
-- walk-in orders, and the revenue from each group.

with completed_orders as (
    select
        nk_order_id,
        date_trunc('month', order_ts)::date    as month,
        customer_master_id,
        lines_subtotal,
        customer_master_id = -2                as is_walk_in
    from warehouse.fct_orders
    where order_status = 'Completed'
),

first_months as (
    select customer_master_id, min(month) as first_month
    from completed_orders
    where not is_walk_in and customer_master_id > 0
    group by customer_master_id
),

classified as (
    select
        o.*,
        case when o.is_walk_in then 'walk_in'
             when f.first_month = o.month then 'new'
             when f.first_month < o.month then 'returning'
             else 'unknown' end                 as customer_group
    from completed_orders as o
    left join first_months as f on f.customer_master_id = o.customer_master_id
)

select
    month,
    count(distinct customer_master_id) filter (where customer_group = 'new')::integer        as new_customers,
    count(distinct customer_master_id) filter (where customer_group = 'returning')::integer  as returning_customers,
    count(*) filter (where customer_group = 'walk_in')::integer                     as walk_in_orders,
    count(*)::integer                                                               as orders,
    coalesce(sum(lines_subtotal) filter (where customer_group = 'new'), 0)          as new_customer_revenue,
    coalesce(sum(lines_subtotal) filter (where customer_group = 'returning'), 0)    as returning_customer_revenue,
    coalesce(sum(lines_subtotal) filter (where customer_group = 'walk_in'), 0)      as walk_in_revenue,
    coalesce(sum(lines_subtotal) filter (where customer_group = 'unknown'), 0)      as unknown_customer_revenue
from classified
group by month
