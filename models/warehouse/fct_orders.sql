-- materialized: incremental
-- unique_key: nk_order_id
-- grain: one order
-- previous_versions: kept
--
-- Rebuilds the orders this run touched: a new or changed header, or a line this run wrote or
-- removed (a line whose new version is rejected has left fct_order_lines), on the order it is
-- on now and the one it was on.
-- An order belongs to the branch of the products on its lines, the most frequent one if they
-- differ (rule orders_single_branch counts such orders in dq.rule_results). total_amount is the POS's; the
-- lines' sum is lines_subtotal. Previous versions are kept so that int_customer_orders and
-- int_monthly_customer_activity can take a changed order out of where it was counted.
--
-- touched_orders is two disjoint parts rather than one list of ids: on a first build every
-- header is this run's, so the second part is empty and its lists of lines are never read.

with touched_orders as (
    -- Headers this run wrote.
    select o.*
    from warehouse.int_orders as o
    where o._run_id = etl.current_run_id()

    union all

    -- Other orders whose lines this run wrote, re-linked or removed.
    select o.*
    from warehouse.int_orders as o
    where o._run_id is distinct from etl.current_run_id()
      and o.nk_order_id in (
          select nk_order_id from warehouse.fct_order_lines where _run_id = etl.current_run_id()
          union
          select nk_order_id from warehouse.fct_order_lines__previous where _replaced_in = etl.current_run_id()
      )
),

line_totals as (
    select
        l.nk_order_id,
        count(*)::integer                                  as line_count,
        sum(l.quantity)::integer                           as items_count,
        sum(l.subtotal)                                    as lines_subtotal,
        mode() within group (order by l.sk_store_id)       as sk_store_id
    from warehouse.fct_order_lines as l
    join touched_orders as o on o.nk_order_id = l.nk_order_id
    group by l.nk_order_id
),

unknown_branch as (
    select sk_store_id from warehouse.dim_store_branch where nk_store_id = -1
)

select
    o.nk_order_id,
    o.order_ts,
    o.order_date_id,
    o.order_time_id,
    o.nk_customer_id,
    o.sk_customer_id,
    o.customer_master_id,
    o.nk_employee_id,
    o.sk_employee_id,
    coalesce(t.sk_store_id, (select sk_store_id from unknown_branch))   as sk_store_id,
    coalesce(t.line_count, 0)                                          as line_count,
    coalesce(t.items_count, 0)                                         as items_count,
    o.total_amount,
    coalesce(t.lines_subtotal, 0)                                      as lines_subtotal,
    o.payment_method,
    o.order_status
from touched_orders as o
left join line_totals as t on t.nk_order_id = o.nk_order_id
