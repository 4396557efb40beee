// Entry point of the agent app: React Query for server state, react-router for screens.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiError, setCsrfToken } from './api/client.ts';
import { keys } from './api/queries.ts';
import { App } from './App.tsx';
import './styles/tokens.css';
import './styles/app.css';

/** A 401 after sign-in means the session ended (expired, or logged out elsewhere): back to login. */
function onApiError(err: unknown): void {
  if (!(err instanceof ApiError) || err.status !== 401) return;
  setCsrfToken(null);
  queryClient.setQueryData(keys.me, null);
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      // A 4xx will not get better by asking again; network blips might.
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
      staleTime: 10_000,
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
