// Fan-out carries one fact only: "account X has new events". Subscribers read the journal
// themselves from their cursor, so a lost or duplicated notice costs a query, never an event.
export interface Bus {
  publish(accountId: string): void;
  subscribe(listener: (accountId: string) => void): () => void;
  close(): Promise<void>;
}
