// Settings > Users & Teams > Teams. PLACEHOLDER: the teams work replaces this file (create,
// members). Until then it lists the teams and their members read-only (GET /api/v1/teams).
//
// Props:
//   me: MeT — the signed-in user and account.
import type { MeT } from '../../../shared/api.ts';
import { useTeams, useUsers } from '../api/queries.ts';
import { errorMessage } from '../api/client.ts';

export interface TeamsSettingsProps {
  me: MeT;
}

export function TeamsSettings({ me }: TeamsSettingsProps) {
  const teams = useTeams();
  const users = useUsers();
  const nameOf = (id: string) => {
    const u = users.data?.find((x) => x.id === id);
    return u ? u.fullName || u.email : 'Unknown user';
  };
  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Teams</h1>
          <p className="muted">Teams in {me.account.name}.</p>
        </div>
      </header>
      <section className="card">
        {teams.isPending && <p className="muted">Loading teams…</p>}
        {teams.isError && <p className="alert alert-error">{errorMessage(teams.error)}</p>}
        {teams.data && teams.data.length === 0 && <p className="muted">No teams yet.</p>}
        {teams.data && teams.data.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th>Team</th>
                <th>Members</th>
              </tr>
            </thead>
            <tbody>
              {teams.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.memberIds.length ? t.memberIds.map(nameOf).join(', ') : 'No members'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
