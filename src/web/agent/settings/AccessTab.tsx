// An inbox's Access tab (seed: "To manage which users and teams can access the inbox, click the
// Access tab"): "Available to everyone" or "Select users and teams who can edit" with a
// users-and-teams picker, then Save (PUT /api/v1/inboxes/{id}/access). Admins edit; everyone
// else sees the setting read-only. The seed's notes are shown as help text.
//
// Props:
//   inbox: InboxT — the inbox whose access is shown and edited (access, accessGrants).
//   onChanged: () => void — called after saving, so the inbox list refetches.
import { useEffect, useState, type FormEvent } from 'react';
import type { InboxT } from '../../../shared/api.ts';
import { request } from '../api/client.ts';
import { useSave } from '../ui/useSave.ts';
import { useCanManageSettings } from '../api/queries.ts';
import { UsersTeamsPicker } from './UsersTeamsPicker.tsx';
import './access.css';

export interface AccessTabProps {
  inbox: InboxT;
  onChanged: () => void;
}

type Access = InboxT['access'];


/** Checkboxes for the account's teams and users, with a search box. */
export function AccessTab({ inbox, onChanged }: AccessTabProps) {
  const canEdit = useCanManageSettings();
  const [access, setAccess] = useState<Access>(inbox.access);
  const [userIds, setUserIds] = useState<string[]>(inbox.accessGrants.userIds);
  const [teamIds, setTeamIds] = useState<string[]>(inbox.accessGrants.teamIds);
  const { saving, error, saved, run, reset } = useSave();

  // Another inbox selected, or fresh data after a save: start again from what the server says.
  useEffect(() => {
    setAccess(inbox.access);
    setUserIds(inbox.accessGrants.userIds);
    setTeamIds(inbox.accessGrants.teamIds);
  }, [inbox.id, inbox.access, inbox.accessGrants.userIds.join(), inbox.accessGrants.teamIds.join()]);

  const dirty =
    access !== inbox.access ||
    (access === 'specific' && ([...userIds].sort().join() !== [...inbox.accessGrants.userIds].sort().join() || [...teamIds].sort().join() !== [...inbox.accessGrants.teamIds].sort().join()));
  const empty = access === 'specific' && userIds.length === 0 && teamIds.length === 0;

  async function save(e: FormEvent) {
    e.preventDefault();
    const ok = await run(() => request<InboxT>('PUT', `/inboxes/${encodeURIComponent(inbox.id)}/access`, access === 'everyone' ? { access } : { access, userIds, teamIds }));
    if (ok) onChanged();
  }

  return (
    <section aria-label="Access" className="access-tab">
      <form className="form" onSubmit={save}>
        <fieldset className="radio-group" disabled={!canEdit || saving}>
          <legend>Who can access this inbox</legend>
          <label className="check">
            <input type="radio" name={`access-${inbox.id}`} value="everyone" checked={access === 'everyone'} onChange={() => setAccess('everyone')} />
            <span>
              <strong>Available to everyone</strong>
              <span className="muted small block">Every user in the account can access the inbox.</span>
            </span>
          </label>
          <label className="check">
            <input type="radio" name={`access-${inbox.id}`} value="specific" checked={access === 'specific'} onChange={() => setAccess('specific')} />
            <span>
              <strong>Select users and teams who can edit</strong>
              <span className="muted small block">Only the selected users and the members of the selected teams can access this inbox.</span>
            </span>
          </label>
        </fieldset>
        {access === 'specific' && (
          <UsersTeamsPicker
            userIds={userIds}
            teamIds={teamIds}
            disabled={!canEdit || saving}
            onChange={(u, t) => {
              setUserIds(u);
              setTeamIds(t);
              reset();
            }}
          />
        )}
        {empty && <p className="alert alert-warning">Nobody is selected: only super admins and admins will be able to view this inbox, and nobody will be able to reply.</p>}
        <div className="help muted small">
          <p>Please note:</p>
          <ul>
            <li>All inboxes are automatically set to Available to everyone. If you wish to limit access further, select users and teams.</li>
            <li>
              If you choose Specific users and teams, users with Account access or Super admin permissions can view any conversations inbox, but cannot take
              actions in the inbox, such as replying to a thread, unless they are selected in the inbox’s Access settings.
            </li>
            <li>Incoming conversations can only be automatically assigned to users with a paid seat, but free users can still assign and respond to unassigned conversations if they have access to the inbox.</li>
          </ul>
        </div>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        {saved && !dirty && (
          <p className="alert alert-success" role="status">
            Access saved.
          </p>
        )}
        {canEdit ? (
          <div>
            <button type="submit" className="button button-primary" disabled={saving || !dirty}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        ) : (
          <p className="muted small">Only super admins and admins can change who has access.</p>
        )}
      </form>
    </section>
  );
}
