-- materialized: table
-- grain: one product, branch, month and waste reason (Damaged, Expired)
--
-- Waste as recorded in inventory movements; cost value at the product's cost price valid at
-- the time of the movement.

select
    date_trunc('month', m.change_ts)::date     as month,
    m.nk_product_id                            as product_id,
    p.product_name,
    b.store_name,
    m.reason,
    count(*)::integer                          as movements,
    -sum(m.quantity)::integer                  as waste_quantity,
    sum(m.cost_value)                          as waste_cost_value
from warehouse.fct_inventory_movements as m
join warehouse.dim_products as p on p.sk_product_id = m.sk_product_id
join warehouse.dim_store_branch as b on b.sk_store_id = m.sk_store_id
where m.is_waste
group by 1, 2, 3, 4, 5
