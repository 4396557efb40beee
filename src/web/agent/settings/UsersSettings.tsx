// Settings > Users & Teams > Users: the account's users with role, seat and teams. Admins add a
// user (email, name, role, seat, teams; POST /api/v1/users) and change a user's role, seat, teams
// and name (PATCH /api/v1/users/{id}); everyone else sees the list read-only. Seats matter for
// automatic assignment: only paid seats are ever assigned conversations automatically.
//
// Props:
//   me: MeT — the signed-in user and account (admins may manage users).
import { canManageSettings } from '../../../shared/roles.ts';
import { useState, type FormEvent } from 'react';
import type { MeT, UserT } from '../../../shared/api.ts';
import { useRefresh, useTeams, useUsers } from '../api/queries.ts';
import { errorMessage, request } from '../api/client.ts';
import { useSave } from '../ui/useSave.ts';
import { DeactivateUserDialog, DeactivatedUsers } from './UserDeactivation.tsx';
import { FormDialog } from '../ui/FormDialog.tsx';
import './access.css';

export interface UsersSettingsProps {
  me: MeT;
}

type Role = UserT['role'];
type Seat = UserT['seat'];
const ROLE: Record<Role, string> = { super_admin: 'Super admin', admin: 'Admin', agent: 'Agent' };
const SEAT: Record<Seat, string> = { paid: 'Paid seat', free: 'Free seat' };

interface Draft {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  role: Role;
  seat: Seat;
  teamIds: string[];
}

const blank: Draft = { email: '', password: '', firstName: '', lastName: '', role: 'agent', seat: 'paid', teamIds: [] };

function UserDialog({ me, user, open, onClose, onSaved }: { me: MeT; user: UserT | null; open: boolean; onClose: () => void; onSaved: () => void }) {
  const teams = useTeams();
  const [draft, setDraft] = useState<Draft>(blank);
  const { saving, error, run, reset } = useSave();
  const [shownFor, setShownFor] = useState<string | null | undefined>(undefined);
  // Reset the form whenever the dialog opens for a (different) user.
  const key = open ? (user?.id ?? 'new') : undefined;
  if (key !== shownFor) {
    setShownFor(key);
    reset();
    setDraft(user ? { email: user.email, password: '', firstName: user.firstName, lastName: user.lastName, role: user.role, seat: user.seat, teamIds: user.teamIds } : blank);
  }
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const roles: Role[] = me.user.role === 'super_admin' ? ['agent', 'admin', 'super_admin'] : ['agent', 'admin'];

  async function submit(e: FormEvent) {
    e.preventDefault();
    const ok = await run(async () => {
      if (user) {
        const patch: Record<string, unknown> = {};
        if (draft.firstName.trim() !== user.firstName) patch.firstName = draft.firstName;
        if (draft.lastName.trim() !== user.lastName) patch.lastName = draft.lastName;
        if (draft.role !== user.role) patch.role = draft.role;
        if (draft.seat !== user.seat) patch.seat = draft.seat;
        if ([...draft.teamIds].sort().join() !== [...user.teamIds].sort().join()) patch.teamIds = draft.teamIds;
        if (Object.keys(patch).length) await request<UserT>('PATCH', `/users/${encodeURIComponent(user.id)}`, patch);
      } else {
        await request<UserT>('POST', '/users', {
          email: draft.email,
          ...(draft.password ? { password: draft.password } : {}),
          ...(draft.firstName.trim() ? { firstName: draft.firstName } : {}),
          ...(draft.lastName.trim() ? { lastName: draft.lastName } : {}),
          role: draft.role,
          seat: draft.seat,
          teamIds: draft.teamIds,
        });
      }
    });
    if (!ok) return;
    onSaved();
    onClose();
  }

  const fieldId = user ? `user-${user.id}` : 'user-new';
  const disabled = me.user.role !== 'super_admin' && user?.role === 'super_admin';
  return (
    <FormDialog
      title={user ? `Edit ${user.fullName || user.email}` : 'Add user'}
      open={open}
      onClose={onClose}
      onSubmit={(e) => void submit(e)}
      submitLabel={user ? 'Save' : 'Add user'}
      saving={saving}
      disabled={disabled}
      error={error}
    >
        {!user && (
          <div className="field">
            <label htmlFor={`${fieldId}-email`}>Email</label>
            <input id={`${fieldId}-email`} type="email" required value={draft.email} onChange={(e) => set('email', e.target.value)} />
          </div>
        )}
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${fieldId}-first`}>First name</label>
            <input id={`${fieldId}-first`} value={draft.firstName} onChange={(e) => set('firstName', e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor={`${fieldId}-last`}>Last name</label>
            <input id={`${fieldId}-last`} value={draft.lastName} onChange={(e) => set('lastName', e.target.value)} />
          </div>
        </div>
        {!user && (
          <div className="field">
            <label htmlFor={`${fieldId}-password`}>Password</label>
            <input id={`${fieldId}-password`} type="password" minLength={8} autoComplete="new-password" value={draft.password} onChange={(e) => set('password', e.target.value)} />
            <p className="hint">At least 8 characters; share it with them so they can sign in. Leave empty for a user who only uses API tokens.</p>
          </div>
        )}
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${fieldId}-role`}>Role</label>
            <select id={`${fieldId}-role`} value={draft.role} disabled={disabled} onChange={(e) => set('role', e.target.value as Role)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {ROLE[r]}
                </option>
              ))}
            </select>
            <p className="hint">Admins and super admins manage settings and can view every inbox.</p>
          </div>
          <div className="field">
            <label htmlFor={`${fieldId}-seat`}>Seat</label>
            <select id={`${fieldId}-seat`} value={draft.seat} disabled={disabled} onChange={(e) => set('seat', e.target.value as Seat)}>
              <option value="paid">{SEAT.paid}</option>
              <option value="free">{SEAT.free}</option>
            </select>
            <p className="hint">Only paid seats receive automatically assigned conversations.</p>
          </div>
        </div>
        <fieldset className="picker" disabled={disabled}>
          <legend>Teams</legend>
          <div className="picker-list">
            {teams.data?.length === 0 && <p className="muted small">No teams yet: create them under Teams.</p>}
            {teams.data?.map((t) => (
              <label key={t.id} className="check">
                <input
                  type="checkbox"
                  checked={draft.teamIds.includes(t.id)}
                  onChange={() => set('teamIds', draft.teamIds.includes(t.id) ? draft.teamIds.filter((x) => x !== t.id) : [...draft.teamIds, t.id])}
                />
                {t.name}
              </label>
            ))}
          </div>
        </fieldset>
        {disabled && <p className="muted small">Only super admins can change a super admin.</p>}
    </FormDialog>
  );
}

