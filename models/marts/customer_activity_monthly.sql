-- materialized: table
-- grain: one calendar month with orders
--
-- Per month (Completed orders): customers ordering for the first time, customers coming back,
-- walk-in orders, and the revenue from each group. Worked out month by month in
-- warehouse.int_monthly_customer_activity, which a run updates for the months it changed.

select
    month,
    new_customers,
    returning_customers,
    walk_in_orders,
    orders,
    new_customer_revenue,
    returning_customer_revenue,
    walk_in_revenue,
    unknown_customer_revenue
from warehouse.int_monthly_customer_activity
where orders > 0
