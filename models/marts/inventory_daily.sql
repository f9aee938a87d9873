-- materialized: table
-- grain: one product, branch and local day
--
-- Stock on hand over time and the days a product was out of stock (stock on hand at or below
-- zero). Negative stock is shown as it is: it means unrecorded restocks or a miscount.

select
    s.day,
    s.date_id,
    s.nk_product_id                         as product_id,
    p.product_name,
    p.category,
    b.store_name,
    s.restocked,
    s.wasted,
    s.sold,
    s.counted_qty,
    s.last_count_date,
    s.stock_on_hand,
    s.stock_on_hand <= 0                    as is_out_of_stock,
    s.stock_on_hand < 0                     as is_negative
from warehouse.int_daily_stock as s
join warehouse.dim_products as p on p.nk_product_id = s.nk_product_id and p.is_current
join warehouse.dim_store_branch as b on b.sk_store_id = s.sk_store_id
