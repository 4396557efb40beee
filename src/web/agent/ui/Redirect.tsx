// A replacing redirect that yields to a newer navigation. A redirect decided while data loads
// (no inbox in the URL yet) runs after the render that chose it; if the agent has clicked
// elsewhere meanwhile (Settings, right after logging in), the browser's URL has moved on and
// the redirect would undo that click, so it is dropped.
import { useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router';

export function Redirect({ to }: { to: string }) {
  const location = useLocation();
  const navigate = useNavigate();
  const renderedAt = location.pathname + location.search;
  useEffect(() => {
    if (window.location.pathname + window.location.search === renderedAt) void navigate(to, { replace: true });
  }, [navigate, renderedAt, to]);
  return null;
}
