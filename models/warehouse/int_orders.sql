-- materialized: incremental
-- unique_key: nk_order_id
-- grain: one order's header (who, when, how paid, status): what its lines and fct_orders share
-- publishes: orders
-- refresh: sk_customer_id, customer_master_id from warehouse.int_customers by nk_customer_id
-- refresh: sk_employee_id from warehouse.dim_employees by nk_employee_id unindexed
--
-- An order without a customer is a walk-in sale (the walk-in member); a customer or employee
-- that is not in the warehouse yet links to the unknown member, and the refresh headers
-- re-link it on the run that brings it. The customer comes from int_customers (with its
-- merged customer, from duplicate grouping), which a run regroups before the orders. Fixed and
-- nullified values come from the verdicts.

with published_orders as (
    select
        o.order_id                                                                  as nk_order_id,
        o.order_date                                                                as order_ts,
        o.customer_id                                                               as nk_customer_id,
        o.employee_id                                                               as nk_employee_id,
        o.total_amount,
        dq.verdict_value(v.nullified, v.fixed, 'payment_method', o.payment_method)  as payment_method,
        dq.verdict_value(v.nullified, v.fixed, 'order_status', o.order_status)      as order_status
    from clean.orders as o
    join dq.run_publish_verdicts('orders') as v
        on v.natural_key = o.natural_key
)

-- The walk-in (-2) and unknown (-1) members are looked up by subqueries of their own, each run
-- once: cross-joined, they were looked up again for every order when PostgreSQL expected few.
select
    o.nk_order_id,
    o.order_ts,
    coalesce(warehouse.date_id(o.order_ts), -1)                               as order_date_id,
    coalesce(warehouse.time_id(o.order_ts), -1)                               as order_time_id,
    o.nk_customer_id,
    case when o.nk_customer_id is null
         then (select sk_customer_id from warehouse.int_customers where nk_customer_id = -2)
         else coalesce(c.sk_customer_id,
                       (select sk_customer_id from warehouse.int_customers where nk_customer_id = -1))
    end                                                                       as sk_customer_id,
    case when o.nk_customer_id is null
         then (select customer_master_id from warehouse.int_customers where nk_customer_id = -2)
         else coalesce(c.customer_master_id,
                       (select customer_master_id from warehouse.int_customers where nk_customer_id = -1))
    end                                                                       as customer_master_id,
    o.nk_employee_id,
    coalesce(e.sk_employee_id,
             (select sk_employee_id from warehouse.dim_employees where nk_employee_id = -1)) as sk_employee_id,
    o.total_amount,
    o.payment_method,
    o.order_status
from published_orders as o
-- The dimensions are joined as tables, on the key column itself: their statistics and unique
-- keys tell PostgreSQL that each order finds at most one row (through a shared CTE, or on
-- coalesce(nk_customer_id, -2), it expected the joins to multiply the orders).
left join warehouse.int_customers as c on c.nk_customer_id = o.nk_customer_id
left join warehouse.dim_employees as e on e.nk_employee_id = o.nk_employee_id
