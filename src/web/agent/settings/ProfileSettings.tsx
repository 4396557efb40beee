// Settings > Your preferences > Profile. PLACEHOLDER: the availability work replaces this file
// (edit name, set available/away). Until then it shows the signed-in user read-only.
//
// Props:
//   user: UserT — the signed-in user.
//   onChanged?: () => void — call after saving, so /me refetches.
import type { UserT } from '../../../shared/api.ts';

export interface ProfileSettingsProps {
  user: UserT;
  onChanged?: () => void;
}

const ROLE: Record<string, string> = { super_admin: 'Super admin', admin: 'Admin', agent: 'Agent' };

export function ProfileSettings({ user }: ProfileSettingsProps) {
  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Profile</h1>
          <p className="muted">How you appear to your team and to customers.</p>
        </div>
      </header>
      <section className="card">
        <dl className="facts facts-wide">
          <dt>First name</dt>
          <dd>{user.firstName || '—'}</dd>
          <dt>Last name</dt>
          <dd>{user.lastName || '—'}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>{ROLE[user.role] ?? user.role}</dd>
          <dt>Availability</dt>
          <dd>{user.availability === 'available' ? 'Available' : 'Away'}</dd>
        </dl>
      </section>
    </div>
  );
}
