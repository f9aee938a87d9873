-- One writer at a time: a run holds this lock from its first extract to its last publish.
create table etl.publish_lock (
  lock_name    text primary key,
  run_id       text not null,
  acquired_at  timestamptz not null default now()
);
