// A contact's timeline (the CRM log): messages logged from conversations the user can see,
// tickets and changes to the contact, newest first.
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../api/client.ts';
import { fullTime } from '../ui/format.tsx';
import { workflow, workflowKeys } from '../inbox/workflow-api.ts';

export function ContactTimeline({ contactId }: { contactId: string }) {
  const timeline = useQuery({ queryKey: workflowKeys.timeline(contactId), queryFn: () => workflow.timeline(contactId) });
  return (
    <section aria-label="Timeline">
      <h2 className="panel-heading">Timeline</h2>
      {timeline.isPending && <p className="muted small">Loading timeline…</p>}
      {timeline.isError && <p className="alert alert-error small">{errorMessage(timeline.error)}</p>}
      {timeline.data?.items.length === 0 && <p className="muted small">Nothing logged yet.</p>}
      <ol className="plain-list timeline">
        {(timeline.data?.items ?? []).map((e) => (
          <li key={e.id} className="small">
            <span>{e.summary}</span> <span className="muted">{fullTime(e.createdAt)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
