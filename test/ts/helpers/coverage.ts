import hre from "hardhat";

/**
 * True when the suite runs under `hardhat test --coverage`. Coverage instruments the bytecode, which
 * inflates gas and code size: tests that assert gas figures or the EIP-170 size limit skip then
 * (the normal `npm test` run checks them).
 */
export function underCoverage(): boolean {
  return hre.globalOptions.coverage === true;
}

/**
 * Mocha timeout for suites whose tests do many chain calls (property tests over random steps, keepers end to
 * end). `npm test` runs every test on instrumented bytecode, several times slower than plain, on a 2-core
 * machine that may be shared: the 40 s default is too tight there. Generous, yet bounded so a hung test still
 * fails CI long before its time limit.
 */
export const SLOW_SUITE_TIMEOUT_MS = 600_000;

/**
 * Bound for a test that polls until something happens in the background (a keeper's first round, a child
 * process serving JSON-RPC). It is a bound, not an expected duration: the poll ends as soon as the thing
 * happens, and only a real hang waits this long, so a loaded machine under coverage does not fail the test.
 */
export const BOUNDED_WAIT_MS = 300_000;
