import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHeartbeat } from './heartbeat.ts';

describe('startHeartbeat', () => {
  const timing = { everyMs: 25_000, silentAfterMs: 10_000 };
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings on its interval and stays quiet while each ping is answered', () => {
    const ping = vi.fn();
    const onSilent = vi.fn();
    const beat = startHeartbeat(ping, onSilent, timing);
    // Each ping answered 9 s after it is sent, for four pings.
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(i === 0 ? 25_000 : 16_000);
      vi.advanceTimersByTime(9_000);
      beat.heard();
    }
    expect(ping).toHaveBeenCalledTimes(4);
    expect(onSilent).not.toHaveBeenCalled();
    beat.stop();
  });

  it('calls onSilent once when nothing is heard in time after a ping, and stops pinging', () => {
    const ping = vi.fn();
    const onSilent = vi.fn();
    startHeartbeat(ping, onSilent, timing);
    vi.advanceTimersByTime(25_000 + 9_999);
    expect(onSilent).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onSilent).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(120_000);
    expect(ping).toHaveBeenCalledTimes(1);
    expect(onSilent).toHaveBeenCalledTimes(1);
  });

  it('times silence from the first unanswered ping when pings come faster than the deadline', () => {
    const onSilent = vi.fn();
    startHeartbeat(() => {}, onSilent, { everyMs: 1_000, silentAfterMs: 2_500 });
    vi.advanceTimersByTime(3_499);
    expect(onSilent).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onSilent).toHaveBeenCalledTimes(1);
  });

  it('does nothing once stopped', () => {
    const ping = vi.fn();
    const onSilent = vi.fn();
    const beat = startHeartbeat(ping, onSilent, timing);
    vi.advanceTimersByTime(25_000);
    beat.stop();
    vi.advanceTimersByTime(120_000);
    expect(ping).toHaveBeenCalledTimes(1);
    expect(onSilent).not.toHaveBeenCalled();
  });
});
