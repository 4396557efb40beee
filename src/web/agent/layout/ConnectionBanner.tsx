// "Connection lost. Reconnecting…" over the app while Parley cannot be reached (api/connection.ts
// decides when), so an agent knows before typing a reply that would fail; and, once it is back,
// a refresh of everything cached, since anything may have changed or failed to load meanwhile.
import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useConnectionState } from '../api/connection.ts';
import './connection-banner.css';

export function ConnectionBanner() {
  const state = useConnectionState();
  const client = useQueryClient();
  const wasOffline = useRef(false);
  useEffect(() => {
    if (state === 'offline') {
      wasOffline.current = true;
      return;
    }
    if (!wasOffline.current) return;
    wasOffline.current = false;
    void client.invalidateQueries();
  }, [state, client]);

  if (state === 'online') return null;
  // An alert, inserted when the connection goes: screen readers announce it as it appears.
  return (
    <div className="connection-banner" role="alert">
      <span className="connection-banner-dot" aria-hidden="true" />
      Connection lost. Reconnecting…
    </div>
  );
}
