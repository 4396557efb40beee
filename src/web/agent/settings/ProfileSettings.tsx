// Settings > Your preferences > Profile: the signed-in user's first and last name (shown to the
// team, and to customers in the From name) and their availability. Available or Away is set by
// the agent; automatic assignment with "Assign to available users only" skips users who are
// away. Saves through PATCH /api/v1/me.
//
// Props:
//   user: UserT — the signed-in user.
//   onChanged?: () => void — called after saving, so /me refetches.
import { useEffect, useState, type FormEvent } from 'react';
import type { UserT } from '../../../shared/api.ts';
import { errorMessage, request } from '../api/client.ts';
import { useRefresh } from '../api/queries.ts';
import { Switch } from '../ui/Switch.tsx';
import './access.css';

export interface ProfileSettingsProps {
  user: UserT;
  onChanged?: () => void;
}

const ROLE: Record<string, string> = { super_admin: 'Super admin', admin: 'Admin', agent: 'Agent' };

export function ProfileSettings({ user, onChanged }: ProfileSettingsProps) {
  const refresh = useRefresh();
  const [firstName, setFirstName] = useState(user.firstName);
  const [lastName, setLastName] = useState(user.lastName);
  const [availability, setAvailability] = useState(user.availability);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    setFirstName(user.firstName);
    setLastName(user.lastName);
    setAvailability(user.availability);
  }, [user.id, user.firstName, user.lastName, user.availability]);

  const changed = () => {
    void refresh.me();
    void refresh.users();
    onChanged?.();
  };

  async function saveName(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    setError(null);
    setSaved(null);
    try {
      await request<UserT>('PATCH', '/me', { firstName, lastName });
      setSaved('Profile saved.');
      changed();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  }

  async function setAvailable(on: boolean) {
    const next = on ? 'available' : 'away';
    setAvailability(next);
    setError(null);
    setSaved(null);
    try {
      await request<UserT>('PATCH', '/me', { availability: next });
      setSaved(on ? 'You are available.' : 'You are away.');
      changed();
    } catch (err) {
      setAvailability(user.availability);
      setError(errorMessage(err));
    }
  }

  const nameDirty = firstName.trim() !== user.firstName || lastName.trim() !== user.lastName;
  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Profile</h1>
          <p className="muted">How you appear to your team and to customers.</p>
        </div>
      </header>
      <section className="card">
        <h2 className="small muted">Availability</h2>
        <div className="availability">
          <span className={availability === 'available' ? 'availability-dot on' : 'availability-dot'} aria-hidden="true" />
          <Switch label="Available" checked={availability === 'available'} onChange={(on) => void setAvailable(on)} />
          <span>
            <strong>{availability === 'available' ? 'Available' : 'Away'}</strong>
            <span className="muted small block">
              {availability === 'available'
                ? 'You can be assigned incoming conversations automatically.'
                : 'Inboxes that assign to available users only will skip you until you are back.'}
            </span>
          </span>
        </div>
      </section>
      <section className="card">
        <form className="form" onSubmit={saveName} aria-label="Profile">
          <div className="field-row">
            <div className="field">
              <label htmlFor="profile-first">First name</label>
              <input id="profile-first" required maxLength={100} value={firstName} onChange={(e) => setFirstName(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="profile-last">Last name</label>
              <input id="profile-last" maxLength={100} value={lastName} onChange={(e) => setLastName(e.target.value)} />
            </div>
          </div>
          <dl className="facts facts-wide">
            <dt>Email</dt>
            <dd>{user.email}</dd>
            <dt>Role</dt>
            <dd>{ROLE[user.role] ?? user.role}</dd>
            <dt>Seat</dt>
            <dd>{user.seat === 'paid' ? 'Paid seat' : 'Free seat'}</dd>
          </dl>
          {error && (
            <p className="alert alert-error" role="alert">
              {error}
            </p>
          )}
          {saved && (
            <p className="alert alert-success" role="status">
              {saved}
            </p>
          )}
          <div>
            <button type="submit" className="button button-primary" disabled={saving || !nameDirty || !firstName.trim()}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}
