-- materialized: table
-- unique_key: natural_key
-- grain: one product row of this run's batches (new or changed at the source)
--
-- Cleanup only: prices arrive as text such as '$47.00' or '$-3.00'; they are parsed here
-- (NULL when the text is not a number) and the text is kept so a rule can show it.

with batch_rows as (
    select *
    from staging.products
    where _batch_id = any(etl.run_batch_ids('products'))
),

standardized as (
    select
        product_id,
        btrim(product_name)                                   as product_name,
        btrim(category)                                       as category,
        btrim(unit_price)                                     as unit_price_text,
        btrim(cost_price)                                     as cost_price_text,
        case when btrim(unit_price) ~ '^\$?-?[0-9]+(\.[0-9]+)?$'
             then replace(btrim(unit_price), '$', '')::numeric(10, 2) end as unit_price,
        case when btrim(cost_price) ~ '^\$?-?[0-9]+(\.[0-9]+)?$'
             then replace(btrim(cost_price), '$', '')::numeric(10, 2) end as cost_price,
        case lower(btrim(in_stock)) when 'yes' then true when 'no' then false end as in_stock,
        etl.normalize_name(store_branch)                      as store_branch,
        created_at,
        product_id::text                                      as natural_key,
        _row_hash                                             as row_hash,
        _extracted_at                                         as extracted_at
    from batch_rows
)

select * from standardized
