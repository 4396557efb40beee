// Contacts (the CRM side), at /contacts[/{contactId}]: a searchable list of the account's
// contacts with "Add contact", and the selected contact's record: name (editable), owner,
// their conversations in the inboxes the user can see, and their timeline.
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { ContactT, UserT } from '../../../shared/api.ts';
import { api } from '../api/endpoints.ts';
import { errorMessage } from '../api/client.ts';
import { useContact, useContacts, useConversations, useUsers } from '../api/queries.ts';
import { Avatar, fullTime } from '../ui/format.tsx';
import { FormDialog } from '../ui/FormDialog.tsx';
import { useSave } from '../ui/useSave.ts';
import { UserOptions } from '../ui/UserOptions.tsx';
import { useTitle } from '../ui/useTitle.ts';
import { ConversationRows } from '../inbox/ConversationList.tsx';
import { conversationHref } from '../inbox/views.ts';
import { ContactOwnerSelect } from './ContactOwnerSelect.tsx';
import { ContactTimeline } from './ContactTimeline.tsx';
import './contacts.css';

const contactName = (c: ContactT) => c.name || c.email || 'Contact';


export function ContactsPage() {
  useTitle(['Contacts']);
  const { contactId } = useParams();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const [adding, setAdding] = useState(false);
  const contacts = useContacts(q);
  const users = useUsers();
  const usersById = useMemo(() => new Map<string, UserT>((users.data ?? []).map((u) => [u.id, u])), [users.data]);
  const items = contacts.data?.pages.flatMap((p) => p.items) ?? [];
  const suffix = q ? `?q=${encodeURIComponent(q)}` : '';

  const search = (e: FormEvent) => {
    e.preventDefault();
    setParams(text.trim() ? { q: text.trim() } : {});
  };

  return (
    <div className={contactId ? 'contacts-page has-selection' : 'contacts-page'}>
      <section className="list-pane" aria-label="Contacts">
        <header className="list-header">
          <h1>Contacts</h1>
          <button type="button" className="button button-small button-primary" onClick={() => setAdding(true)}>
            Add contact
          </button>
        </header>
        <form role="search" className="search-box contacts-search" onSubmit={search}>
          <input type="search" aria-label="Search contacts" placeholder="Search by name or email" value={text} maxLength={200} onChange={(e) => setText(e.target.value)} />
        </form>
        <div className="list-scroll">
          {contacts.isPending && <div className="list-status">Loading contacts…</div>}
          {contacts.isError && (
            <div className="alert alert-error" role="alert">
              {errorMessage(contacts.error)}
            </div>
          )}
          {contacts.data && items.length === 0 && <div className="list-status">{q ? `No contacts match “${q}”.` : 'No contacts yet. They appear as people write in.'}</div>}
          <ul className="conversation-list" aria-label="Contact list">
            {items.map((c) => {
              const owner = c.ownerId ? usersById.get(c.ownerId) : undefined;
              const selected = c.id === contactId;
              return (
                <li key={c.id}>
                  <Link to={`/contacts/${c.id}${suffix}`} className={selected ? 'conversation-row selected' : 'conversation-row'} aria-current={selected ? 'true' : undefined}>
                    <Avatar name={contactName(c)} size={36} />
                    <div className="conversation-row-body">
                      <span className="contact-name">{contactName(c)}</span>
                      {c.email && c.email !== contactName(c) && <div className="contact-email">{c.email}</div>}
                      <div className="row-meta muted small">{owner ? `Owner: ${owner.fullName || owner.email}` : 'No owner'}</div>
                    </div>
                  </Link>
                </li>
              );
            })}
          </ul>
          {contacts.hasNextPage && (
            <button type="button" className="button button-secondary button-block" disabled={contacts.isFetchingNextPage} onClick={() => void contacts.fetchNextPage()}>
              {contacts.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      </section>
      <div className="contact-record-pane">
        {/* Shown on phones only, where the record replaces the list. */}
        <Link to={`/contacts${suffix}`} className="icon-button back-button" aria-label="Back to contacts">
          ←
        </Link>
        {contactId ? <ContactRecord contactId={contactId} usersById={usersById} /> : <div className="empty-state">Select a contact to see their record.</div>}
      </div>
      {adding && <AddContactDialog onClose={() => setAdding(false)} />}
    </div>
  );
}

function ContactRecord({ contactId, usersById }: { contactId: string; usersById: Map<string, UserT> }) {
  const contact = useContact(contactId);
  const conversations = useConversations({ contactId });
  if (contact.isPending) return <div className="list-status">Loading…</div>;
  if (contact.isError) {
    return (
      <div className="alert alert-error" role="alert">
        {errorMessage(contact.error)}
      </div>
    );
  }
  const c = contact.data;
  return (
    <article className="contact-record" aria-label={`Contact ${contactName(c)}`}>
      <div className="contact-card">
        <Avatar name={contactName(c)} size={48} />
        <div>
          <h2 className="contact-card-name">{contactName(c)}</h2>
          {c.email && <div className="muted small">{c.email}</div>}
        </div>
      </div>
      <NameForm contact={c} />
      <dl className="facts">
        <dt>Contact owner</dt>
        <dd>
          <ContactOwnerSelect contact={c} />
        </dd>
        <dt>Contact since</dt>
        <dd>{fullTime(c.createdAt)}</dd>
      </dl>
      <section aria-label="Conversations">
        <h2 className="panel-heading">Conversations</h2>
        {conversations.data && conversations.data.pages[0]?.items.length === 0 && <p className="muted small">No conversations in the inboxes you can see.</p>}
        {conversations.data && (
          <ConversationRows items={conversations.data.pages.flatMap((p) => p.items)} hrefOf={conversationHref} selectedId={undefined} usersById={usersById} more={conversations} />
        )}
      </section>
      <ContactTimeline contactId={c.id} />
    </article>
  );
}

function NameForm({ contact }: { contact: ContactT }) {
  const [name, setName] = useState(contact.name);
  const state = useSave();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    await state.run(() => api.updateContact(contact.id, { name: name.trim() }));
  };
  return (
    <form className="form contact-name-form" onSubmit={(e) => void save(e)}>
      <div className="field">
        <label htmlFor="contact-name">Name</label>
        <div className="with-action">
          <input id="contact-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="button button-small button-secondary" disabled={state.saving || name.trim() === contact.name}>
            Save name
          </button>
        </div>
      </div>
      {state.error && (
        <p className="alert alert-error small" role="alert">
          {state.error}
        </p>
      )}
      {state.saved && (
        <p className="muted small" role="status">
          Saved.
        </p>
      )}
    </form>
  );
}

function AddContactDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const users = useUsers();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [ownerId, setOwnerId] = useState('');
  const { saving, error, run } = useSave();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const made = await api.createContact({ email: email.trim(), name: name.trim(), ownerId: ownerId || null });
      onClose();
      navigate(`/contacts/${made.id}`);
    });
  };
  return (
    <FormDialog title="Add contact" open onClose={onClose} onSubmit={(e) => void submit(e)} submitLabel="Add contact" saving={saving} error={error}>
      <div className="field">
        <label htmlFor="new-contact-email">Email</label>
        <input id="new-contact-email" type="email" required maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="new-contact-name">Name</label>
        <input id="new-contact-name" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="new-contact-owner">Contact owner</label>
        <select id="new-contact-owner" value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
          <UserOptions users={users.data} none="No owner" />
        </select>
      </div>
    </FormDialog>
  );
}
