-- The model engine's settings as SQL functions, the business definitions of docs/warehouse.md
-- that more than one model uses (each written once, here), and the per-run reconciliation.

-- The run being built, and the cafe's local time zone: the model runner sets both per transaction.
create function etl.current_run_id() returns text
language sql stable as $$ select current_setting('paccafe.run_id', true) $$;

create function etl.local_time_zone() returns text
language sql stable as $$ select coalesce(nullif(current_setting('paccafe.timezone', true), ''), 'Asia/Jakarta') $$;

-- POS timestamps are already the cafe's local time; an extraction time (timestamptz) is not.
create function etl.local_time(p_instant timestamptz) returns timestamp
language sql stable as $$ select p_instant at time zone etl.local_time_zone() $$;

-- Calendar keys of a local timestamp: dim_date (yyyymmdd) and dim_time (hhmm).
create function warehouse.date_id(p_local timestamp) returns integer
language sql immutable as $$ select to_char(p_local, 'YYYYMMDD')::integer $$;

create function warehouse.time_id(p_local timestamp) returns integer
language sql immutable as $$ select extract(hour from p_local)::integer * 100 + extract(minute from p_local)::integer $$;

-- Movement sign: the reason decides the direction; the quantity's absolute value is used.
create function warehouse.movement_sign(p_reason text) returns integer
language sql immutable as $$
  select case p_reason when 'Restock' then 1 when 'Damaged' then -1 when 'Expired' then -1 end
$$;

-- A models-only run (paccafe models run) rebuilds models without extracting.
alter table etl.runs drop constraint runs_mode_check;
alter table etl.runs add constraint runs_mode_check check (mode in ('full', 'incremental', 'models'));

-- Cross-checks between the source (staging) and the warehouse after each run.
create table etl.reconciliation (
  run_id        text not null references etl.runs (run_id),
  check_name    text not null,
  source_value  numeric not null,
  rejected_value numeric not null,
  warehouse_value numeric not null,
  difference    numeric generated always as (source_value - rejected_value - warehouse_value) stored,
  checked_at    timestamptz not null default now(),
  primary key (run_id, check_name)
);

-- Rules and models look up an order's lines (orders_total_matches_lines, branch of an order).
create index order_details_order_idx on staging.order_details (order_id);

-- Rows a model removed (a published row whose new version was rejected).
alter table etl.steps add column rows_deleted integer;
