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

/**
 * Counts the work that arrives in each turn, so that only work that does not come alone waits for the turn's end:
 * a request alone starts at once (waiting would cost its caller a loop phase, about 30 µs), and once a turn
 * brought more than one, the next turn's wait too, so that a load keeps working in bursts.
 */
export class TurnGrouping {
  private thisTurn = 0;
  private lastTurn = 0;

  /** Counts one arrival; a promise to wait for when this turn's work should run together, null to go on at once. */
  arrive(): Promise<void> | null {
    // The turn's count closes at its end, before the runs that wait for it go on.
    if (this.thisTurn++ === 0) {
      void endOfTurn().then(() => {
        this.lastTurn = this.thisTurn;
        this.thisTurn = 0;
      });
    }
    return this.thisTurn > 1 || this.lastTurn > 1 ? endOfTurn() : null;
  }
}
