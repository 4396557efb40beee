// What the settings screens say about an address's verification (a custom From address, a
// connected team address), and when "send again" may be clicked: the server refuses a second
// link for the same address within a minute, so the button waits for that instead of failing.
import { useEffect, useState } from 'react';
import type { AddressVerificationT } from '../../../shared/api.ts';
import { fullTime } from '../ui/format.tsx';

/** One sentence on where the proof stands. */
export function verificationSentence(v: AddressVerificationT): string {
  switch (v.state) {
    case 'verified':
      return 'Verified.';
    case 'sent':
      return `Verification email sent ${fullTime(v.sentAt!)}, not opened yet. Its link works until ${fullTime(v.expiresAt!)}.`;
    case 'expired':
      return `The verification email sent ${fullTime(v.sentAt!)} was not confirmed in time, and its link has expired.`;
    case 'taken':
      return 'Another Parley account proved this address first and receives the mail sent to it; it cannot be verified here.';
    case 'none':
      return 'Not verified.';
  }
}

/** Whether another link may be asked for now; turns true by itself when the wait is over. */
export function useCanResend(v: AddressVerificationT | null): boolean {
  const waitMs = v?.resendAfter ? Date.parse(v.resendAfter) - Date.now() : 0;
  const [, setTick] = useState(0);
  useEffect(() => {
    if (waitMs <= 0) return;
    const timer = setTimeout(() => setTick((t) => t + 1), waitMs + 50);
    return () => clearTimeout(timer);
  }, [waitMs]);
  return Boolean(v) && v!.state !== 'verified' && v!.state !== 'taken' && waitMs <= 0;
}

/** The label of the button that mails a link. */
export function sendLabel(v: AddressVerificationT | null, sending: boolean, canResend: boolean): string {
  if (sending) return 'Sending…';
  if (v?.state === 'sent' || v?.state === 'expired') return canResend ? 'Send a new link' : 'Sent: wait a minute to send another';
  return 'Send verification email';
}