export function UsersSettings({ me }: UsersSettingsProps) {
  const users = useUsers();
  const teams = useTeams();
  const refresh = useRefresh();
  const isAdmin = canManageSettings(me.user.role);
  const [editing, setEditing] = useState<UserT | null>(null);
  const [open, setOpen] = useState(false);
  const [deactivating, setDeactivating] = useState<UserT | null>(null);
  // Only super admins deactivate super admins; nobody deactivates themselves.
  const canDeactivate = (u: UserT) => u.id !== me.user.id && (u.role !== 'super_admin' || me.user.role === 'super_admin');
  const teamName = (id: string) => teams.data?.find((t) => t.id === id)?.name ?? 'Unknown team';
  const saved = () => {
    void refresh.users();
    void refresh.teams();
    void refresh.me();
  };
  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Users</h1>
          <p className="muted">Everyone in {me.account.name}: their role, seat and teams.</p>
        </div>
        {isAdmin && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setEditing(null);
              setOpen(true);
            }}
          >
            Add user
          </button>
        )}
      </header>
      <section className="card">
        {users.isPending && <p className="muted">Loading users…</p>}
        {users.isError && <p className="alert alert-error">{errorMessage(users.error)}</p>}
        {users.data && (
          <table className="table" aria-label="Users">
            <thead>
              <tr>
                <th>Name</th>
                <th className="hide-narrow">Email</th>
                <th>Role</th>
                <th>Seat</th>
                <th className="hide-narrow">Teams</th>
                <th className="hide-narrow">Availability</th>
                {isAdmin && <th className="table-actions">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.fullName || '—'}
                    {u.id === me.user.id && <span className="muted small"> (you)</span>}
                  </td>
                  <td className="hide-narrow">{u.email}</td>
                  <td>{ROLE[u.role]}</td>
                  <td>
                    <span className={u.seat === 'free' ? 'chip chip-free' : 'chip'}>{SEAT[u.seat]}</span>
                  </td>
                  <td className="hide-narrow">
                    <span className="chips">{u.teamIds.length ? u.teamIds.map((t) => <span key={t} className="chip">{teamName(t)}</span>) : <span className="muted">—</span>}</span>
                  </td>
                  <td className="hide-narrow">{u.availability === 'available' ? 'Available' : 'Away'}</td>
                  {isAdmin && (
                    <td className="table-actions">
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`Edit ${u.fullName || u.email}`}
                        onClick={() => {
                          setEditing(u);
                          setOpen(true);
                        }}
                      >
                        Edit
                      </button>
                      {canDeactivate(u) && (
                        <button type="button" className="button button-secondary button-small" aria-label={`Deactivate ${u.fullName || u.email}`} onClick={() => setDeactivating(u)}>
                          Deactivate
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {isAdmin && <DeactivatedUsers />}
      {isAdmin && <UserDialog me={me} user={editing} open={open} onClose={() => setOpen(false)} onSaved={saved} />}
      {deactivating && <DeactivateUserDialog user={deactivating} onClose={() => setDeactivating(null)} />}
    </div>
  );
}
