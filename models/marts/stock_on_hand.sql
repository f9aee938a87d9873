-- materialized: table
-- grain: one product and branch, on the last day of inventory_daily
--
-- The stock on hand now: every product and branch on the last day the warehouse has stock for
-- (int_daily_stock runs every product's days to that same day), out-of-stock and negative
-- flagged as in inventory_daily.

select
    product_id,
    product_name,
    category,
    store_name,
    day,
    stock_on_hand,
    last_count_date,
    is_out_of_stock,
    is_negative
from marts.inventory_daily
where day = (select max(day) from marts.inventory_daily)
