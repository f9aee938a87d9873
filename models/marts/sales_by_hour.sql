-- materialized: table
-- grain: one branch, weekday and local hour with sales
--
-- For shift planning: revenue (line subtotals of Completed orders) and orders by the order's
-- branch, local weekday (1 = Monday) and local hour.

select
    b.store_name,
    d.day_of_week,
    d.day_name,
    s.hour,
    sum(s.orders)::integer            as orders,
    sum(s.revenue)                    as revenue,
    sum(s.items)::integer             as items
from warehouse.int_hourly_sales as s
join warehouse.dim_store_branch as b on b.sk_store_id = s.sk_store_id
join warehouse.dim_date as d on d.date_id = s.order_date_id
group by b.store_name, d.day_of_week, d.day_name, s.hour
