// Settings > Users & Teams > Teams: teams group users for inbox access ("Select users and teams
// who can edit") and automatic assignment. Admins create a team (POST /api/v1/teams), rename it
// and set its members (PATCH /api/v1/teams/{id}); everyone else sees the list read-only.
//
// Props:
//   me: MeT — the signed-in user and account.
import { canManageSettings } from '../../../shared/roles.ts';
import { useState, type FormEvent } from 'react';
import type { MeT, TeamT } from '../../../shared/api.ts';
import { useRefresh, useTeams, useUsers } from '../api/queries.ts';
import { errorMessage, request } from '../api/client.ts';
import { useSave } from '../ui/useSave.ts';
import { FormDialog } from '../ui/FormDialog.tsx';
import './access.css';

export interface TeamsSettingsProps {
  me: MeT;
}

function TeamDialog({ team, open, onClose, onSaved }: { team: TeamT | null; open: boolean; onClose: () => void; onSaved: () => void }) {
  const users = useUsers();
  const [name, setName] = useState('');
  const [memberIds, setMemberIds] = useState<string[]>([]);
  const [filter, setFilter] = useState('');
  const { saving, error, run, reset } = useSave();
  const [shownFor, setShownFor] = useState<string | undefined>(undefined);
  const key = open ? (team?.id ?? 'new') : undefined;
  if (key !== shownFor) {
    setShownFor(key);
    setName(team?.name ?? '');
    setMemberIds(team?.memberIds ?? []);
    setFilter('');
    reset();
  }
  const q = filter.trim().toLowerCase();
  const shown = (users.data ?? []).filter((u) => !q || `${u.fullName} ${u.email}`.toLowerCase().includes(q));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const ok = await run(async () => {
      if (!team) return request<TeamT>('POST', '/teams', { name, memberIds });
      const patch: Record<string, unknown> = {};
      if (name.trim() !== team.name) patch.name = name;
      if ([...memberIds].sort().join() !== [...team.memberIds].sort().join()) patch.memberIds = memberIds;
      if (Object.keys(patch).length) await request<TeamT>('PATCH', `/teams/${encodeURIComponent(team.id)}`, patch);
    });
    if (!ok) return;
    onSaved();
    onClose();
  }

  const fieldId = team ? `team-${team.id}` : 'team-new';
  return (
    <FormDialog
      title={team ? `Edit team ${team.name}` : 'Create team'}
      open={open}
      onClose={onClose}
      onSubmit={(e) => void submit(e)}
      submitLabel={team ? 'Save' : 'Create team'}
      saving={saving}
      disabled={!name.trim()}
      error={error}
    >
        <div className="field">
          <label htmlFor={`${fieldId}-name`}>Team name</label>
          <input id={`${fieldId}-name`} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <fieldset className="picker">
          <legend>Members</legend>
          <input type="search" aria-label="Search users" placeholder="Search users" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <div className="picker-list">
            {shown.map((u) => (
              <label key={u.id} className="check">
                <input type="checkbox" checked={memberIds.includes(u.id)} onChange={() => setMemberIds(memberIds.includes(u.id) ? memberIds.filter((x) => x !== u.id) : [...memberIds, u.id])} />
                {u.fullName || u.email} <span className="muted small">{u.email}</span>
              </label>
            ))}
          </div>
          <p className="muted small">
            {memberIds.length} {memberIds.length === 1 ? 'member' : 'members'} selected.
          </p>
        </fieldset>
    </FormDialog>
  );
}

export function TeamsSettings({ me }: TeamsSettingsProps) {
  const teams = useTeams();
  const users = useUsers();
  const refresh = useRefresh();
  const isAdmin = canManageSettings(me.user.role);
  const [editing, setEditing] = useState<TeamT | null>(null);
  const [open, setOpen] = useState(false);
  const nameOf = (id: string) => {
    const u = users.data?.find((x) => x.id === id);
    return u ? u.fullName || u.email : 'Unknown user';
  };
  const saved = () => {
    void refresh.teams();
    void refresh.users();
    void refresh.me();
  };
  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Teams</h1>
          <p className="muted">Give a team access to an inbox, or route its conversations to the team.</p>
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
            Create team
          </button>
        )}
      </header>
      <section className="card">
        {teams.isPending && <p className="muted">Loading teams…</p>}
        {teams.isError && <p className="alert alert-error">{errorMessage(teams.error)}</p>}
        {teams.data && teams.data.length === 0 && <p className="muted">No teams yet.{isAdmin ? ' Create one to give a group of users access to an inbox.' : ''}</p>}
        {teams.data && teams.data.length > 0 && (
          <table className="table" aria-label="Teams">
            <thead>
              <tr>
                <th>Team</th>
                <th>Members</th>
                {isAdmin && <th className="table-actions">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {teams.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>
                    <span className="chips">{t.memberIds.length ? t.memberIds.map((id) => <span key={id} className="chip">{nameOf(id)}</span>) : <span className="muted">No members</span>}</span>
                  </td>
                  {isAdmin && (
                    <td className="table-actions">
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`Edit team ${t.name}`}
                        onClick={() => {
                          setEditing(t);
                          setOpen(true);
                        }}
                      >
                        Edit
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {isAdmin && <TeamDialog team={editing} open={open} onClose={() => setOpen(false)} onSaved={saved} />}
    </div>
  );
}
