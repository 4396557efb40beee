// The notifications bell in the top bar. PLACEHOLDER owned by the notifications work: it shows
// the honest state (no notification feed exists yet) until that screen replaces this file.
//
// Props:
//   user: UserT — the signed-in user whose notifications the bell shows.
import { useState } from 'react';
import type { UserT } from '../../shared/api.ts';

export interface NotificationsBellProps {
  user: UserT;
}

export function NotificationsBell({ user }: NotificationsBellProps) {
  const [open, setOpen] = useState(false);
  return (
    <div className="menu">
      <button type="button" className="icon-button topbar-icon" aria-label="Notifications" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
        <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
        </svg>
      </button>
      {open && (
        <div className="menu-list menu-right popover" role="region" aria-label="Notifications list">
          <p className="popover-title">Notifications</p>
          <p className="muted small">Nothing new for {user.firstName || user.email}.</p>
        </div>
      )}
    </div>
  );
}
