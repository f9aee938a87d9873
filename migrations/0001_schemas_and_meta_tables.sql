-- The pipeline's schemas and the meta tables operators query (docs/warehouse.md, "Meta tables").
create extension if not exists "uuid-ossp" with schema public;

create schema if not exists staging;
create schema if not exists clean;
create schema if not exists dq;
create schema if not exists warehouse;
create schema if not exists marts;
create schema if not exists etl;

create table etl.runs (
  run_id       text primary key,
  workflow_id  text not null,
  mode         text not null check (mode in ('full', 'incremental')),
  started_at   timestamptz not null default now(),
  finished_at  timestamptz,
  status       text not null default 'running' check (status in ('running', 'succeeded', 'failed')),
  error        text
);

-- One extraction of one source table: the unit that staging rows point at through _batch_id.
create table etl.batches (
  batch_id         text primary key,
  run_id           text not null references etl.runs (run_id),
  table_name       text not null,
  source           text not null,
  mode             text not null check (mode in ('full', 'incremental')),
  status           text not null default 'loading' check (status in ('loading', 'staged')),
  extracted_from   timestamp,           -- incremental: created_at lower bound used (overlap included)
  rows_read        integer not null default 0,
  rows_inserted    integer not null default 0,
  rows_updated     integer not null default 0,
  rows_unchanged   integer not null default 0,
  rows_deleted     integer not null default 0,
  started_at       timestamptz not null default now(),
  finished_at      timestamptz,
  unique (run_id, table_name)
);

create table etl.steps (
  run_id            text not null references etl.runs (run_id),
  step              text not null,
  table_name        text not null default '',
  rows_in           integer,
  rows_out          integer,
  rows_inserted     integer,
  rows_updated      integer,
  rows_unchanged    integer,
  rows_quarantined  integer,
  status            text not null check (status in ('running', 'succeeded', 'failed')),
  error             text,
  started_at        timestamptz not null default now(),
  duration_ms       integer,
  primary key (run_id, step, table_name)
);

create table etl.watermarks (
  table_name       text primary key,
  high_water_mark  timestamp,
  last_batch_id    text,
  updated_at       timestamptz not null default now()
);

create table etl.row_accounting (
  run_id          text not null references etl.runs (run_id),
  table_name      text not null,
  rows_extracted  integer not null,
  rows_published  integer not null,
  rows_rejected   integer not null,
  rows_deleted    integer not null default 0,
  difference      integer generated always as (rows_extracted - rows_published - rows_rejected) stored,
  primary key (run_id, table_name)
);

-- The rule catalogue as last loaded from the rule files beside the models.
create table dq.rules (
  rule_name    text primary key,
  table_name   text not null,
  column_name  text,
  severity     text not null check (severity in ('reject', 'nullify', 'warn', 'fix')),
  check_sql    text not null,
  replacement  jsonb,
  description  text not null,
  updated_at   timestamptz not null default now()
);

create table dq.verdicts (
  run_id       text not null,
  batch_id     text not null,
  table_name   text not null,
  natural_key  text not null,
  verdict      text not null check (verdict in ('publish', 'reject')),
  nullified    jsonb not null default '{}',
  fixed        jsonb not null default '{}',
  primary key (batch_id, table_name, natural_key)
);
create index verdicts_run_idx on dq.verdicts (run_id, table_name);

create table dq.violations (
  violation_id     bigint generated always as identity primary key,
  run_id           text not null,
  batch_id         text not null,
  table_name       text not null,
  natural_key      text not null,
  column_name      text,
  rule_name        text not null,
  severity         text not null check (severity in ('reject', 'nullify', 'warn', 'fix')),
  offending_value  text,
  corrected_value  text,
  row_hash         text not null,
  detected_at      timestamptz not null default now(),
  status           text not null default 'open' check (status in ('open', 'reprocessed', 'discarded')),
  resolved_at      timestamptz,
  resolved_by      text,
  resolution_note  text,
  -- the same unchanged row seen again by a later run is not recorded twice
  unique (table_name, natural_key, rule_name, row_hash)
);
create index violations_run_idx on dq.violations (run_id, table_name, rule_name);

create table dq.rule_results (
  run_id        text not null,
  rule_name     text not null,
  table_name    text not null,
  rows_checked  integer not null,
  rows_failed   integer not null,
  passed        boolean not null,
  primary key (run_id, rule_name, table_name)
);

create table dq.quarantine_objects (
  object_key  text primary key,
  run_id      text not null,
  batch_id    text not null,
  table_name  text not null,
  rule_name   text not null,
  row_count   integer not null,
  checksum    text not null,
  status      text not null default 'open' check (status in ('open', 'reprocessed', 'discarded')),
  created_at  timestamptz not null default now()
);
create index quarantine_objects_run_idx on dq.quarantine_objects (run_id, table_name);
