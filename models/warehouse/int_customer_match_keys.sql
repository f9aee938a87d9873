-- materialized: incremental
-- unique_key: nk_customer_id
-- previous_versions: kept
-- grain: one customer record, with the keys duplicate matching compares (docs/duplicate-customers.md)
--
-- Matching reads the customer's values as cleaned, before the nullify rules: an email that
-- fails the format check still says whose it is. A run keys the customers it staged; the first
-- build keys every customer the source holds, so that matching can be added to a warehouse that
-- earlier runs filled. The keys a run replaced are kept, so that matching can judge again the
-- pairs a customer's old keys had found.

with this_run as (
    select customer_id, first_name, last_name, email, phone, created_at
    from clean.customers
    where not etl.is_first_build()
),

-- Staging's values cleaned as clean.customers cleans them. The helpers would clean them too, but
-- with the cleanup in each branch PostgreSQL builds the first build's keys in parallel.
every_customer as (
    select
        customer_id,
        nullif(etl.trim_text(first_name), '')                  as first_name,
        nullif(etl.trim_text(last_name), '')                   as last_name,
        lower(nullif(etl.trim_text(email), ''))                as email,
        nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '')   as phone,
        created_at
    from staging.customers
    where etl.is_first_build()
),

customers as (
    select * from this_run
    union all
    select * from every_customer
),

keyed as (
    select
        customer_id,
        created_at,
        etl.match_name(first_name)                         as first_name,
        etl.match_name(last_name)                          as last_name,
        etl.match_phone(phone)                             as phone_key,
        etl.match_email_local(email)                       as email_local_key,
        nullif(split_part(email, '@', 2), '')              as email_domain
    from customers
)

select
    k.customer_id                                      as nk_customer_id,
    k.created_at,
    -- a nickname compares as the name it stands for ('bob' as 'robert')
    coalesce(nickname.canonical, k.first_name)         as first_name_key,
    k.last_name                                        as last_name_key,
    k.phone_key,
    k.email_local_key,
    k.email_domain
from keyed as k
left join etl.first_name_nicknames as nickname on nickname.nickname = k.first_name
