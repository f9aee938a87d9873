-- materialized: table
-- unique_key: time_id
-- grain: one minute of the local day, plus the unknown (-1) minute
--
-- Day parts as the cafe plans shifts: morning 06-11, lunch 11-14, afternoon 14-17,
-- evening 17-21, night otherwise.

with minutes as (
    select minute_of_day
    from generate_series(0, 24 * 60 - 1) as minute_of_day
)

select
    (minute_of_day / 60) * 100 + minute_of_day % 60     as time_id,
    minute_of_day / 60                                  as hour,
    minute_of_day % 60                                  as minute,
    case
        when minute_of_day / 60 between 6 and 10 then 'morning'
        when minute_of_day / 60 between 11 and 13 then 'lunch'
        when minute_of_day / 60 between 14 and 16 then 'afternoon'
        when minute_of_day / 60 between 17 and 20 then 'evening'
        else 'night'
    end                                                 as day_part
from minutes

union all

select -1, null, null, 'unknown'
