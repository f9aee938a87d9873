-- materialized: table
-- grain: one branch, weekday and local hour with sales
--
-- For shift planning: revenue (line subtotals of Completed orders) and orders by the order's
-- branch, local weekday (1 = Monday) and local hour.

select
    b.store_name,
    d.day_of_week,
    d.day_name,
    t.hour,
    count(*)::integer                 as orders,
    sum(o.lines_subtotal)             as revenue,
    sum(o.items_count)::integer       as items
from warehouse.fct_orders as o
join warehouse.dim_store_branch as b on b.sk_store_id = o.sk_store_id
join warehouse.dim_date as d on d.date_id = o.order_date_id
join warehouse.dim_time as t on t.time_id = o.order_time_id
where o.order_status = 'Completed'
group by b.store_name, d.day_of_week, d.day_name, t.hour
