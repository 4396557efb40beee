// The users-and-teams picker of the access settings and the create-inbox wizard: search, tick
// teams and users, and a count of what is selected.
import { useState } from 'react';
import { errorMessage } from '../api/client.ts';
import { useTeams, useUsers } from '../api/queries.ts';

const toggle = (list: string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);

export function UsersTeamsPicker({
  userIds,
  teamIds,
  onChange,
  disabled,
  legend = 'Users and teams',
  note,
}: {
  userIds: string[];
  teamIds: string[];
  onChange: (userIds: string[], teamIds: string[]) => void;
  disabled?: boolean;
  legend?: string;
  /** A sentence after the selection count, e.g. what being left out means. */
  note?: string;
}) {
  const users = useUsers();
  const teams = useTeams();
  const [filter, setFilter] = useState('');
  const q = filter.trim().toLowerCase();
  const shownUsers = (users.data ?? []).filter((u) => !q || `${u.fullName} ${u.email}`.toLowerCase().includes(q));
  const shownTeams = (teams.data ?? []).filter((t) => !q || t.name.toLowerCase().includes(q));
  return (
    <fieldset className="picker" disabled={disabled}>
      <legend>{legend}</legend>
      <input type="search" aria-label="Search users and teams" placeholder="Search users and teams" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {(users.isPending || teams.isPending) && <p className="muted small">Loading users and teams…</p>}
      {(users.isError || teams.isError) && <p className="alert alert-error small">{errorMessage(users.error ?? teams.error)}</p>}
      <div className="picker-list">
        {shownTeams.length > 0 && <p className="picker-heading">Teams</p>}
        {shownTeams.map((t) => (
          <label key={t.id} className="check">
            <input type="checkbox" checked={teamIds.includes(t.id)} onChange={() => onChange(userIds, toggle(teamIds, t.id))} />
            {t.name} <span className="muted small">({t.memberIds.length} {t.memberIds.length === 1 ? 'member' : 'members'})</span>
          </label>
        ))}
        {shownUsers.length > 0 && <p className="picker-heading">Users</p>}
        {shownUsers.map((u) => (
          <label key={u.id} className="check">
            <input type="checkbox" checked={userIds.includes(u.id)} onChange={() => onChange(toggle(userIds, u.id), teamIds)} />
            {u.fullName || u.email} <span className="muted small">{u.email}</span>
          </label>
        ))}
        {users.data && teams.data && shownUsers.length === 0 && shownTeams.length === 0 && <p className="muted small">No users or teams match “{filter}”.</p>}
      </div>
      <p className="muted small">
        {userIds.length} {userIds.length === 1 ? 'user' : 'users'} and {teamIds.length} {teamIds.length === 1 ? 'team' : 'teams'} selected.{note ? ` ${note}` : ''}
      </p>
      {userIds.length === 0 && teamIds.length === 0 && (
        <p className="alert alert-warning small" role="note">
          With nobody selected, no one can reply in this inbox or take its conversations: admins and super admins can only view it.
        </p>
      )}
    </fieldset>
  );
}
