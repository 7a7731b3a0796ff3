import hre from "hardhat";

/**
 * True when the suite runs under `hardhat test --coverage`. Coverage instruments the bytecode, which
 * inflates gas and code size: tests that assert gas figures or the EIP-170 size limit skip then
 * (the normal `npm test` run checks them).
 */
export function underCoverage(): boolean {
  return hre.globalOptions.coverage === true;
}
