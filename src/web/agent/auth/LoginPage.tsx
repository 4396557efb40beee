// Log in with email and password; the server sets the session cookie and returns the CSRF token.
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../api/endpoints.ts';
import { errorMessage, setCsrfToken } from '../api/client.ts';
import { keys, resetSessionData } from '../api/queries.ts';
import { AuthLayout, FormError } from './AuthLayout.tsx';
import { useTitle } from '../ui/useTitle.ts';

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const client = useQueryClient();
  const navigate = useNavigate();
  useTitle(['Log in']);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const me = await api.login(email, password);
      setCsrfToken(me.csrfToken);
      resetSessionData(client);
      client.setQueryData(keys.me, me);
      navigate('/inbox', { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout
      title="Log in"
      subtitle="Welcome back to your team's inbox."
      footer={
        <>
          New to Parley? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <form className="form" onSubmit={(e) => void submit(e)}>
        <FormError message={error} />
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input id="login-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input id="login-password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthLayout>
  );
}
