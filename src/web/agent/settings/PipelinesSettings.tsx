// Settings > Objects > Tickets pipelines. PLACEHOLDER: the tickets work replaces this file with
// the pipelines and their ordered stages (GET /api/v1/pipelines). Until then it says so.
//
// Props:
//   me: MeT — the signed-in user and account.
import type { MeT } from '../../../shared/api.ts';

export interface PipelinesSettingsProps {
  me: MeT;
}

export function PipelinesSettings({ me }: PipelinesSettingsProps) {
  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Tickets pipelines</h1>
          <p className="muted">Pipelines and stages that tickets in {me.account.name} move through.</p>
        </div>
      </header>
      <section className="card">
        <p className="muted">Ticket pipelines are not available in this version yet.</p>
      </section>
    </div>
  );
}
