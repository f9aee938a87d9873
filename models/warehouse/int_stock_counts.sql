-- materialized: incremental
-- unique_key: nk_stock_count
-- grain: one physical count (day, branch, product) as staff typed it after closing
-- publishes: stock_count
-- refresh: sk_product_id from warehouse.dim_products by nk_product_id at count_ts unindexed
--
-- The counted side of fct_stock_counts; the expected side needs the stock ledger
-- (int_daily_stock), which itself starts from these counts.

with published_counts as (
    select s.*
    from clean.stock_count as s
    join dq.run_publish_verdicts('stock_count') as v
        on v.natural_key = s.natural_key
),

products as (
    select nk_product_id, sk_product_id, valid_from, valid_to from warehouse.dim_products
),

branches as (
    select sk_store_id, nk_store_id, store_name from warehouse.dim_store_branch
)

select
    s.natural_key                                                    as nk_stock_count,
    s.count_date,
    -- Counted after closing: the count sees the whole day.
    s.count_date + time '23:59:59'                                   as count_ts,
    warehouse.date_id(s.count_date)                                  as count_date_id,
    s.product_id                                                     as nk_product_id,
    coalesce(p.sk_product_id, unknown_product.sk_product_id)         as sk_product_id,
    coalesce(b.sk_store_id, unknown_branch.sk_store_id)              as sk_store_id,
    s.counted_qty,
    s.counted_by
from published_counts as s
left join products as p
    on p.nk_product_id = s.product_id
   and s.count_date + time '23:59:59' >= p.valid_from and s.count_date + time '23:59:59' < p.valid_to
left join branches as b on b.store_name = s.store_name
cross join (select sk_product_id from products where nk_product_id = -1) as unknown_product
cross join (select sk_store_id from branches where nk_store_id = -1) as unknown_branch
