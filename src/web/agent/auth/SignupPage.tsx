// Sign up: creates the account, its owner, the default inbox and its fallback email address,
// and signs the owner in (POST /api/v1/signup).
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Plan } from '../api/endpoints.ts';
import { errorMessage, setCsrfToken } from '../api/client.ts';
import { keys, resetSessionData } from '../api/queries.ts';
import { AuthLayout, FormError } from './AuthLayout.tsx';
import { useTitle } from '../ui/useTitle.ts';

const PLANS: { value: Plan; label: string }[] = [
  { value: 'free', label: 'Free' },
  { value: 'starter', label: 'Starter' },
  { value: 'professional', label: 'Professional' },
  { value: 'enterprise', label: 'Enterprise' },
];

/** Suggests a subdomain from the account name: lowercase DNS label characters only. */
function suggestSubdomain(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

export function SignupPage() {
  const [accountName, setAccountName] = useState('');
  const [subdomain, setSubdomain] = useState('');
  const [subdomainEdited, setSubdomainEdited] = useState(false);
  const [plan, setPlan] = useState<Plan>('free');
  const [yourName, setYourName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  useTitle(['Sign up']);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const [firstName = '', ...rest] = yourName.trim().split(/\s+/);
    try {
      const created = await api.signup({ accountName, subdomain, plan, firstName, lastName: rest.join(' '), email, password });
      setCsrfToken(created.csrfToken);
      resetSessionData(client);
      client.setQueryData(keys.me, { user: created.user, account: created.account, csrfToken: created.csrfToken });
      navigate(`/inbox/${created.inbox.id}`, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Create your Parley account"
      subtitle="One shared inbox for your team's email, chat and more. Your first inbox and its email address are set up for you."
      footer={
        <>
          Already have an account? <Link to="/login">Log in</Link>
        </>
      }
    >
      <form className="form" onSubmit={(e) => void submit(e)}>
        <FormError message={error} />
        <div className="field">
          <label htmlFor="signup-account">Account name</label>
          <input
            id="signup-account"
            required
            maxLength={100}
            value={accountName}
            onChange={(e) => {
              setAccountName(e.target.value);
              if (!subdomainEdited) setSubdomain(suggestSubdomain(e.target.value));
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="signup-subdomain">Subdomain</label>
          <input
            id="signup-subdomain"
            required
            maxLength={63}
            value={subdomain}
            aria-describedby="signup-subdomain-hint"
            onChange={(e) => {
              setSubdomainEdited(true);
              setSubdomain(e.target.value.toLowerCase());
            }}
          />
          <p id="signup-subdomain-hint" className="hint">
            Lowercase letters, digits and hyphens. It names your account in its inbox email addresses (inbox@{subdomain || 'your-subdomain'}.…).
          </p>
        </div>
        <div className="field">
          <label htmlFor="signup-plan">Plan</label>
          <select id="signup-plan" value={plan} onChange={(e) => setPlan(e.target.value as Plan)}>
            {PLANS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="signup-name">Your name</label>
          <input id="signup-name" autoComplete="name" maxLength={200} value={yourName} onChange={(e) => setYourName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="signup-email">Email</label>
          <input id="signup-email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="signup-password">Password</label>
          <input id="signup-password" type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} />
          <p className="hint">At least 8 characters.</p>
        </div>
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </AuthLayout>
  );
}
