-- materialized: table
-- grain: one calendar month with orders
--
-- Per month (Completed orders): customers ordering for the first time, customers coming back,
-- walk-in orders, and the revenue from each group, with the month's whole revenue and the share
-- of its orders that were walk-ins (the run report shows them as they are). Worked out month by
-- month in warehouse.int_monthly_customer_activity, which a run updates for the months it changed.

select
    month,
    new_customers,
    returning_customers,
    walk_in_orders,
    orders,
    new_customer_revenue,
    returning_customer_revenue,
    walk_in_revenue,
    unknown_customer_revenue,
    new_customer_revenue + returning_customer_revenue + walk_in_revenue + unknown_customer_revenue  as revenue,
    round(walk_in_orders::numeric / orders, 4)                                                      as walk_in_share
from warehouse.int_monthly_customer_activity
where orders > 0
