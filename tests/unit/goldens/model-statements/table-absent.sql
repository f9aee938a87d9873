-- table-absent

-- 1 of 1, counts inserted
create table "clean"."numbers" as
-- materialized: table
-- grain: one number
select n, n * 10 as tens from staging.numbers;
