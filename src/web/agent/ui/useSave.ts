// The state every save in the app goes through: saving while the request runs, the server's
// message when it fails, "saved" when it worked (until the form changes again).
import { useCallback, useState } from 'react';
import { errorMessage } from '../api/client.ts';

export interface SaveState {
  saving: boolean;
  error: string | null;
  saved: boolean;
}

export function useSave() {
  const [state, setState] = useState<SaveState>({ saving: false, error: null, saved: false });
  /** Runs the work; true when it succeeded. */
  const run = useCallback(async (work: () => Promise<unknown>): Promise<boolean> => {
    setState({ saving: true, error: null, saved: false });
    try {
      await work();
      setState({ saving: false, error: null, saved: true });
      return true;
    } catch (err) {
      setState({ saving: false, error: errorMessage(err), saved: false });
      return false;
    }
  }, []);
  /** The form changed: forget "saved" (and an old error). */
  const reset = useCallback(() => setState((s) => (s.saved || s.error ? { ...s, saved: false, error: null } : s)), []);
  return { ...state, run, reset };
}
