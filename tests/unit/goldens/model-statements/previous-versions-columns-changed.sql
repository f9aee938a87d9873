-- previous-versions-columns-changed

-- 1 of 9
create unique index if not exists "orders__unique_key" on "warehouse"."orders" ("order_id");

-- 2 of 9
create index if not exists "orders__run_id" on "warehouse"."orders"
       using brin (_run_id) with (autosummarize = on);

-- 3 of 9
create index if not exists "orders__customer" on "warehouse"."orders" ("customer");

-- 4 of 9
drop table if exists "warehouse"."orders__previous";

-- 5 of 9
create table "warehouse"."orders__previous" (like "warehouse"."orders", _replaced_in text);

-- 6 of 9
create index "orders__previous__replaced_in" on "warehouse"."orders__previous" (_replaced_in);

-- 7 of 9, counts merge
with model_rows as (
-- materialized: incremental
-- unique_key: order_id
-- publishes: orders
-- previous_versions: kept
-- refresh: region from warehouse.regions by customer

select o.order_id, o.customer, o.amount, r.region
from staging.order_rows as o
left join warehouse.regions as r on r.customer = o.customer
where o.run_id = etl.current_run_id()
),
     previous as (
       insert into "warehouse"."orders__previous" ("order_id", "customer", "amount", "region", _run_id, _replaced_in)
       select * from (select t."order_id", t."customer", t."amount", t."region", t._run_id, etl.current_run_id() as _replaced_in from model_rows as m
       cross join lateral (select * from "warehouse"."orders" where "order_id" = m."order_id" limit 1) as t
       where (t."customer", t."amount", t."region") is distinct from (m."customer", m."amount", m."region")) as v
       where not exists (select 1 from "warehouse"."orders__previous" as p
                         where p._replaced_in = etl.current_run_id() and p."order_id" = v."order_id")
     ),
     merged as (
       insert into "warehouse"."orders" as t ("order_id", "customer", "amount", "region", _run_id)
       select "order_id", "customer", "amount", "region", etl.current_run_id() from model_rows
       on conflict ("order_id") do update
         set "customer" = excluded."customer", "amount" = excluded."amount", "region" = excluded."region", "_run_id" = excluded."_run_id"
         where (t."customer", t."amount", t."region") is distinct from (excluded."customer", excluded."amount", excluded."region")
       returning (xmax = 0) as inserted
     )
     select (select count(*) from model_rows)::int as selected,
            count(*) filter (where inserted)::int as inserted,
            count(*) filter (where not inserted)::int as updated
     from merged;

-- 8 of 9, counts deleted
with removed as (
delete from "warehouse"."orders" as t
           where t."order_id" in (
             select v.natural_key::integer from dq.verdicts as v
             where v.run_id = etl.current_run_id() and v.table_name = 'orders' and v.verdict = 'reject')
 returning t.*)
insert into "warehouse"."orders__previous" ("order_id", "customer", "amount", "region", _run_id, _replaced_in)
       select * from (select t."order_id", t."customer", t."amount", t."region", t._run_id, etl.current_run_id() as _replaced_in from removed as t) as v
       where not exists (select 1 from "warehouse"."orders__previous" as p
                         where p._replaced_in = etl.current_run_id() and p."order_id" = v."order_id");

-- 9 of 9, counts updated
with previous as (
insert into "warehouse"."orders__previous" ("order_id", "customer", "amount", "region", _run_id, _replaced_in)
       select * from (select t."order_id", t."customer", t."amount", t."region", t._run_id, etl.current_run_id() as _replaced_in from "warehouse"."orders" as t, warehouse.regions as s
where s."customer" = t."customer" and s._run_id = etl.current_run_id()
           and (t."region") is distinct from (s."region")) as v
       where not exists (select 1 from "warehouse"."orders__previous" as p
                         where p._replaced_in = etl.current_run_id() and p."order_id" = v."order_id")
)
update "warehouse"."orders" as t
         set "region" = s."region", _run_id = etl.current_run_id()
         from warehouse.regions as s
         where s."customer" = t."customer" and s._run_id = etl.current_run_id()
           and (t."region") is distinct from (s."region");
