/** JSON serialized already (step data measured against its cap), spliced into a stored row as it is. */
export class RawJson {
  constructor(readonly json: string) {}
}
