// An inbox's Automation tab (automatic assignment, ticket defaults). PLACEHOLDER: the assignment
// work replaces this file with the form over /api/v1/inboxes/{id}/automation. Until then it
// says that no automation rules are shown here yet.
//
// Props:
//   inbox: InboxT — the inbox whose automation is configured.
//   onChanged: () => void — call after saving.
import type { InboxT } from '../../../shared/api.ts';

export interface AutomationTabProps {
  inbox: InboxT;
  onChanged: () => void;
}

export function AutomationTab({ inbox }: AutomationTabProps) {
  return (
    <section aria-label="Automation">
      <p>
        Automatic assignment and ticket defaults for <strong>{inbox.name}</strong> are not configurable in this version yet; new conversations arrive unassigned.
      </p>
    </section>
  );
}
