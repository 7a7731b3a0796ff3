import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, stringToHex } from "viem";

import { demoGenesis, runOracleDemo } from "../../scripts/lib/oracle-demo.js";

describe("main job: oracle demo (short mode)", function () {
  it("posts every computed round on-chain, uses the supermajority for >10% moves, and reads TWAPs within range", async function () {
    const from = "2024-07-08";
    const connection = await network.create({ override: { initialDate: demoGenesis(from) } });
    const lines: string[] = [];
    const result = await runOracleDemo(connection, {
      from,
      to: "2024-08-26",
      stepDays: 7,
      log: (line) => lines.push(line),
    });

    const oracle = await connection.viem.getContractAt("IndexOracle", result.oracle);
    for (const index of ["ATPI-FRONTIER", "ATPI-SMALL", "GPU-H100"]) {
      const indexId = keccak256(stringToHex(index));
      const mine = result.posted.filter((p) => p.index === index);
      expect(mine.length, index).to.be.greaterThan(0);
      expect(await oracle.read.checkpointCount([indexId])).to.equal(BigInt(mine.length));
      for (const [i, p] of mine.entries()) {
        const checkpoint = (await oracle.read.checkpoint([indexId, BigInt(i + 1)])) as {
          timestamp: number;
          value: bigint;
        };
        expect(checkpoint.value, `${index} ${p.asOf}`).to.equal(p.value);
        expect(BigInt(checkpoint.timestamp)).to.equal(p.acceptedAt);
      }
      const s = result.summary[index];
      expect(s.twap30d >= s.min30d && s.twap30d <= s.max30d, `${index} twap in range`).to.equal(true);
    }
    // ATPI-SMALL fell from 0.5916 to 0.5093 in the week of 2024-07-22 (gpt-4o-mini joined): 4 of 5 signed.
    const drop = result.posted.find((p) => p.index === "ATPI-SMALL" && p.asOf === "2024-07-22");
    expect(drop?.signers).to.equal(4);
    expect(result.posted.filter((p) => p.signers === 3).length).to.be.greaterThan(0);
    expect(lines.some((l) => l.startsWith("latest("))).to.equal(true);
  });
});
