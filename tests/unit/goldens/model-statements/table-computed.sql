-- table-computed

-- 1 of 2
truncate "clean"."numbers";

-- 2 of 2, counts inserted
insert into "clean"."numbers" ("n", "tens", "hundreds")
select model_rows.*, (tens * 10)::int as "hundreds"
from (
-- materialized: table
-- computed: hundreds int = tens * 10
select n, n * 10 as tens from staging.numbers
) as model_rows;
