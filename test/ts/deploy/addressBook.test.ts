/** The address book's plain shape as `scripts/export-addresses.ts` writes it: chain id, feeds, markets. */
import { expect } from "chai";

import { AddressBookError, InvalidArgumentError } from "../../../sdk/core/errors/SdkError.js";
import { loadAddressBook, marketSymbol } from "../../../sdk/core/addressBook.js";

const A1 = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const A2 = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ID = "0x" + "ab".repeat(32);
const INDEX = "0x" + "CD".repeat(32);

const plain = () => ({
  chainId: 31337,
  indexOracle: A1,
  exchange: A2,
  clearinghouse: A1,
  collateral: A2,
  accessManager: A1,
  feeds: { "ATPI-FRONTIER": A2 },
  markets: { "ATPI-FRONTIER-20270326": { id: ID, indexId: INDEX, expiry: 1806048000 } },
});

describe("deploy: address book with chain id, feeds and markets", function () {
  it("test_loadAddressBook_readsChainIdFeedsAndMarkets", function () {
    const book = loadAddressBook(plain());
    expect(book.chainId).to.equal(31337);
    expect(book.feeds).to.deep.equal({ "ATPI-FRONTIER": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512" });
    expect(book.indexOracle).to.equal("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    expect(book.markets).to.deep.equal({
      "ATPI-FRONTIER-20270326": { id: ID, indexId: INDEX.toLowerCase(), expiry: 1806048000 },
    });
  });

  it("test_loadAddressBook_rejectsBadMarketsFeedsAndChainId", function () {
    const cases: [string, unknown][] = [
      [
        "markets.ATPI-FRONTIER-20270326.id",
        { ...plain(), markets: { "ATPI-FRONTIER-20270326": { id: "0x12", indexId: INDEX, expiry: 1 } } },
      ],
      ["markets.M.expiry", { ...plain(), markets: { M: { id: ID, indexId: INDEX, expiry: -1 } } }],
      ["markets.M", { ...plain(), markets: { M: { id: ID, indexId: INDEX, expiry: 1, extra: 1 } } }],
      ["feeds.X", { ...plain(), feeds: { X: "0x1234" } }],
      ["chainId", { ...plain(), chainId: 0 }],
    ];
    for (const [where, json] of cases) {
      try {
        loadAddressBook(json);
        expect.fail(`accepted a bad ${where}`);
      } catch (error) {
        expect(error).to.be.instanceOf(AddressBookError);
        expect((error as AddressBookError).data.issues.join("\n")).to.contain(where);
      }
    }
  });

  it("test_marketSymbol_isIndexAndUtcExpiryDate", function () {
    expect(marketSymbol("ATPI-FRONTIER", 1806048000n)).to.equal("ATPI-FRONTIER-20270326");
    expect(marketSymbol("GPU-H100", 1813881599n)).to.equal("GPU-H100-20270624");
    expect(marketSymbol("GPU-H100", 1813881600n)).to.equal("GPU-H100-20270625");
  });

  it("test_marketSymbol_expiryOutsideYears1970To9999ThrowsInvalidArgumentError", function () {
    expect(marketSymbol("X", 253402300799n)).to.equal("X-99991231");
    for (const expiry of [-1n, 253402300800n]) {
      expect(() => marketSymbol("X", expiry)).to.throw(InvalidArgumentError, "Invalid expiry");
    }
  });
});
