// The "Current view" dropdown: which of the user's inboxes is shown (inbox page and settings).
import { useId } from 'react';
import type { InboxT } from '../../../shared/api.ts';

export function InboxSwitcher({ inboxes, value, onChange }: { inboxes: InboxT[]; value: string; onChange: (inboxId: string) => void }) {
  const id = useId();
  return (
    <div className="inbox-switcher">
      <label htmlFor={id}>Current view</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {inboxes.map((inbox) => (
          <option key={inbox.id} value={inbox.id}>
            {inbox.name}
          </option>
        ))}
      </select>
    </div>
  );
}
