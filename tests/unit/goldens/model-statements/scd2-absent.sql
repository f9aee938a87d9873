-- scd2-absent

-- 1 of 8
create table "warehouse"."dim_products" as
       select null::uuid as "sk_product_id", "nk_product_id", "name", "price",
              null::timestamp as valid_from, null::timestamp as valid_to, null::boolean as is_current,
              null::text as _run_id
       from (
-- materialized: scd2
-- unique_key: nk_product_id
-- surrogate_key: sk_product_id
-- grain: one version of a product

select p.product_id as nk_product_id, p.name, p.price, p._extracted_at as changed_at
from clean.products as p
) as model_rows with no data;

-- 2 of 8
alter table "warehouse"."dim_products" alter column "nk_product_id" set not null;

-- 3 of 8
create unique index "dim_products__version" on "warehouse"."dim_products" ("nk_product_id", valid_from);

-- 4 of 8
create unique index "dim_products__current" on "warehouse"."dim_products" ("nk_product_id") where is_current;

-- 5 of 8
create index "dim_products__run_id" on "warehouse"."dim_products"
       using brin (_run_id) with (autosummarize = on);

-- 6 of 8, counts selected
create temporary table incoming on commit drop as
-- materialized: scd2
-- unique_key: nk_product_id
-- surrogate_key: sk_product_id
-- grain: one version of a product

select p.product_id as nk_product_id, p.name, p.price, p._extracted_at as changed_at
from clean.products as p;

-- 7 of 8, counts updated
update "warehouse"."dim_products" as t
       set valid_to = i.changed_at, is_current = false, _run_id = etl.current_run_id()
       from incoming as i
       where t."nk_product_id" = i."nk_product_id" and t.is_current and i.changed_at > t.valid_from
         and (t."name", t."price") is distinct from (i."name", i."price");

-- 8 of 8, counts inserted
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
