-- A row's journey: everything the pipeline recorded about one source row, one line per event, in
-- the order it happened (docs/reprocessing.md, "A row's journey"; `paccafe journey` prints it).
-- The natural key is text as dq stores it: a POS table's key value ('1042'), a sheet's key
-- columns joined with '|' ('2024-03-01|Main|17').
--
--   select * from dq.row_journey('order_details', '1042');
--
-- Columns: seq (1, 2, ... in order), at (when it happened), event, run_id (the run it happened
-- in, when there is one), summary (one readable line), detail (the facts as JSON: all columns of
-- the record the event comes from; a request's also row_verdict, the row's verdict in its run).
--
-- | event               | from                                                                      | at           |
-- |---------------------|---------------------------------------------------------------------------|--------------|
-- | extracted           | dq.verdicts of a pos or sheets batch (etl.batches, etl.runs): staged      | batch start  |
-- | reprocessed         | the same, of a reprocess run's batch (staged rows validated again)        | batch start  |
-- | reloaded            | the same, of a reload run's batch                                         | batch start  |
-- | violation           | dq.violations of the row                                                  | detected_at  |
-- | quarantined         | the quarantine batch its reject and nullify violations belong to, and the | batch opened |
-- |                     | dq.quarantine_objects (those runs, the table, those rules) holding it     |              |
-- | corrected           | dq.corrections of the row                                                 | corrected_at |
-- | reprocess requested | dq.batch_requests of a batch holding the row whose selection names it (or | requested_at |
-- | discard requested   | is the whole batch), or whose run staged it; run_id: the reprocess run    |              |
-- | violation resolved  | a violation set reprocessed (resolved_in_run, resolved_by, the note)      | resolved_at  |
-- | discarded           | a violation set discarded                                                 | resolved_at  |
-- | correction retired  | the source holds another value: the source is the authority again         | retired_at   |
-- | published           | a publish verdict of a run that succeeded: the row is in the warehouse    | run finished |
-- | quarantine closed   | the quarantine batch closed (closed_by, close_reason)                     | closed_at    |
--
-- Events at the same instant (one transaction writes a run's violations and quarantine objects)
-- come in the order of a run's work: requests and corrections, staging, violations, quarantine,
-- resolutions, retired corrections, publication, closing. A row nothing recorded has no events.
create function dq.row_journey(p_table_name text, p_natural_key text)
returns table (seq integer, at timestamptz, event text, run_id text, summary text, detail jsonb)
language sql stable as $$
  with staged as (
    -- Every run that staged the row, with its verdict.
    select v.run_id, v.batch_id, v.verdict, v.nullified, v.fixed,
           b.source, b.mode as batch_mode, b.started_at as batch_started_at, b.finished_at as batch_finished_at,
           r.mode as run_mode, r.status as run_status, r.started_at as run_started_at,
           r.finished_at as run_finished_at,
           coalesce(b.mode, r.mode) as how
    from dq.verdicts as v
    left join etl.batches as b on b.batch_id = v.batch_id
    left join etl.runs as r on r.run_id = v.run_id
    where v.table_name = p_table_name and v.natural_key = p_natural_key
  ),
  found as (
    select v.*
    from dq.violations as v
    where v.table_name = p_table_name and v.natural_key = p_natural_key
  ),
  held as (
    -- The quarantine batches that hold the row (a violation of a run that opened none: that
    -- run), the rules it was held for and the runs that found it.
    select coalesce(f.quarantine_batch_id, f.run_id) as batch_id,
           array_agg(distinct f.rule_name) as rules,
           array_agg(distinct seen.run_id) filter (where seen.run_id is not null) as runs,
           min(f.detected_at) as first_detected_at
    from found as f
    cross join lateral (values (f.run_id), (f.last_seen_run_id)) as seen (run_id)
    where f.severity in ('reject', 'nullify')
    group by 1
  ),
  requests as (
    -- The requests of a batch that holds the row whose selection ({"<table>": ["<key>", ...]},
    -- none: the whole batch) names it, and those whose run staged it. The selection is read
    -- from to_jsonb(br), so that the function does not depend on how requests store it.
    select br.*,
           (select s.verdict from staged as s where s.run_id = br.run_id limit 1) as row_verdict
    from dq.batch_requests as br
    where (br.quarantine_batch_id in (select h.batch_id from held as h)
           and (to_jsonb(br) -> 'selection' is null
                or jsonb_typeof(to_jsonb(br) -> 'selection') = 'null'
                or (to_jsonb(br) -> 'selection' -> p_table_name) ? p_natural_key))
       or br.run_id in (select s.run_id from staged as s)
  ),
  events (at, event, stage, tiebreak, run_id, summary, detail) as (
    select coalesce(s.batch_started_at, s.run_started_at),
           case s.how when 'reprocess' then 'reprocessed' when 'reload' then 'reloaded' else 'extracted' end,
           2, s.batch_id, s.run_id,
           format('verdict %s; batch %s (%s, %s); %s run %s', s.verdict, s.batch_id,
                  coalesce(s.source, 'no batch record'), coalesce(s.batch_mode, '-'),
                  coalesce(s.run_mode, 'unrecorded'), coalesce(s.run_status, '-'))
             || case when s.nullified <> '{}' then format('; nullified %s', s.nullified) else '' end
             || case when s.fixed <> '{}' then format('; fixed %s', s.fixed) else '' end,
           jsonb_build_object('batch_id', s.batch_id, 'source', s.source, 'batch_mode', s.batch_mode,
                              'batch_started_at', s.batch_started_at, 'batch_finished_at', s.batch_finished_at,
                              'run_mode', s.run_mode, 'run_status', s.run_status,
                              'run_started_at', s.run_started_at, 'run_finished_at', s.run_finished_at,
                              'verdict', s.verdict, 'nullified', s.nullified, 'fixed', s.fixed)
    from staged as s

    union all
    select s.run_finished_at, 'published', 8, s.batch_id, s.run_id,
           format('into the warehouse by the %s run', s.run_mode)
             || case when s.nullified <> '{}' then format(', nullified %s', s.nullified) else '' end
             || case when s.fixed <> '{}' then format(', fixed %s', s.fixed) else '' end,
           jsonb_build_object('batch_id', s.batch_id, 'run_mode', s.run_mode,
                              'nullified', s.nullified, 'fixed', s.fixed)
    from staged as s
    where s.verdict = 'publish' and s.run_status = 'succeeded'

    union all
    select f.detected_at, 'violation', 3, f.rule_name || '|' || coalesce(f.column_name, ''), f.run_id,
           format('%s (%s): %s = %L; %s', f.rule_name, f.severity, coalesce(f.column_name, 'the row'),
                  f.offending_value, f.status)
             || case when f.corrected_value is not null then format('; fixed to %L', f.corrected_value) else '' end
             || case when f.last_seen_run_id <> f.run_id then format('; last seen in %s', f.last_seen_run_id)
                     else '' end,
           to_jsonb(f)
    from found as f

    union all
    select coalesce(q.created_at, o.first_created_at, h.first_detected_at), 'quarantined', 4, h.batch_id, h.batch_id,
           case when q.batch_id is null then 'no quarantine batch opened'
                else format('quarantine batch %s, %s, %s rows held, %s', q.batch_id, q.status, q.rows_held,
                            q.object_prefix) end
             || format('; objects: %s', coalesce(o.keys, 'none')),
           coalesce(to_jsonb(q), '{}')
             || jsonb_build_object('quarantine_batch_id', h.batch_id, 'rules', to_jsonb(h.rules),
                                   'objects', coalesce(o.objects, '[]'))
    from held as h
    left join dq.quarantine_batches as q on q.batch_id = h.batch_id
    left join lateral (
      select min(qo.created_at) as first_created_at,
             string_agg(qo.object_key, ', ' order by qo.object_key) as keys,
             jsonb_agg(to_jsonb(qo) order by qo.object_key) as objects
      from dq.quarantine_objects as qo
      where qo.table_name = p_table_name and qo.run_id = any(h.runs) and qo.rule_name = any(h.rules)
    ) as o on true
    where q.batch_id is not null or o.keys is not null

    union all
    select q.closed_at, 'quarantine closed', 9, q.batch_id, null,
           format('quarantine batch %s %s', q.batch_id, q.status)
             || case when q.closed_by is not null then format(' by %s', q.closed_by) else '' end
             || case when q.close_reason is not null then format(': %s', q.close_reason) else '' end,
           to_jsonb(q)
    from dq.quarantine_batches as q
    where q.batch_id in (select h.batch_id from held as h) and q.closed_at is not null

    union all
    select k.corrected_at, 'corrected', 1, k.column_name, null,
           format('%s: %L -> %L by %s (file %s)', k.column_name, k.source_value, k.corrected_value,
                  k.corrected_by, k.source_file),
           to_jsonb(k)
    from dq.corrections as k
    where k.table_name = p_table_name and k.natural_key = p_natural_key

    union all
    select k.retired_at, 'correction retired', 7, k.column_name, k.retired_in_run,
           format('%s: the correction to %L retired, the source holds %L (it held %L)', k.column_name,
                  k.corrected_value, k.retired_source_value, k.source_value),
           to_jsonb(k)
    from dq.corrections as k
    where k.table_name = p_table_name and k.natural_key = p_natural_key and k.retired_at is not null

    union all
    select br.requested_at, br.action || ' requested', 0, br.request_id, br.run_id,
           format('by %s, quarantine batch %s', br.requested_by, br.quarantine_batch_id)
             || case when br.from_source then ', from the source' else '' end
             || case when br.source_file is not null then format(', file %s', br.source_file) else '' end
             || case when br.reason is not null then format(': %s', br.reason) else '' end
             || case when br.row_verdict is not null then format('; the row''s verdict: %s', br.row_verdict)
                     when br.finished_at is null then '; not finished' else '' end,
           to_jsonb(br)
    from requests as br

    union all
    select f.resolved_at, case f.status when 'discarded' then 'discarded' else 'violation resolved' end, 6,
           f.rule_name || '|' || coalesce(f.column_name, ''), f.resolved_in_run,
           format('%s: %s', f.rule_name, f.status)
             || case when f.resolved_by is not null then format(' by %s', f.resolved_by) else '' end
             || case when f.resolution_note is not null then format(': %s', f.resolution_note) else '' end,
           to_jsonb(f)
    from found as f
    where f.status <> 'open'
  )
  select (row_number() over (order by e.at nulls last, e.stage, e.tiebreak))::integer,
         e.at, e.event, e.run_id, e.summary, e.detail
  from events as e
  order by e.at nulls last, e.stage, e.tiebreak
$$;
