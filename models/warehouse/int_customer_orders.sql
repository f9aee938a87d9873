-- materialized: incremental
-- unique_key: customer_master_id
-- grain: one merged customer (customer_master_id) that has or had orders, walk-in and unknown included
-- previous_versions: kept
--
-- Each customer's Completed orders, summed and kept: the first and last order day, how many,
-- and their revenue (line subtotals). A run sums again only the customers whose orders it
-- wrote, as they are now and as they were before (fct_orders keeps the versions it replaced),
-- so an order that moves to another customer leaves the one it was counted for. A customer
-- with no Completed order left keeps a row with none. The customer marts read this table
-- instead of summing a million orders on every run; int_monthly_customer_activity reads the
-- versions a run replaced, to find the months where a customer's first order moved.

with touched_customers as not materialized (
    select customer_master_id
    from warehouse.fct_orders
    where _run_id = etl.current_run_id()

    union

    select customer_master_id
    from warehouse.fct_orders__previous
    where _replaced_in = etl.current_run_id()
),

orders_to_sum as (
    -- The first build sums every customer's orders.
    select customer_master_id, order_ts, lines_subtotal
    from warehouse.fct_orders
    where order_status = 'Completed' and etl.is_first_build()

    union all

    -- Later builds sum those of the customers this run touched,
    select customer_master_id, order_ts, lines_subtotal
    from warehouse.fct_orders
    where order_status = 'Completed' and not etl.is_first_build()
      and customer_master_id in (select customer_master_id from touched_customers)

    union all

    -- and each of them once with no order, so that one left with no Completed order still gets
    -- its row (with none).
    select customer_master_id, null, null
    from touched_customers
    where not etl.is_first_build()
)

select
    customer_master_id,
    min(order_ts)::date                     as first_order_date,
    max(order_ts)::date                     as last_order_date,
    count(order_ts)::integer                as completed_orders,
    coalesce(sum(lines_subtotal), 0)        as revenue
from orders_to_sum
group by customer_master_id
