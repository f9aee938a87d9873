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

-- A correction accepted from a quarantine batch (dq.corrections) takes the place of the
-- source's value, and the row's hash covers it (docs/reprocessing.md). Lengths and scales are
-- cast back: dq.corrected returns its type without them.
corrected_rows as (
    select
        b.product_id,
        dq.corrected(k.corrected, 'product_name', b.product_name)::character varying(100)  as product_name,
        dq.corrected(k.corrected, 'category', b.category)::character varying(50)           as category,
        dq.corrected(k.corrected, 'unit_price', b.unit_price)                              as unit_price,
        dq.corrected(k.corrected, 'cost_price', b.cost_price)                              as cost_price,
        dq.corrected(k.corrected, 'in_stock', b.in_stock)                                  as in_stock,
        dq.corrected(k.corrected, 'store_branch', b.store_branch)                          as store_branch,
        dq.corrected(k.corrected, 'created_at', b.created_at)                              as created_at,
        b._extracted_at,
        dq.corrected_row_hash(b._row_hash, k.corrected)                                    as _row_hash
    from batch_rows as b
    left join dq.run_corrections('products') as k on k.natural_key = b.product_id::text
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
    from corrected_rows
)

select * from standardized
