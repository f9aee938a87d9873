-- materialized: table
-- grain: one employee and calendar month with orders
--
-- Orders, revenue (Completed orders) and average basket per employee and month; cancelled
-- orders are counted apart.

select
    e.nk_employee_id                                                    as employee_id,
    e.full_name,
    e.role,
    date_trunc('month', o.order_ts)::date                               as month,
    count(*) filter (where o.order_status = 'Completed')::integer       as orders,
    count(*) filter (where o.order_status = 'Cancelled')::integer       as cancelled_orders,
    coalesce(sum(o.lines_subtotal) filter (where o.order_status = 'Completed'), 0) as revenue,
    round(avg(o.lines_subtotal) filter (where o.order_status = 'Completed'), 2)    as average_basket
from warehouse.fct_orders as o
join warehouse.dim_employees as e on e.sk_employee_id = o.sk_employee_id
group by e.nk_employee_id, e.full_name, e.role, date_trunc('month', o.order_ts)
