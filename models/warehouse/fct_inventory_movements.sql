-- materialized: incremental
-- unique_key: nk_tracking_id
-- grain: one inventory movement
-- publishes: inventory_tracking
-- refresh: sk_product_id, sk_store_id, cost_price from warehouse.dim_products by nk_product_id at change_ts unindexed
-- computed: cost_value numeric(12, 2) = abs(quantity) * cost_price
--
-- The reason decides the direction (Restock adds, Damaged and Expired remove and are waste);
-- the quantity's absolute value is used. The POS records every quantity as positive: a negative
-- one is a warning (inventory_quantity_not_negative), not a movement the other way.

with published_movements as (
    select m.*
    from clean.inventory_tracking as m
    join dq.run_publish_verdicts('inventory_tracking') as v
        on v.natural_key = m.natural_key
)

select
    warehouse.surrogate_key('fct_inventory_movements', m.tracking_id::text)   as sk_movement_id,
    m.tracking_id                                                              as nk_tracking_id,
    m.change_date                                                              as change_ts,
    coalesce(warehouse.date_id(m.change_date), -1)                             as change_date_id,
    m.product_id                                                               as nk_product_id,
    -- A product not in the warehouse (yet) is the unknown member, looked up once.
    coalesce(p.sk_product_id,
             (select sk_product_id from warehouse.dim_products where nk_product_id = -1))    as sk_product_id,
    coalesce(p.sk_store_id,
             (select sk_store_id from warehouse.dim_products where nk_product_id = -1))      as sk_store_id,
    warehouse.movement_sign(m.reason) * abs(m.quantity_change)                 as quantity,
    m.reason,
    m.reason in ('Damaged', 'Expired')                                         as is_waste,
    p.cost_price
from published_movements as m
left join warehouse.dim_products as p
    on p.nk_product_id = m.product_id
   and m.change_date >= p.valid_from and m.change_date < p.valid_to
