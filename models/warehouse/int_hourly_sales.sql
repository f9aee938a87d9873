-- materialized: incremental
-- partition_by: order_block
-- grain: one block of 10,000 order ids, branch, local day and hour, with Completed orders' sales
--
-- Orders, revenue (line subtotals) and items of Completed orders per branch, day and hour,
-- summed block by block so that a run sums again only the blocks of the orders it changed
-- (marts.sales_by_hour adds the blocks up). An order never leaves its block, so an order that
-- changes branch, time or status is taken out where it was counted.

with touched_blocks as (
    -- Orders this run wrote: new or changed, or whose lines changed.
    select distinct nk_order_id / 10000 as order_block
    from warehouse.fct_orders
    where _run_id = etl.current_run_id()
),

-- Completed orders: the first build sums them all, later builds those of the blocks this run
-- touched. completed_orders is not materialized, so that each branch reads fct_orders its own
-- way: the first build in parallel, later builds by the unique key's index, to which the block
-- is also given as a range of ids (ids divide towards zero: block 0 runs from -9,999 to 9,999).
completed_orders as not materialized (
    select o.nk_order_id, o.sk_store_id, o.order_date_id, t.hour, o.lines_subtotal, o.items_count
    from warehouse.fct_orders as o
    join warehouse.dim_time as t on t.time_id = o.order_time_id
    where o.order_status = 'Completed'
),

orders_to_sum as (
    select nk_order_id / 10000 as order_block, sk_store_id, order_date_id, hour, nk_order_id, lines_subtotal, items_count
    from completed_orders
    where etl.is_first_build()

    union all

    select b.order_block, o.sk_store_id, o.order_date_id, o.hour, o.nk_order_id, o.lines_subtotal, o.items_count
    from touched_blocks as b
    join completed_orders as o
        on o.nk_order_id / 10000 = b.order_block
       and o.nk_order_id between b.order_block * 10000 - 9999 and b.order_block * 10000 + 9999
    where not etl.is_first_build()
)

select
    order_block,
    sk_store_id,
    order_date_id,
    hour,
    count(*)::integer               as orders,
    sum(lines_subtotal)             as revenue,
    sum(items_count)::integer       as items
from orders_to_sum
group by order_block, sk_store_id, order_date_id, hour

union all

-- Each block a run rebuilds keeps a row with no branch, so that a block with no Completed order
-- left is still replaced.
select order_block, null, null, null, null, null, null
from touched_blocks
