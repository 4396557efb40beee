// Settings: the left sidebar of sections (the seed's wording) and the section outlet.
import { NavLink, Outlet, useLocation } from 'react-router';
import { useTitle } from '../ui/useTitle.ts';

const GROUPS: { title: string; links: { to: string; label: string }[] }[] = [
  { title: 'Inbox', links: [{ to: '/settings/inboxes', label: 'Inboxes' }] },
  {
    title: 'Users & Teams',
    links: [
      { to: '/settings/users', label: 'Users' },
      { to: '/settings/teams', label: 'Teams' },
    ],
  },
  { title: 'Objects', links: [{ to: '/settings/pipelines', label: 'Tickets pipelines' }] },
  { title: 'Your preferences', links: [{ to: '/settings/profile', label: 'Profile' }] },
];

export function SettingsLayout() {
  const { pathname } = useLocation();
  const section = GROUPS.flatMap((g) => g.links).find((l) => pathname.startsWith(l.to));
  useTitle([section?.label, 'Settings']);
  return (
    <div className="settings-page">
      <nav className="settings-nav" aria-label="Settings">
        <h1 className="settings-nav-title">Settings</h1>
        {GROUPS.map((group) => (
          <div key={group.title} className="settings-group">
            <h2>{group.title}</h2>
            {group.links.map((link) => (
              <NavLink key={link.to} to={link.to} className={({ isActive }) => (isActive ? 'settings-link active' : 'settings-link')}>
                {link.label}
              </NavLink>
            ))}
          </div>
        ))}
      </nav>
      <div className="settings-content">
        <Outlet />
      </div>
    </div>
  );
}
