import { expect } from "chai";
import { Wallet } from "ethers";
import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  getAddress,
  keccak256,
  stringToHex,
  type Abi,
  type AbiParameter,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { clearinghouseAbi, exchangeAbi, indexOracleAbi, indexOracleFeedAbi } from "../../../sdk/abi/index.js";
import {
  AddressBookError,
  debitSettlementLoss,
  ExchangeInvalidSignatureError,
  IndexOracleInvalidSignatureError,
  InvalidArgumentError,
  InvalidFlagsError,
  ProtocolContractError,
  SdkError,
  StaleReportError,
  UnknownContractError,
  asIndexId,
  asMarketId,
  averageDown,
  buildOrder,
  cumulativeAt,
  decodeContractError,
  decodeErrorData,
  exceedsDeviation,
  exchangeDomain,
  findRound,
  indexIdOf,
  loadAddressBook,
  lowerMedian,
  nextCheckpoint,
  oracleDomain,
  protocolErrorClasses,
  signOrderEthers,
  signOrderViem,
  signReportWithEthers,
  signReportWithViem,
  supermajority,
  toSignature,
  WAD,
  type Checkpoint,
} from "../../../sdk/core/index.js";

const KEY = "0x00000000000000000000000000000000000000000000000000000000000b0b01" as const;
const A1 = "0x1111111111111111111111111111111111111111";
const A2 = "0x2222222222222222222222222222222222222222";

/** A deterministic sample argument of an ABI type, distinct per position. */
function sample(param: AbiParameter, i: number): unknown {
  const int = /^(u?)int(\d*)$/.exec(param.type);
  if (int) {
    const bits = Number(int[2] || "256");
    const v = BigInt(7 + i);
    const value = int[1] === "u" ? v : -v;
    return bits <= 48 ? Number(value) : value;
  }
  if (param.type === "address")
    return getAddress(`0x${"ab".repeat(19)}${(10 + i).toString(16).padStart(2, "0")}`);
  if (param.type === "bool") return i % 2 === 0;
  if (param.type === "bytes32") return keccak256(stringToHex(`arg-${i}`));
  if (param.type === "bytes") return "0xdeadbeef";
  if (param.type === "string") return `text-${i}`;
  throw new Error(`no sample for ${param.type}`);
}

function errorsOf(abi: Abi) {
  return abi.filter((item) => item.type === "error");
}

