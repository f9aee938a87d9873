-- materialized: table
-- grain: one physical count
--
-- Counted against expected per count, largest gaps first (gap_rank 1 is the largest). A gap
-- above the tolerance (2 units) is flagged: counting errors or unrecorded waste.

select
    (rank() over (order by abs(c.discrepancy) desc, c.nk_stock_count))::integer as gap_rank,
    d.date_actual                                                      as count_date,
    c.nk_product_id                                                    as product_id,
    p.product_name,
    b.store_name,
    c.counted_qty,
    c.expected_qty,
    c.discrepancy,
    abs(c.discrepancy) > 2                                             as exceeds_tolerance,
    c.counted_by
from warehouse.fct_stock_counts as c
join warehouse.dim_date as d on d.date_id = c.count_date_id
join warehouse.dim_products as p on p.sk_product_id = c.sk_product_id
join warehouse.dim_store_branch as b on b.sk_store_id = c.sk_store_id
