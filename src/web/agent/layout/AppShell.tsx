// The signed-in frame: top bar (brand, notifications, account menu), the main nav (Inbox,
// Contacts, Settings) that collapses behind a menu button on phones, the page outlet, and the
// banner that says when Parley cannot be reached.
import { useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import type { MeT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { setCsrfToken } from '../api/client.ts';
import { keys, resetSessionData } from '../api/queries.ts';
import { Menu } from '../ui/Menu.tsx';
import { Avatar } from '../ui/format.tsx';
import { NotificationsBell } from '../NotificationsBell.tsx';
import { useLiveUpdates } from '../api/live.ts';
import { ErrorBoundary } from '../ui/ErrorBoundary.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';

function InboxIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
      <path d="M22 12h-6l-2 3h-4l-2-3H2" />
      <path d="M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z" />
    </svg>
  );
}

function ContactsIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
      <path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2" />
      <circle cx="9" cy="7" r="4" />
      <path d="M23 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75" />
    </svg>
  );
}

function SettingsIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
      <circle cx="12" cy="12" r="3" />
      <path d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 0 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06A1.65 1.65 0 0 0 4.68 15a1.65 1.65 0 0 0-1.51-1H3a2 2 0 0 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06A1.65 1.65 0 0 0 9 4.68a1.65 1.65 0 0 0 1-1.51V3a2 2 0 0 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06A1.65 1.65 0 0 0 19.4 9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 0 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z" />
    </svg>
  );
}

export function AppShell({ me }: { me: MeT }) {
  useLiveUpdates(true);
  const [navOpen, setNavOpen] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const name = me.user.fullName || me.user.email;

  const logOut = async () => {
    try {
      await api.logout();
    } finally {
      setCsrfToken(null);
      resetSessionData(client);
      client.setQueryData(keys.me, null);
      navigate('/login', { replace: true });
    }
  };

  return (
    <div className={navOpen ? 'shell nav-open' : 'shell'}>
      <header className="topbar">
        <button type="button" className="icon-button nav-toggle" aria-label="Navigation" aria-expanded={navOpen} onClick={() => setNavOpen((v) => !v)}>
          <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
            <path d="M4 6h16M4 12h16M4 18h16" />
          </svg>
        </button>
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">P</span>
          <span className="brand-name">Parley</span>
          <span className="account-name" title={`${me.account.subdomain} · ${me.account.plan}`}>{me.account.name}</span>
        </div>
        <div className="topbar-right">
          <ErrorBoundary>
            <NotificationsBell user={me.user} />
          </ErrorBoundary>
          <Menu
            label="Account menu"
            align="right"
            buttonClass="avatar-button"
            button={<Avatar name={name} size={30} />}
            items={[
              { label: 'Profile', onSelect: () => navigate('/settings/profile') },
              { label: 'Log out', onSelect: () => void logOut() },
            ]}
          />
        </div>
      </header>
      <nav className="sidenav" aria-label="Main" onClick={() => setNavOpen(false)}>
        <NavLink to="/inbox" className={({ isActive }) => (isActive || location.pathname.startsWith('/inbox') ? 'sidenav-link active' : 'sidenav-link')}>
          <InboxIcon />
          <span>Inbox</span>
        </NavLink>
        <NavLink to="/contacts" className={({ isActive }) => (isActive ? 'sidenav-link active' : 'sidenav-link')}>
          <ContactsIcon />
          <span>Contacts</span>
        </NavLink>
        <NavLink to="/settings" className={({ isActive }) => (isActive ? 'sidenav-link active' : 'sidenav-link')}>
          <SettingsIcon />
          <span>Settings</span>
        </NavLink>
      </nav>
      {navOpen && <div className="nav-scrim" aria-hidden="true" onClick={() => setNavOpen(false)} />}
      <main className="main" id="main">
        <ConnectionBanner />
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}
