-- materialized: table
-- unique_key: nk_stock_count
-- grain: one physical count
--
-- The expected quantity of a count is the stock on hand computed for the day before it
-- (int_daily_stock); before any activity it is 0.

select
    c.nk_stock_count,
    c.count_date_id,
    c.nk_product_id,
    c.sk_product_id,
    c.sk_store_id,
    c.counted_qty,
    coalesce(s.stock_on_hand, 0)                          as expected_qty,
    c.counted_qty - coalesce(s.stock_on_hand, 0)          as discrepancy,
    c.counted_by
from warehouse.int_stock_counts as c
left join warehouse.int_daily_stock as s
    on s.nk_product_id = c.nk_product_id
   and s.sk_store_id = c.sk_store_id
   and s.day = c.count_date - 1
