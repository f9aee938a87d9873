-- table-publishes

-- 1 of 2
truncate "clean"."numbers";

-- 2 of 2, counts inserted
insert into "clean"."numbers" ("n", "tens")
-- materialized: table
-- publishes: numbers
select n, n * 10 as tens from staging.numbers;
