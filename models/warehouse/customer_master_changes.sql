-- materialized: incremental
-- unique_key: change_key
-- grain: one customer record whose merged customer (customer_master_id) a run changed
--
-- What duplicate grouping changed, run by run: a record whose group joined an older one takes
-- the older id ('joined an older group'); a record a pair no longer holds (a person declared
-- two records different people, or a record changed) takes its new group's oldest id ('left
-- its group'). A new record joining a group is not a change: it had no merged customer before.

select
    etl.current_run_id() || ':' || m.nk_customer_id                    as change_key,
    etl.current_run_id()                                               as run_id,
    m.nk_customer_id,
    p.customer_master_id                                               as previous_master_id,
    m.customer_master_id,
    case when m.customer_master_id < p.customer_master_id then 'joined an older group'
         else 'left its group' end                                     as change
from warehouse.int_customers as m
join warehouse.int_customers__previous as p
    on p.nk_customer_id = m.nk_customer_id and p._replaced_in = etl.current_run_id()
where m._run_id = etl.current_run_id()
  and m.customer_master_id <> p.customer_master_id
