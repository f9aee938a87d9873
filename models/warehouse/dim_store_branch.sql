-- materialized: incremental
-- unique_key: nk_store_id
-- grain: one branch (the store_branch sheet), plus the unknown (-1) member
-- publishes: store_branch
--
-- Products name their branch by store_name; dim_products and the facts look it up here.

with published_branches as (
    select
        b.store_id       as nk_store_id,
        b.store_name,
        b.created_at
    from clean.store_branch as b
    join dq.run_publish_verdicts('store_branch') as v
        on v.natural_key = b.natural_key
),

all_members as (
    select nk_store_id, store_name, created_at from published_branches
    union all
    select -1, 'Unknown', null
)

select
    warehouse.surrogate_key('dim_store_branch', nk_store_id::text)   as sk_store_id,
    nk_store_id,
    store_name,
    created_at,
    nk_store_id < 0                                                  as is_special_member
from all_members
