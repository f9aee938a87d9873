-- Failed loads (docs/reprocessing.md, "Failed loads"): when a run fails for good, the rows each of
-- its batches had extracted are archived to the bucket before the run hands its rows back
-- (releaseFailedRun), so that they can be replayed later without reading the source again:
--   failed/run=<run id>/table=<table>/rows.jsonl    one JSON object of the source columns per row, by key
--   failed/run=<run id>/table=<table>/error.json    run, table, error, row count, sha256 of rows.jsonl
-- A sheet file that cannot be read at all is archived as it was (its original bytes):
--   failed/run=<run id>/table=<sheet>/<file name>             the file
--   failed/run=<run id>/table=<sheet>/<file name>.error.json  run, sheet, file, error, sha256 of the file
-- A reload run (etl.runs mode 'reload') stages a failed load's rows again, into a batch of its own
-- (etl.batches mode 'reload'), and marks the failed load reloaded.

create table etl.failed_loads (
  failed_load_id   text primary key,          -- <run id>.<table> (rows), <run id>.<sheet>/<file name> (a file)
  run_id           text not null references etl.runs (run_id),
  batch_id         text not null,             -- the failed run's batch of the table (<run id>.<table>)
  table_name       text not null,
  source           text not null check (source in ('pos', 'sheets')),
  kind             text not null check (kind in ('rows', 'file')),
  file_name        text,                      -- kind 'file': the file as ingestion names it (folder name or s3://...)
  object_key       text not null,             -- rows.jsonl, or the archived file
  error_key        text not null,             -- error.json
  rows_archived    integer,                   -- kind 'rows': lines of rows.jsonl; kind 'file': null (never read whole)
  bytes            bigint not null,
  checksum         text not null,             -- sha256 of the object at object_key
  error            text not null,
  status           text not null default 'open' check (status in ('open', 'reloaded', 'discarded')),
  created_at       timestamptz not null default now(),
  reloaded_in_run  text references etl.runs (run_id),
  reloaded_at      timestamptz,
  check ((status = 'reloaded') = (reloaded_in_run is not null))
);
create index failed_loads_run_idx on etl.failed_loads (run_id, table_name);
create index failed_loads_open_idx on etl.failed_loads (table_name) where status = 'open';
