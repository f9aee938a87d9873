-- materialized: table
-- unique_key: nk_stock_count
-- grain: one physical count
--
-- A count is taken after closing (docs/sources.md), so the quantity it is expected to find is the
-- stock on hand of the evening before (int_daily_stock), plus the count day's restocks, less its
-- waste and its sales; before any activity it is 0. The stock is the product's, at its branch.

with expected as (
    select
        c.*,
        coalesce(evening_before.stock_on_hand, 0)
            + coalesce(count_day.restocked - count_day.wasted - count_day.sold, 0)   as expected_qty
    from warehouse.int_stock_counts as c
    left join warehouse.dim_products as p on p.sk_product_id = c.sk_product_id
    left join warehouse.int_daily_stock as evening_before
        on evening_before.nk_product_id = c.nk_product_id
       and evening_before.sk_store_id = p.sk_store_id
       and evening_before.day = c.count_date - 1
    left join warehouse.int_daily_stock as count_day
        on count_day.nk_product_id = c.nk_product_id
       and count_day.sk_store_id = p.sk_store_id
       and count_day.day = c.count_date
)

select
    nk_stock_count,
    count_date_id,
    nk_product_id,
    sk_product_id,
    sk_store_id,
    counted_qty,
    expected_qty,
    counted_qty - expected_qty                          as discrepancy,
    counted_by
from expected
