// The state every save in the app goes through: saving while the request runs, the failure when
// it fails (the server's message, or what `toError` makes of it), "saved" when it worked (until
// the form changes again).
import { useCallback, useState } from 'react';
import { errorMessage } from '../api/client.ts';

export interface SaveState<E> {
  saving: boolean;
  error: E | null;
  saved: boolean;
}

export function useSave<E = string>(toError: (err: unknown) => E = errorMessage as (err: unknown) => E) {
  const [state, setState] = useState<SaveState<E>>({ saving: false, error: null, saved: false });
  /** Runs the work; true when it succeeded. */
  const run = useCallback(
    async (work: () => Promise<unknown>): Promise<boolean> => {
      setState({ saving: true, error: null, saved: false });
      try {
        await work();
        setState({ saving: false, error: null, saved: true });
        return true;
      } catch (err) {
        setState({ saving: false, error: toError(err), saved: false });
        return false;
      }
    },
    [toError],
  );
  /** The form changed or was opened afresh: forget "saved" and an old error. */
  const reset = useCallback(() => setState((s) => (s.saved || s.error ? { ...s, saved: false, error: null } : s)), []);
  return { ...state, run, reset };
}
