-- table-replacing-view

-- 1 of 2
drop view "clean"."numbers" cascade;

-- 2 of 2, counts inserted
create table "clean"."numbers" as
-- materialized: table
select n, n * 10 as tens from staging.numbers;
