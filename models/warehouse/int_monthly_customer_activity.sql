-- materialized: incremental
-- partition_by: month
-- grain: one calendar month that has or had orders
--
-- The figures of marts.customer_activity_monthly (Completed orders): customers ordering for the
-- first time, customers coming back, walk-in orders, and the revenue from each group. A run
-- works out again only the months it changed: the months of the orders it wrote, as they are
-- now and as they were before (fct_orders keeps the versions it replaced), and the months in
-- which a customer's first order now falls or fell before (a customer who turns out to have
-- ordered earlier is no longer new in the month that counted them as new).

with touched_months as (
    select date_trunc('month', order_ts)::date as month
    from warehouse.fct_orders
    where _run_id = etl.current_run_id()

    union

    select date_trunc('month', order_ts)::date
    from warehouse.fct_orders__previous
    where _replaced_in = etl.current_run_id()

    union

    select unnest(array[date_trunc('month', c.first_order_date), date_trunc('month', p.first_order_date)])::date
    from warehouse.int_customer_orders as c
    left join warehouse.int_customer_orders__previous as p
        on p.customer_master_id = c.customer_master_id and p._replaced_in = etl.current_run_id()
    where c._run_id = etl.current_run_id() and c.first_order_date is distinct from p.first_order_date
),

-- Completed orders: the first build reads them all, later builds those in the months this
-- run touched (the comparison with the earliest of them spares most orders the month's
-- working out).
orders_to_sum as (
    select date_trunc('month', order_ts)::date as month, customer_master_id, lines_subtotal
    from warehouse.fct_orders
    where order_status = 'Completed' and etl.is_first_build()

    union all

    select date_trunc('month', order_ts)::date, customer_master_id, lines_subtotal
    from warehouse.fct_orders
    where order_status = 'Completed' and not etl.is_first_build()
      and order_ts >= (select min(month) from touched_months)
      and date_trunc('month', order_ts)::date in (select month from touched_months)
),

-- A customer is new in the month of their first Completed order and returning after it;
-- walk-in sales and orders of the unknown customer are groups of their own. Materialized, so
-- that each order's group is worked out once, not again in every filter below.
classified as materialized (
    select
        o.month,
        o.customer_master_id,
        o.lines_subtotal,
        case when o.customer_master_id = -2 then 'walk_in'
             when o.customer_master_id <= 0 then 'unknown'
             when c.first_order_date >= o.month and c.first_order_date < o.month + interval '1 month' then 'new'
             when c.first_order_date < o.month then 'returning'
             else 'unknown' end                     as customer_group
    from orders_to_sum as o
    left join warehouse.int_customer_orders as c on c.customer_master_id = o.customer_master_id
    where o.month is not null
),

monthly as (
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
)

select * from monthly

union all

-- A touched month with no Completed order left.
select t.month, 0, 0, 0, 0, 0, 0, 0, 0
from touched_months as t
where not etl.is_first_build()
  and t.month is not null
  and not exists (select from monthly as m where m.month = t.month)
