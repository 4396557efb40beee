// An inbox's Access tab (everyone, or specific users and teams). PLACEHOLDER: the inboxes and
// assignment work replaces this file with the editable form. Until then it shows the current
// access read-only.
//
// Props:
//   inbox: InboxT — the inbox whose access is shown (access, accessGrants).
//   onChanged: () => void — call after saving, so the inbox list refetches.
import type { InboxT } from '../../../shared/api.ts';
import { useTeams, useUsers } from '../api/queries.ts';

export interface AccessTabProps {
  inbox: InboxT;
  onChanged: () => void;
}

export function AccessTab({ inbox }: AccessTabProps) {
  const users = useUsers();
  const teams = useTeams();
  if (inbox.access === 'everyone') {
    return (
      <section aria-label="Access">
        <p>
          <strong>Available to everyone:</strong> every user in the account can access this inbox.
        </p>
      </section>
    );
  }
  const userNames = inbox.accessGrants.userIds.map((id) => users.data?.find((u) => u.id === id)).map((u) => (u ? u.fullName || u.email : 'Unknown user'));
  const teamNames = inbox.accessGrants.teamIds.map((id) => teams.data?.find((t) => t.id === id)?.name ?? 'Unknown team');
  return (
    <section aria-label="Access">
      <p>
        <strong>Specific users and teams:</strong> only these can access this inbox. Admins outside the list can view it but not reply or take actions.
      </p>
      <dl className="facts facts-wide">
        <dt>Users</dt>
        <dd>{userNames.length ? userNames.join(', ') : 'None'}</dd>
        <dt>Teams</dt>
        <dd>{teamNames.length ? teamNames.join(', ') : 'None'}</dd>
      </dl>
    </section>
  );
}
