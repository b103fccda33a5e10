/**
 * Work that waits for the end of the event loop's turn. The requests that arrived together (every socket the turn
 * read) are taken in first, then their work runs together in the turn's check phase: under load, a server that
 * answers each request inside the read that brought it in answers one at a time, and the caller, woken for each
 * answer, sends one request at a time; done together, both sides work in bursts. A webhook flow measured about
 * 9,000 req/s answered within their reads and 15,000-16,500 answered together, on the same machine.
 */
let pending: Promise<void> | null = null;

/** Resolves once this turn's I/O has been read, in its check phase; every caller in one turn shares one promise. */
export function endOfTurn(): Promise<void> {
  return (pending ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      pending = null;
      resolve();
    }),
  ));
}
