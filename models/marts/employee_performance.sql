-- materialized: table
-- grain: one employee and calendar month with orders
--
-- Orders, revenue (Completed orders) and average basket per employee and month; cancelled
-- orders are counted apart.

with monthly as (
    select
        sk_employee_id,
        -- yyyymm from the date key: few distinct values, so the planner can hash, not sort
        order_date_id / 100                                                     as month_id,
        count(*) filter (where order_status = 'Completed')::integer            as orders,
        count(*) filter (where order_status = 'Cancelled')::integer            as cancelled_orders,
        coalesce(sum(lines_subtotal) filter (where order_status = 'Completed'), 0) as revenue,
        round(avg(lines_subtotal) filter (where order_status = 'Completed'), 2)    as average_basket
    from warehouse.fct_orders
    group by sk_employee_id, order_date_id / 100
)

select
    e.nk_employee_id        as employee_id,
    e.full_name,
    e.role,
    case when m.month_id > 0 then to_date(m.month_id::text, 'YYYYMM') end   as month,
    m.orders,
    m.cancelled_orders,
    m.revenue,
    m.average_basket
from monthly as m
join warehouse.dim_employees as e on e.sk_employee_id = m.sk_employee_id
