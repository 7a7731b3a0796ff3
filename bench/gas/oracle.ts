/**
 * Gas of the IndexOracle's hot path: whole-transaction `gasUsed` (21,000 base included) of `submit`.
 *
 * - `oracle.submit.first`: the first round of an index (no previous checkpoint to extend).
 * - `oracle.submit.3sig`: a round with three reporter signatures after the first round, within the
 *   deviation bound (the steady state a reporter keeper pays for).
 * - `oracle.submit.5sig`: the same with five signatures (five of five reporters).
 * - `oracle.submit.listening.first` / `.3sig`: the same rounds once a Clearinghouse listens (as every
 *   deployment wires it): each round also writes the Clearinghouse's copy of the index (`onIndexValue`), a
 *   fresh slot on the first push, a rewritten one after.
 */
import { Wallet } from "ethers";
import { network } from "hardhat";

import { deployClearinghouseLibraries } from "../../test/ts/helpers/clearinghouseFixture.js";

import {
  indexIdOf,
  oracleDomain,
  signReportWithEthers,
  type OracleReport,
} from "../../sdk/core/eip712/reports.js";

const E18 = 10n ** 18n;

export async function measure(): Promise<Record<string, number>> {
  const { ethers, networkHelpers } = await network.create();
  const [admin] = await ethers.getSigners();
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const oracle = await ethers.deployContract("IndexOracle", [await manager.getAddress()]);
  const domain = oracleDomain((await ethers.provider.getNetwork()).chainId, await oracle.getAddress());

  // Fixed keys and timestamps so the figures are reproducible to the unit.
  const reporters = [1, 2, 3, 4, 5].map((i) => new Wallet(ethers.toBeHex(0xa11ce00n + BigInt(i), 32)));
  const indexId = indexIdOf("ATPI-FRONTIER");
  await oracle.createIndex(
    indexId,
    { quorum: 3, maxAge: 3600, minInterval: 60, maxDeviation: E18 / 10n, faultBound: 1 },
    reporters.map((w) => w.address),
  );

  // A fixed clock (2033-05-18) rather than the wall clock, which would change calldata bytes and so gas.
  let now = 2_000_000_000n;
  if (BigInt(await networkHelpers.time.latest()) >= now)
    throw new Error("oracle bench: fixed clock is in the past");
  const round = async (values: bigint[]): Promise<number> => {
    now += 600n;
    const signed = await Promise.all(
      values.map((value, i) => {
        const report: OracleReport = {
          indexId,
          value,
          observedAt: now - 5n,
          inputsHash: ethers.keccak256(ethers.toUtf8Bytes(`inputs-${now}-${i}`)) as `0x${string}`,
        };
        return signReportWithEthers(reporters[i], domain, report);
      }),
    );
    await networkHelpers.time.setNextBlockTimestamp(now);
    const receipt = await (await oracle.submit(indexId, signed)).wait();
    if (receipt === null) throw new Error("oracle bench: no receipt");
    return Number(receipt.gasUsed);
  };

  const first = await round([12n * E18, 12n * E18 + 1n, 12n * E18 + 2n]);
  const threeSig = await round([12n * E18 + 3n * 10n ** 15n, 12n * E18 + 4n * 10n ** 15n, 12n * E18]);
  const fiveSig = await round([12n * E18, 12n * E18 + 1n, 12n * E18 + 2n, 12n * E18 + 3n, 12n * E18 + 4n]);

  // A Clearinghouse listening, as deployed: its first copy of the index is a fresh slot, later ones rewrite it.
  const token = await ethers.deployContract("MockERC20", ["USD Coin", "USDC", 6]);
  const ch = await ethers.deployContract(
    "Clearinghouse",
    [await manager.getAddress(), await token.getAddress(), await oracle.getAddress(), admin.address],
    { libraries: await deployClearinghouseLibraries(ethers) },
  );
  await (await oracle.setListener(await ch.getAddress())).wait();
  const listeningFirst = await round([12n * E18 + 1n, 12n * E18 + 2n, 12n * E18 + 3n]);
  const listeningThreeSig = await round([
    12n * E18 + 3n * 10n ** 15n,
    12n * E18 + 4n * 10n ** 15n,
    12n * E18,
  ]);
  return {
    "oracle.submit.first": first,
    "oracle.submit.3sig": threeSig,
    "oracle.submit.5sig": fiveSig,
    "oracle.submit.listening.first": listeningFirst,
    "oracle.submit.listening.3sig": listeningThreeSig,
  };
}