describe("sdk/core", function () {
  describe("ids", function () {
    it("test_indexIdOf_isKeccakOfUtf8Name", function () {
      expect(indexIdOf("ATPI-FRONTIER")).to.equal(keccak256(stringToHex("ATPI-FRONTIER")));
    });

    it("test_asIndexId_acceptsBytes32AndRejectsOtherLengths", function () {
      const id = indexIdOf("X").toUpperCase().replace("0X", "0x");
      expect(asIndexId(id)).to.equal(id.toLowerCase());
      expect(() => asIndexId("0x1234")).to.throw(InvalidArgumentError, "Invalid indexId");
      expect(() => asMarketId("not hex")).to.throw(InvalidArgumentError, "32-byte");
    });
  });

  describe("oracle math mirror", function () {
    it("test_lowerMedian_picksLowerOfTwoMiddles", function () {
      expect(lowerMedian([3n, 1n, 2n, 4n])).to.equal(2n);
      expect(lowerMedian([5n, 1n, 9n])).to.equal(5n);
      expect(lowerMedian([7n])).to.equal(7n);
      expect(() => lowerMedian([])).to.throw(InvalidArgumentError);
    });

    it("test_cumulativeAt_wrapsModulo2pow128", function () {
      const c: Checkpoint = { timestamp: 100n, value: 3n, cumulative: (1n << 128n) - 2n };
      expect(cumulativeAt(c, 101n)).to.equal(1n);
      expect(() => cumulativeAt(c, 99n)).to.throw(InvalidArgumentError);
    });

    it("test_averageDown_usesWrappingDifferenceAndRoundsDown", function () {
      expect(averageDown((1n << 128n) - 5n, 15n, 0n, 10n)).to.equal(2n);
      expect(averageDown(0n, 29n, 0n, 10n)).to.equal(2n);
      expect(() => averageDown(0n, 1n, 5n, 5n)).to.throw(InvalidArgumentError);
    });

    it("test_findRound_returnsLastCheckpointAtOrBefore", function () {
      let cps: Checkpoint[] = [];
      for (const [t, v] of [
        [10n, 1n],
        [20n, 2n],
        [35n, 3n],
      ] as const)
        cps = [...cps, nextCheckpoint(cps.at(-1), t, v)];
      expect(cps.map((c) => c.cumulative)).to.deep.equal([0n, 10n, 40n]);
      expect([9n, 10n, 19n, 20n, 34n, 35n, 1000n].map((t) => findRound(cps, t))).to.deep.equal([
        -1, 0, 0, 1, 1, 2, 2,
      ]);
      expect(findRound([], 5n)).to.equal(-1);
    });

    it("test_exceedsDeviation_andSupermajority_matchContractFormulas", function () {
      expect(exceedsDeviation(100n, 110n, WAD / 10n)).to.equal(false);
      expect(exceedsDeviation(100n, 111n, WAD / 10n)).to.equal(true);
      expect(exceedsDeviation(100n, 89n, WAD / 10n)).to.equal(true);
      expect([1n, 2n, 3n, 4n, 5n, 6n].map(supermajority)).to.deep.equal([1n, 2n, 2n, 3n, 4n, 4n]);
    });
  });

  describe("settlement loss debit", function () {
    it("test_debitSettlementLoss_keepsTheWholeLossOnTheAccountOwedToTheFund", function () {
      const scale = 10n ** 12n;
      // A balance of −10 before a loss of 40, no other market, a fund of 5: no cash, the fund lends 5 of the
      // 40 overdraft, 35 goes uncollected; the balance keeps the whole loss (owed to the fund).
      expect(debitSettlementLoss(-10n, 40n, [], 5n, scale)).to.deep.equal({
        balance: -50n,
        openLosses: 0n,
        lent: 5n,
        uncovered: 35n,
        collected: 5n,
        insuranceFund: 0n,
      });
      // 20 of cash: the pot gets the 20 and the 5 lent.
      expect(debitSettlementLoss(20n, 40n, [], 5n, scale)).to.deep.include({
        balance: -20n,
        collected: 25n,
        insuranceFund: 0n,
      });
      // Another open market at a gain does not count: the overdraft is lent (the gain repays it later).
      expect(debitSettlementLoss(20n, 40n, [30n * scale], 100n, scale)).to.deep.include({
        balance: -20n,
        collected: 40n,
        insuranceFund: 80n,
      });
      // Another open market at a loss: the cash (20) and the fund (10 of the 40 projected) are shared pro rata
      // to the losses (40 of 60): cash share 13, overdraft share 27, lent ⌊10 × 27 / 40⌋ = 6.
      expect(debitSettlementLoss(20n, 40n, [-20n * scale], 10n, scale)).to.deep.include({
        collected: 19n,
        lent: 6n,
        insuranceFund: 11n,
      });
    });
  });

  describe("EIP-712 signers are structural", function () {
    it("test_signOrder_ethersWalletAndViemAccountAgree", async function () {
      const wallet = new Wallet(KEY);
      const account = privateKeyToAccount(KEY);
      const domain = exchangeDomain(31337n, A1);
      const order = buildOrder(
        { trader: account.address, marketId: indexIdOf("M"), isBuy: true, size: 3n, limitPrice: WAD },
        1_000n,
      );
      expect(await signOrderEthers(wallet, domain, order)).to.equal(
        await signOrderViem(account, domain, order),
      );
    });

    it("test_signReport_ethersWalletAndViemAccountAgree", async function () {
      const wallet = new Wallet(KEY);
      const account = privateKeyToAccount(KEY);
      const domain = oracleDomain(31337n, A2);
      const report = {
        indexId: indexIdOf("I"),
        value: 5n * WAD,
        observedAt: 1234n,
        inputsHash: indexIdOf("in"),
      };
      const a = await signReportWithEthers(wallet, domain, report);
      const b = await signReportWithViem(account, domain, report);
      expect(a).to.deep.equal(b);
      expect(toSignature(a)).to.equal(
        await account.signTypedData({
          domain,
          types: {
            Report: [
              { name: "indexId", type: "bytes32" },
              { name: "value", type: "uint256" },
              { name: "observedAt", type: "uint64" },
              { name: "inputsHash", type: "bytes32" },
            ],
          },
          primaryType: "Report",
          message: report,
        }),
      );
    });
  });

  describe("typed contract errors", function () {
    const abis = {
      IndexOracle: indexOracleAbi,
      Exchange: exchangeAbi,
      IndexOracleFeed: indexOracleFeedAbi,
      Clearinghouse: clearinghouseAbi,
    };
    for (const [contract, abi] of Object.entries(abis)) {
      for (const item of errorsOf(abi as Abi)) {
        it(`test_decode_${contract}_${item.name}_toItsClassWithArgs`, function () {
          const args = item.inputs.map(sample);
          const data = encodeErrorResult({ abi: [item], errorName: item.name, args } as never);
          const e = decodeErrorData(data);
          expect(e).to.be.instanceOf(ProtocolContractError);
          expect(e).to.be.instanceOf(SdkError);
          const Class = protocolErrorClasses[data.slice(0, 10) as keyof typeof protocolErrorClasses];
          expect(e).to.be.instanceOf(Class);
          expect(e!.errorName).to.equal(item.name);
          expect(e!.data.contracts).to.include(contract);
          expect(Object.values(e!.args as Record<string, unknown>)).to.deep.equal(args);
          expect(e!.shortMessage.startsWith(`${item.name}: `)).to.equal(true);
          for (const [i, input] of item.inputs.entries()) {
            expect(e!.details).to.contain(`${input.name} = ${String(args[i])}`);
          }
        });
      }
    }

    it("test_everyErrorClass_hasAReadableNotice", function () {
      for (const Class of Object.values(protocolErrorClasses)) {
        expect(Class.notice, Class.signature).to.match(/^Thrown /);
      }
    });

    it("test_decode_sameNameDifferentArgs_getsContractPrefixedClasses", function () {
      const oracle = decodeErrorData(
        encodeErrorResult({ abi: indexOracleAbi, errorName: "InvalidSignature", args: [3n] }),
      );
      const exchange = decodeErrorData(
        encodeErrorResult({ abi: exchangeAbi, errorName: "InvalidSignature", args: [indexIdOf("h")] }),
      );
      expect(oracle).to.be.instanceOf(IndexOracleInvalidSignatureError);
      expect(exchange).to.be.instanceOf(ExchangeInvalidSignatureError);
      expect((oracle as IndexOracleInvalidSignatureError).args.reportIndex).to.equal(3n);
    });

    it("test_decodeContractError_walksViemChainAndReadsEthersData", function () {
      const data = encodeErrorResult({ abi: indexOracleAbi, errorName: "StaleReport", args: [10n, 20n] });
      const reverted = new ContractFunctionRevertedError({
        abi: indexOracleAbi,
        data,
        functionName: "submit",
      });
      const wrapped = new ContractFunctionExecutionError(reverted, {
        abi: indexOracleAbi,
        functionName: "submit",
        args: [],
        contractAddress: A1,
      });
      const viaViem = decodeContractError(wrapped);
      expect(viaViem).to.be.instanceOf(StaleReportError);
      expect((viaViem as StaleReportError).args).to.deep.equal({ observedAt: 10n, oldestAllowed: 20n });
      expect((viaViem as StaleReportError).cause).to.equal(wrapped);
      expect(decodeContractError({ code: "CALL_EXCEPTION", data })).to.be.instanceOf(StaleReportError);
      expect(decodeContractError(data)).to.be.instanceOf(StaleReportError);
      const flags = decodeContractError(
        encodeErrorResult({ abi: exchangeAbi, errorName: "InvalidFlags", args: [indexIdOf("o"), 12] }),
      );
      expect(flags).to.be.instanceOf(InvalidFlagsError);
      expect((flags as InvalidFlagsError).args.flags).to.equal(12);
    });

    it("test_decodeContractError_unknownRevertAndNonRevert", function () {
      const foreign: Hex = "0x12345678";
      expect(decodeContractError(foreign)).to.be.instanceOf(UnknownContractError);
      const requireString = new ContractFunctionRevertedError({
        abi: [],
        data: "0x08c379a0000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000036e6f700000000000000000000000000000000000000000000000000000000000",
        functionName: "x",
      });
      const e = decodeContractError(requireString);
      expect(e).to.be.instanceOf(UnknownContractError);
      expect(e!.shortMessage).to.contain("nop");
      expect(decodeContractError(new BaseError("fetch failed"))).to.equal(undefined);
      expect(decodeContractError(new Error("boom"))).to.equal(undefined);
    });
  });

  describe("address book", function () {
    it("test_loadAddressBook_readsIgnitionDeployedAddresses", function () {
      const book = loadAddressBook({
        "ProtocolModule#AccessManager": A1.toUpperCase().replace("0X", "0x"),
        "ProtocolModule#IndexOracle": A1,
        "ProtocolModule#Exchange": A2,
        "TokenModule#Collateral": A2,
      });
      expect(book).to.deep.equal({
        indexOracle: A1,
        exchange: A2,
        collateral: A2,
        accessManager: A1,
      });
    });

    it("test_loadAddressBook_readsPlainShapeAndCustomIgnitionIds", function () {
      expect(loadAddressBook({ indexOracle: A1, exchange: A2, clearinghouse: A1 })).to.deep.equal({
        indexOracle: A1,
        exchange: A2,
        clearinghouse: A1,
      });
      expect(
        loadAddressBook({ "M#Oracle": A1, "M#Exchange": A2 }, { ignitionIds: { indexOracle: "Oracle" } })
          .indexOracle,
      ).to.equal(A1);
    });

    it("test_loadAddressBook_rejectsMissingMalformedUnknownAndAmbiguous", function () {
      expect(() => loadAddressBook({ indexOracle: A1 })).to.throw(AddressBookError, "address book");
      try {
        loadAddressBook({ indexOracle: "0x12", exchange: A2, extra: A1 });
        expect.fail("accepted a bad book");
      } catch (e) {
        expect(e).to.be.instanceOf(AddressBookError);
        const issues = (e as AddressBookError).data.issues.join("\n");
        expect(issues).to.contain("indexOracle");
        expect(issues).to.contain("extra");
      }
      expect(() => loadAddressBook({ "A#IndexOracle": A1, "B#IndexOracle": A2, "A#Exchange": A2 })).to.throw(
        AddressBookError,
        "Ambiguous",
      );
      expect(() => loadAddressBook([A1])).to.throw(AddressBookError, "not a JSON object");
    });
  });
});
