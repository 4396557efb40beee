// Settings > Users & Teams > Users. PLACEHOLDER: the users work replaces this file (invite,
// roles, seats). Until then it lists the account's users read-only (GET /api/v1/users).
//
// Props:
//   me: MeT — the signed-in user and account (admins may manage users).
import type { MeT } from '../../../shared/api.ts';
import { useUsers } from '../api/queries.ts';
import { errorMessage } from '../api/client.ts';

export interface UsersSettingsProps {
  me: MeT;
}

const ROLE: Record<string, string> = { super_admin: 'Super admin', admin: 'Admin', agent: 'Agent' };

export function UsersSettings({ me }: UsersSettingsProps) {
  const users = useUsers();
  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Users</h1>
          <p className="muted">Everyone in {me.account.name}.</p>
        </div>
      </header>
      <section className="card">
        {users.isPending && <p className="muted">Loading users…</p>}
        {users.isError && <p className="alert alert-error">{errorMessage(users.error)}</p>}
        {users.data && (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Seat</th>
                <th>Availability</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td>{u.fullName || '—'}</td>
                  <td>{u.email}</td>
                  <td>{ROLE[u.role] ?? u.role}</td>
                  <td>{u.seat === 'paid' ? 'Paid' : 'Free'}</td>
                  <td>{u.availability === 'available' ? 'Available' : 'Away'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
