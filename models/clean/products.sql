-- materialized: table
-- unique_key: natural_key
-- grain: one product row of this run's batches (new or changed at the source)
--
-- Cleanup only: prices arrive as text such as '$47.00' or '$-3.00', in_stock as Yes or No;
-- they are parsed here (NULL when the text is not a price that fits, or not Yes or No) and the
-- text is kept so a rule can show it.

with batch_rows as (
    select *
    from staging.products
    where _batch_id = any(etl.run_batch_ids('products'))
),

standardized as (
    select
        product_id,
        etl.trim_text(product_name)       as product_name,
        etl.trim_text(category)           as category,
        etl.trim_text(unit_price)         as unit_price_text,
        etl.trim_text(cost_price)         as cost_price_text,
        etl.trim_text(in_stock)           as in_stock_text,
        etl.parse_price(unit_price)       as unit_price,
        etl.parse_price(cost_price)       as cost_price,
        etl.parse_yes_no(in_stock)        as in_stock,
        etl.normalize_name(store_branch)  as store_branch,
        created_at,
        product_id::text                  as natural_key,
        _row_hash                         as row_hash,
        _extracted_at                     as extracted_at
    from batch_rows
)

select * from standardized
