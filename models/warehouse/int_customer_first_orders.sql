-- materialized: incremental
-- unique_key: nk_customer_id
-- grain: one customer record that has or had orders, with the day of its first Completed order
--
-- dim_customers.first_order_date, kept per record (the merged customer's first order is in
-- int_customer_orders and customer_rfm). A run looks again at the records whose orders it
-- wrote, as they are now and as they were before, as int_customer_orders does.

with touched_customers as not materialized (
    select nk_customer_id from warehouse.fct_orders
    where _run_id = etl.current_run_id() and nk_customer_id is not null

    union

    select nk_customer_id from warehouse.fct_orders__previous
    where _replaced_in = etl.current_run_id() and nk_customer_id is not null
),

orders_to_read as (
    select nk_customer_id, order_ts, order_status
    from warehouse.fct_orders
    where etl.is_first_build() and nk_customer_id is not null

    union all

    select nk_customer_id, order_ts, order_status
    from warehouse.fct_orders
    where not etl.is_first_build()
      and nk_customer_id in (select nk_customer_id from touched_customers)

    union all

    -- a record left with no order keeps its row, with no first order
    select nk_customer_id, null, null
    from touched_customers
    where not etl.is_first_build()
)

select
    nk_customer_id,
    min(order_ts) filter (where order_status = 'Completed')::date     as first_order_date
from orders_to_read
group by nk_customer_id
