/**
 * Record and replay in SQLite (schema 8): the `recordings` a run's model steps leave (agent API
 * exchanges, claude-code transcripts, the run's git base) and the `replays` rows that say which run
 * replayed which. Rows arrive already masked and capped (src/engine/recorder.ts).
 */
import type {StatementSync} from 'node:sqlite'

import type {NewRecording, NewReplay, RecordingRow, ReplayRow} from './types.js'

const now = (): string => new Date().toISOString()

export class RecordingQueries {
  constructor(private readonly stmt: (sql: string) => StatementSync) {}

  add(r: NewRecording): void {
    this.stmt(
      `INSERT INTO recordings (adw_id, step_row_id, step_id, iteration, item_index, attempt, turn, kind, request_hash, request, response, bytes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(r.adwId, r.stepRowId ?? null, r.stepId ?? null, r.iteration ?? 0, r.itemIndex ?? null, r.attempt ?? 1, r.turn ?? 0, r.kind, r.requestHash ?? null, r.request ?? null, r.response, r.bytes ?? r.response.length + (r.request?.length ?? 0), now())
  }

  list(adwId: string): RecordingRow[] {
    return this.stmt('SELECT * FROM recordings WHERE adw_id = ? ORDER BY id').all(adwId) as unknown as RecordingRow[]
  }

  addReplay(r: NewReplay): void {
    this.stmt(
      `INSERT INTO replays (adw_id, replay_of, divergences, served, live, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (adw_id) DO UPDATE SET divergences = excluded.divergences, served = excluded.served, live = excluded.live`,
    ).run(r.adwId, r.replayOf, r.divergences?.length ? JSON.stringify(r.divergences) : null, r.served ?? 0, r.live ?? 0, now())
  }

  getReplay(adwId: string): ReplayRow | undefined {
    return this.stmt('SELECT * FROM replays WHERE adw_id = ?').get(adwId) as ReplayRow | undefined
  }
}
