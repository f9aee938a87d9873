-- materialized: scd2
-- unique_key: nk_product_id
-- surrogate_key: sk_product_id
-- grain: one version of a product (a new version when its price or an attribute changes), plus the unknown (-1) member
-- publishes: products
--
-- The first version of a product is valid from the beginning of time, so all older order
-- lines link to it; a later change opens a version valid from the (local) time of the
-- extraction that saw it. Nullified prices arrive as NULL, an unknown branch as Unknown.

with published_products as (
    select
        p.product_id                                                             as nk_product_id,
        p.product_name,
        p.category,
        dq.verdict_value(v.nullified, v.fixed, 'unit_price', p.unit_price)       as unit_price,
        dq.verdict_value(v.nullified, v.fixed, 'cost_price', p.cost_price)       as cost_price,
        p.in_stock,
        dq.verdict_value(v.nullified, v.fixed, 'store_branch', p.store_branch)   as store_branch,
        etl.local_time(p.extracted_at)                                           as changed_at
    from clean.products as p
    join dq.run_publish_verdicts('products') as v
        on v.natural_key = p.natural_key
),

all_members as (
    select * from published_products
    union all
    select -1, 'Unknown', 'Unknown', null, null, null, null, '-infinity'::timestamp
),

branches as (
    select sk_store_id, nk_store_id, store_name from warehouse.dim_store_branch
)

select
    m.nk_product_id,
    m.product_name,
    m.category,
    m.unit_price,
    m.cost_price,
    m.unit_price - m.cost_price                                           as margin,
    m.in_stock,
    coalesce(b.sk_store_id, unknown_branch.sk_store_id)                   as sk_store_id,
    m.changed_at
from all_members as m
left join branches as b on b.store_name = m.store_branch
cross join (select sk_store_id from branches where nk_store_id = -1) as unknown_branch
