-- materialized: incremental
-- unique_key: nk_order_detail_id
-- grain: one order line
-- publishes: order_details
-- previous_versions: kept
-- refresh: order_ts, order_date_id, order_time_id, nk_customer_id, sk_customer_id, customer_master_id, nk_employee_id, sk_employee_id, payment_method, order_status from warehouse.int_orders by nk_order_id
-- refresh: sk_product_id, sk_store_id, cost_price from warehouse.dim_products by nk_product_id at order_ts unindexed
-- computed: cost_amount numeric(12, 2) = quantity * cost_price
-- computed: margin_amount numeric(12, 2) = subtotal - quantity * cost_price
--
-- A line takes its order's header and the product version valid at the order's time; the
-- line's branch is its product's branch. Revenue is the subtotal of lines of Completed orders.
-- Previous versions are kept so that fct_orders and int_daily_units_sold can take a changed or
-- removed line out of where it was counted, and leave alone the rejected lines that never came in.

with published_lines as (
    select d.*
    from clean.order_details as d
    join dq.run_publish_verdicts('order_details') as v
        on v.natural_key = d.natural_key
)

select
    warehouse.surrogate_key('fct_order_lines', l.order_detail_id::text)   as sk_order_line_id,
    l.order_detail_id                                                      as nk_order_detail_id,
    l.order_id                                                             as nk_order_id,
    o.order_ts,
    coalesce(o.order_date_id, -1)                                          as order_date_id,
    coalesce(o.order_time_id, -1)                                          as order_time_id,
    o.nk_customer_id,
    o.sk_customer_id,
    o.customer_master_id,
    o.nk_employee_id,
    o.sk_employee_id,
    l.product_id                                                           as nk_product_id,
    -- A product not in the warehouse (yet) is the unknown member, looked up once.
    coalesce(p.sk_product_id,
             (select sk_product_id from warehouse.dim_products where nk_product_id = -1))    as sk_product_id,
    coalesce(p.sk_store_id,
             (select sk_store_id from warehouse.dim_products where nk_product_id = -1))      as sk_store_id,
    l.quantity,
    l.unit_price,
    l.subtotal,
    p.cost_price,
    o.payment_method,
    o.order_status
from published_lines as l
left join warehouse.int_orders as o on o.nk_order_id = l.order_id
-- Products are joined as a table, not through a CTE: a CTE read twice is materialized, and a
-- query that scans one cannot run in parallel.
left join warehouse.dim_products as p
    on p.nk_product_id = l.product_id
   and o.order_ts >= p.valid_from and o.order_ts < p.valid_to
