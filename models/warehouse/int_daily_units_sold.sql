-- materialized: incremental
-- partition_by: line_block
-- grain: one block of 10,000 order-line ids, product, branch and local day, with units sold
--
-- Units sold (lines of Completed orders) per product, branch and day, summed block by block so
-- that a run sums again only the blocks it changed, not every line ever sold (int_daily_stock
-- adds the blocks up). A line never leaves its block, whatever else about it changes, so a line
-- that moves to another day, product, branch or status is taken out where it was counted.

with touched_blocks as (
    -- Lines this run wrote: new or changed, or re-linked to another order header or product version.
    select distinct nk_order_detail_id / 10000 as line_block
    from warehouse.fct_order_lines
    where _run_id = etl.current_run_id()

    union

    -- Lines this run removed from fct_order_lines (their new version was rejected). A rejected
    -- line that was never published touches nothing.
    select nk_order_detail_id / 10000
    from warehouse.fct_order_lines__previous
    where _replaced_in = etl.current_run_id()
),

-- Lines of Completed orders: the first build sums them all, later builds those of the blocks
-- this run touched. completed_lines is not materialized, so that each branch reads
-- fct_order_lines its own way: the first build in parallel, later builds by the unique key's
-- index, to which the block is also given as a range of ids (ids divide towards zero: block 0
-- runs from -9,999 to 9,999).
completed_lines as not materialized (
    select nk_order_detail_id, nk_product_id, sk_store_id, order_ts::date as day, quantity
    from warehouse.fct_order_lines
    where order_status = 'Completed' and nk_product_id is not null and order_ts is not null
),

lines_to_sum as (
    select nk_order_detail_id / 10000 as line_block, nk_product_id, sk_store_id, day, quantity
    from completed_lines
    where etl.is_first_build()

    union all

    select b.line_block, l.nk_product_id, l.sk_store_id, l.day, l.quantity
    from touched_blocks as b
    join completed_lines as l
        on l.nk_order_detail_id / 10000 = b.line_block
       and l.nk_order_detail_id between b.line_block * 10000 - 9999 and b.line_block * 10000 + 9999
    where not etl.is_first_build()
)

select line_block, nk_product_id, sk_store_id, day, sum(quantity)::integer as sold
from lines_to_sum
group by line_block, nk_product_id, sk_store_id, day

union all

-- Each block a run rebuilds keeps a row with no product, so that a block whose lines are all
-- gone is still replaced.
select line_block, null, null, null, null
from touched_blocks
