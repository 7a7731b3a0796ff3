/**
 * A refused request: the HTTP status, the name of the error (the contract's custom error where the chain
 * would refuse the order the same way, e.g. `OrderExpired`, `PriceNotOnTick`) and its arguments as
 * readable strings.
 */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly args: Readonly<Record<string, string>>,
    message?: string,
  ) {
    super(
      message ??
        `${error}(${Object.entries(args)
          .map(([k, v]) => `${k}: ${v}`)
          .join(", ")})`,
    );
    this.name = "Refusal";
  }

  /** The JSON body sent to the client. */
  toJSON(): { error: string; args: Readonly<Record<string, string>>; message: string } {
    return { error: this.error, args: this.args, message: this.message };
  }
}

/** `422`: the order is well formed but the chain (or the relay's book) would refuse it. */
export const refuse = (error: string, args: Record<string, unknown>, message?: string) =>
  new Refusal(422, error, Object.fromEntries(Object.entries(args).map(([k, v]) => [k, String(v)])), message);
