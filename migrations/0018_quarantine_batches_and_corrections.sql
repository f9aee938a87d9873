-- Reprocessing (docs/reprocessing.md): the rows a run held back or nullified form its quarantine
-- batch; a person corrects them (corrections are data, applied by the clean models) or discards
-- them; a reprocess is a run of its own (mode 'reprocess') that sends the batch's rows through
-- the clean, validation and publish models again.

alter table etl.runs drop constraint runs_mode_check;
alter table etl.runs add constraint runs_mode_check
  check (mode in ('full', 'incremental', 'models', 'reprocess', 'reload'));

-- A reprocess stages no new source rows: it sends staged rows on again (rows_resubmitted).
alter table etl.batches drop constraint batches_mode_check;
alter table etl.batches add constraint batches_mode_check
  check (mode in ('full', 'incremental', 'reprocess', 'reload'));
alter table etl.batches add column rows_resubmitted integer not null default 0;

-- One batch per run that held rows back: opened when the run succeeds, closed when none of its
-- violations is open any more.
create table dq.quarantine_batches (
  batch_id       text primary key,                -- the run id of the run that quarantined the rows
  workflow_id    text not null,                   -- paccafe-quarantine-<run id>
  status         text not null default 'open'
                 check (status in ('open', 'reprocessing', 'reprocessed', 'partly_reprocessed', 'discarded')),
  object_prefix  text not null,                   -- quarantine/run=<run id>/
  rows_held      integer not null,                -- distinct (table, natural key) held back or nullified
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  closed_at      timestamptz,
  closed_by      text,
  close_reason   text
);

-- A violation belongs to the quarantine batch of the run that found it (reject and nullify
-- rules only); last_seen_run_id is the last run whose validation found it again.
alter table dq.violations add column quarantine_batch_id text;
alter table dq.violations add column last_seen_run_id text;
alter table dq.violations add column resolved_in_run text;
update dq.violations set last_seen_run_id = run_id;
update dq.violations set quarantine_batch_id = run_id where severity in ('reject', 'nullify');
create index violations_quarantine_batch_idx on dq.violations (quarantine_batch_id, table_name, natural_key)
  where quarantine_batch_id is not null;
create index violations_last_seen_idx on dq.violations (last_seen_run_id, table_name);

-- A correction replaces the source's value of one column of one row, while the source still
-- holds the value it replaced; when the source holds another value, the source is the
-- authority again and the correction is retired.
create table dq.corrections (
  correction_id         bigint generated always as identity primary key,
  table_name            text not null,
  natural_key           text not null,
  column_name           text not null,
  source_value          text,              -- the source's value it replaces, as text
  corrected_value       text,
  quarantine_batch_id   text not null references dq.quarantine_batches (batch_id),
  source_file           text not null,     -- the object key of the corrected CSV
  corrected_by          text not null,
  corrected_at          timestamptz not null default now(),
  retired_at            timestamptz,
  retired_in_run        text,
  retired_source_value  text               -- what the source held when it was retired
);
create unique index corrections_active_key on dq.corrections (table_name, natural_key, column_name)
  where retired_at is null;

-- One reprocess (or discard) asked of a batch; a request repeated finds its row and its outcome.
create table dq.batch_requests (
  request_id            text primary key,  -- a fingerprint of the batch, the action and its arguments
  quarantine_batch_id   text not null references dq.quarantine_batches (batch_id),
  action                text not null check (action in ('reprocess', 'discard')),
  run_id                text,              -- the reprocess run
  selection             jsonb,             -- {"<table>": ["<natural key>", ...]}: the rows it sends again
  source_file           text,
  from_source           boolean not null default false,
  requested_by          text not null,
  reason                text,
  requested_at          timestamptz not null default now(),
  finished_at           timestamptz,
  rows_submitted        integer,
  rows_published        integer,
  rows_still_rejected   integer,
  rows_still_nullified  integer,
  rows_discarded        integer,
  violations_discarded  integer
);

-- The active corrections of a table, one row per natural key with its corrected columns as a
-- JSON object of column -> text; the clean models join it on the natural key.
create function dq.run_corrections(p_table_name text)
returns table (natural_key text, corrected jsonb)
language sql stable parallel safe as $$
  select k.natural_key, jsonb_object_agg(k.column_name, k.corrected_value)
  from dq.corrections as k
  where k.table_name = p_table_name and k.retired_at is null
  group by k.natural_key
$$;

-- A column's value after corrections: the corrected value when there is one, else the value.
-- One plain SQL function per column type, so that PostgreSQL inlines it (as dq.verdict_value).
create function dq.corrected(p_corrected jsonb, p_column text, p_value text) returns text
language sql immutable parallel safe as $$
  select case when p_corrected ? p_column then p_corrected ->> p_column else p_value end
$$;

create function dq.corrected(p_corrected jsonb, p_column text, p_value integer) returns integer
language sql immutable parallel safe as $$
  select case when p_corrected ? p_column then (p_corrected ->> p_column)::integer else p_value end
$$;

create function dq.corrected(p_corrected jsonb, p_column text, p_value numeric) returns numeric
language sql immutable parallel safe as $$
  select case when p_corrected ? p_column then (p_corrected ->> p_column)::numeric else p_value end
$$;

create function dq.corrected(p_corrected jsonb, p_column text, p_value date) returns date
language sql immutable parallel safe as $$
  select case when p_corrected ? p_column then (p_corrected ->> p_column)::date else p_value end
$$;

create function dq.corrected(p_corrected jsonb, p_column text, p_value timestamp) returns timestamp
language sql immutable parallel safe as $$
  select case when p_corrected ? p_column then (p_corrected ->> p_column)::timestamp else p_value end
$$;

-- A corrected row is another row: its hash covers the corrections, so a corrected row that
-- still fails a rule is a new violation.
create function dq.corrected_row_hash(p_row_hash text, p_corrected jsonb) returns text
language sql immutable parallel safe as $$
  select case when p_corrected is null then p_row_hash else md5(p_row_hash || p_corrected::text) end
$$;

-- Whether a corrected cell's text is a value of a staging column's type (format_type's name).
-- A cast to varchar(n) truncates and one to numeric(p, s) rounds instead of failing: both count
-- as not parsing, so a correction is never changed on its way in.
create function etl.text_parses_as(p_value text, p_type text) returns boolean
language plpgsql immutable as $$
declare
  v_cast text;
begin
  execute format('select ($1)::%s::text', p_type) into v_cast using p_value;
  return case
    when p_type like 'numeric%' then v_cast::numeric = p_value::numeric
    when p_type like 'character%' then v_cast = p_value
    else true
  end;
exception when others then
  return false;
end
$$;

