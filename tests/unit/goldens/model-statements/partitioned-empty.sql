-- partitioned-empty

-- 1 of 4
select set_config('paccafe.first_build', 'on', true);

-- 2 of 4
alter table "warehouse"."daily_totals" alter column "block" set not null;

-- 3 of 4, counts inserted
insert into "warehouse"."daily_totals" ("block", "day", "amount", _run_id)
       select "block", "day", "amount", etl.current_run_id() from (
-- materialized: incremental
-- partition_by: block

select id / 10 as block, day, sum(amount)::integer as amount
from staging.sales
where etl.is_first_build() or _run_id = etl.current_run_id()
group by 1, 2
) as model_rows;

-- 4 of 4
create index if not exists "daily_totals__partition" on "warehouse"."daily_totals" ("block");
