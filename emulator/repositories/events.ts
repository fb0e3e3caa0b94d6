import type { Db } from "../db/database";

export interface IncomingEvent {
  event: string;
  distinctId: string | null;
}

export class EventRepository {
  constructor(private readonly db: Db) {}

  insertMany(projectId: number, events: IncomingEvent[]): void {
    const insert = this.db.prepare(
      "INSERT INTO events (project_id, event, distinct_id, received_at) VALUES (?, ?, ?, ?)",
    );
    const now = new Date().toISOString();
    for (const e of events) insert.run(projectId, e.event, e.distinctId, now);
  }

  countsByProject(): { project_id: number; events: number }[] {
    return this.db
      .prepare(
        "SELECT p.id AS project_id, COUNT(e.id) AS events FROM projects p LEFT JOIN events e ON e.project_id = p.id GROUP BY p.id ORDER BY p.id",
      )
      .all() as { project_id: number; events: number }[];
  }

  countForProject(projectId: number): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?").get(projectId) as { n: number }
    ).n;
  }
}
