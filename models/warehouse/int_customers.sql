-- materialized: incremental
-- unique_key: nk_customer_id
-- previous_versions: kept
-- grain: one customer record, plus the unknown (-1) and walk-in (-2) members
--
-- The customer keys the orders link to (int_orders): each record's surrogate key and merged
-- customer, its duplicate group's oldest id (int_customer_masters) or else its own. Built
-- before dim_customers, which needs the orders for first_order_date. A run writes the records
-- it keyed and those it regrouped; the versions it replaced are kept for customer_master_changes.

with touched as (
    select nk_customer_id from warehouse.int_customer_match_keys
    where _run_id = etl.current_run_id() or etl.is_first_build()

    union

    select nk_customer_id from warehouse.int_customer_masters
    where _run_id = etl.current_run_id()
),

records as (
    select t.nk_customer_id, coalesce(m.customer_master_id, t.nk_customer_id) as customer_master_id
    from touched as t
    left join warehouse.int_customer_masters as m on m.nk_customer_id = t.nk_customer_id

    union all

    select -1, -1

    union all

    select -2, -2
)

select
    warehouse.surrogate_key('dim_customers', nk_customer_id::text)     as sk_customer_id,
    nk_customer_id,
    customer_master_id
from records
