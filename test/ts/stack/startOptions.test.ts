/**
 * `npm start`'s command line (scripts/lib/startOptions.ts): defaults, flags and environment variables
 * reach `StackOptions`, and a bad `--settler-grace` is refused with a message naming it.
 */
import { expect } from "chai";
import { InvalidArgumentError } from "commander";

import {
  MAX_SETTLER_GRACE_SECONDS,
  parseSettlerGrace,
  parseStartOptions,
} from "../../../scripts/lib/startOptions.js";

describe("npm start options (scripts/lib/startOptions.ts)", function () {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.STACK_SETTLER_GRACE;
    delete process.env.STACK_SETTLER_GRACE;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.STACK_SETTLER_GRACE;
    else process.env.STACK_SETTLER_GRACE = saved;
  });

  it("defaults the settler's trader grace to 0 (it settles as soon as the price is final)", function () {
    const o = parseStartOptions([]);
    expect(o.settlerGraceSeconds).to.equal(0);
    expect(o.port).to.equal(8545);
    expect(o.blockIntervalMs).to.equal(2000);
  });

  it("reads --settler-grace from the command line, else from STACK_SETTLER_GRACE", function () {
    expect(parseStartOptions(["--settler-grace", "86400"]).settlerGraceSeconds).to.equal(86_400);
    process.env.STACK_SETTLER_GRACE = "3600";
    expect(parseStartOptions([]).settlerGraceSeconds).to.equal(3600);
    expect(parseStartOptions(["--settler-grace", "60"]).settlerGraceSeconds).to.equal(60);
  });

  it("refuses a grace that is not whole seconds up to a year, naming the option", function () {
    for (const bad of ["-1", "1.5", "ten", "", String(MAX_SETTLER_GRACE_SECONDS + 1)]) {
      expect(() => parseSettlerGrace(bad), bad)
        .to.throw(InvalidArgumentError, /--settler-grace/)
        .and.to.have.property("message")
        .that.contains(`"${bad}"`);
    }
    expect(parseSettlerGrace(String(MAX_SETTLER_GRACE_SECONDS))).to.equal(MAX_SETTLER_GRACE_SECONDS);
  });
});
