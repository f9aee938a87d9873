-- materialized: table
-- grain: one merged customer (customer_master_id), walk-in and unknown excluded
--
-- Recency, frequency and monetary value over Completed orders (summed per customer in
-- int_customer_orders), as of the last day with orders (so the answer does not drift with the
-- clock). Scores are quintiles (5 is best). Loyalty tier from the points balance: Gold from
-- 500, Silver from 100, else Bronze. The segment names the scores' combination (scored
-- below), so the report and an analyst group customers the same way.

with customers as (
    select
        customer_master_id,
        sum(greatest(coalesce(loyalty_points, 0), 0))::integer   as loyalty_points,
        count(*)::integer                                        as customer_records
    from warehouse.dim_customers
    where not is_special_member
    group by customer_master_id
),

as_of as (
    select max(order_ts)::date as day from warehouse.fct_orders
),

completed_orders as (
    select
        customer_master_id,
        first_order_date,
        last_order_date,
        completed_orders                  as frequency,
        revenue                           as monetary
    from warehouse.int_customer_orders
    where customer_master_id > 0 and completed_orders > 0
),

per_customer as (
    select
        c.customer_master_id,
        c.customer_records,
        c.loyalty_points,
        o.first_order_date,
        o.last_order_date,
        coalesce(o.frequency, 0)          as frequency,
        coalesce(o.monetary, 0)           as monetary
    from customers as c
    left join completed_orders as o on o.customer_master_id = c.customer_master_id
),

scored as (
    select
        p.customer_master_id,
        p.customer_records,
        p.first_order_date,
        p.last_order_date,
        (select day from as_of) - p.last_order_date                               as recency_days,
        p.frequency,
        p.monetary,
        ntile(5) over (order by p.last_order_date nulls first, p.customer_master_id)  as recency_score,
        ntile(5) over (order by p.frequency, p.customer_master_id)                    as frequency_score,
        ntile(5) over (order by p.monetary, p.customer_master_id)                     as monetary_score,
        p.loyalty_points,
        case when p.loyalty_points >= 500 then 'Gold'
             when p.loyalty_points >= 100 then 'Silver'
             else 'Bronze' end                                                    as loyalty_tier,
        p.frequency >= 2                                                          as is_returning
    from per_customer as p
)

select
    *,
    case when frequency = 0                          then 'No orders yet'
         when recency_score >= 4 and frequency_score >= 4 then 'Champions'
         when frequency_score >= 4                   then 'Loyal'
         when recency_score >= 4                     then 'Recent'
         when recency_score <= 2 and frequency_score >= 3 then 'At risk'
         when recency_score <= 2                     then 'Hibernating'
         else 'Needs attention' end                  as segment
from scored
