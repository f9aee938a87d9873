-- scd2-present

-- 1 of 3, counts selected
create temporary table incoming on commit drop as
-- materialized: scd2
-- unique_key: nk_product_id
-- surrogate_key: sk_product_id
-- grain: one version of a product

select p.product_id as nk_product_id, p.name, p.price, p._extracted_at as changed_at
from clean.products as p;

-- 2 of 3, counts updated
update "warehouse"."dim_products" as t
       set valid_to = i.changed_at, is_current = false, _run_id = etl.current_run_id()
       from incoming as i
       where t."nk_product_id" = i."nk_product_id" and t.is_current and i.changed_at > t.valid_from
         and (t."name", t."price") is distinct from (i."name", i."price");

-- 3 of 3, counts inserted
insert into "warehouse"."dim_products" ("sk_product_id", "nk_product_id", "name", "price", valid_from, valid_to, is_current, _run_id)
     select warehouse.surrogate_key('dim_products', i."nk_product_id"::text || '|' || i.valid_from::text),
            i."nk_product_id", i."name", i."price", i.valid_from, 'infinity', true, etl.current_run_id()
     from (
       select incoming.*,
              case when exists (select 1 from "warehouse"."dim_products" as v where v."nk_product_id" = incoming."nk_product_id")
                   then incoming.changed_at else '-infinity'::timestamp end as valid_from
       from incoming
       where not exists (select 1 from "warehouse"."dim_products" as c where c."nk_product_id" = incoming."nk_product_id" and c.is_current)
     ) as i;
