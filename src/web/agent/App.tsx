// The screens and their URLs. Signed-out users see only /login and /signup; everything else
// sits inside the AppShell and needs a session.
import { Route, Routes } from 'react-router';
import { Redirect } from './ui/Redirect.tsx';
import type { MeT } from '../../shared/api.ts';
import { useMe } from './api/queries.ts';
import { errorMessage } from './api/client.ts';
import { LoginPage } from './auth/LoginPage.tsx';
import { SignupPage } from './auth/SignupPage.tsx';
import { AppShell } from './layout/AppShell.tsx';
import { InboxPage } from './inbox/InboxPage.tsx';
import { ContactsPage } from './contacts/ContactsPage.tsx';
import { SettingsLayout } from './settings/SettingsLayout.tsx';
import { InboxesSettings } from './settings/InboxesSettings.tsx';
import { ChannelSettings } from './settings/ChannelSettings.tsx';
import { UsersSettings } from './settings/UsersSettings.tsx';
import { TeamsSettings } from './settings/TeamsSettings.tsx';
import { PipelinesSettings } from './settings/PipelinesSettings.tsx';
import { ProfileSettings } from './settings/ProfileSettings.tsx';

function Splash({ message }: { message: string }) {
  return (
    <div className="splash" role="status">
      {message}
    </div>
  );
}

function SignedIn({ me }: { me: MeT }) {
  return (
    <Routes>
      <Route element={<AppShell me={me} />}>
        <Route index element={<Redirect to="/inbox" />} />
        <Route path="inbox" element={<InboxPage me={me} />} />
        <Route path="inbox/:inboxId" element={<InboxPage me={me} />} />
        <Route path="inbox/:inboxId/:view" element={<InboxPage me={me} />} />
        <Route path="inbox/:inboxId/:view/:conversationId" element={<InboxPage me={me} />} />
        <Route path="contacts" element={<ContactsPage />} />
        <Route path="contacts/:contactId" element={<ContactsPage />} />
        <Route path="settings" element={<SettingsLayout />}>
          <Route index element={<Redirect to="/settings/inboxes" />} />
          <Route path="inboxes" element={<InboxesSettings me={me} />} />
          <Route path="inboxes/:inboxId" element={<InboxesSettings me={me} />} />
          <Route path="inboxes/:inboxId/:tab" element={<InboxesSettings me={me} />} />
          <Route path="inboxes/:inboxId/channels/:channelId" element={<ChannelSettings />} />
          <Route path="inboxes/:inboxId/channels/:channelId/:tab" element={<ChannelSettings />} />
          <Route path="users" element={<UsersSettings me={me} />} />
          <Route path="teams" element={<TeamsSettings me={me} />} />
          <Route path="pipelines" element={<PipelinesSettings me={me} />} />
          <Route path="profile" element={<ProfileSettings user={me.user} />} />
        </Route>
        <Route path="login" element={<Redirect to="/inbox" />} />
        <Route path="signup" element={<Redirect to="/inbox" />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

function NotFound() {
  return (
    <div className="empty-state">
      <h2>Page not found</h2>
      <p>
        <a href="/inbox">Go to the inbox</a>
      </p>
    </div>
  );
}

export function App() {
  const me = useMe();
  if (me.isPending) return <Splash message="Loading Parley…" />;
  if (me.isError) return <Splash message={`Parley could not load: ${errorMessage(me.error)}`} />;
  if (!me.data) {
    return (
      <Routes>
        <Route path="/signup" element={<SignupPage />} />
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Redirect to="/login" />} />
      </Routes>
    );
  }
  return <SignedIn me={me.data} />;
}
