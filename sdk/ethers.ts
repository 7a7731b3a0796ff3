/**
 * For ethers v6 users: the typechain bindings of the protocol contracts (generated into
 * `typechain-types/` by `hardhat compile`) and order/report signing with an ethers `Signer`, the chain
 * id read from the signer's provider.
 *
 * `import { Exchange__factory, signOrder } from "ai-token-futures/sdk/ethers"`
 *
 * @module ethers
 */
import type { Signer } from "ethers";
import type { Address, Hex } from "viem";

import { exchangeDomain, hashOrder, signOrderEthers, type Order } from "./core/eip712/orders.js";
import {
  oracleDomain,
  signReportWithEthers,
  type OracleReport,
  type SignedOracleReport,
} from "./core/eip712/reports.js";
import { InvalidArgumentError } from "./core/errors/SdkError.js";
import type { OrderHash } from "./core/ids.js";

export { Exchange__factory } from "../typechain-types/factories/contracts/Exchange__factory.js";
export { IndexOracle__factory } from "../typechain-types/factories/contracts/IndexOracle__factory.js";
export { IndexOracleFeed__factory } from "../typechain-types/factories/contracts/IndexOracleFeed__factory.js";
export { IExchange__factory } from "../typechain-types/factories/contracts/interfaces/IExchange__factory.js";
export { IIndexOracle__factory } from "../typechain-types/factories/contracts/interfaces/IIndexOracle.sol/IIndexOracle__factory.js";
export type { Exchange } from "../typechain-types/contracts/Exchange.js";
export type { IndexOracle } from "../typechain-types/contracts/IndexOracle.js";
export type { IndexOracleFeed } from "../typechain-types/contracts/IndexOracleFeed.js";
export type { IExchange } from "../typechain-types/contracts/interfaces/IExchange.js";
export type { IIndexOracle } from "../typechain-types/contracts/interfaces/IIndexOracle.sol/IIndexOracle.js";

async function chainIdOf(signer: Signer): Promise<bigint> {
  if (!signer.provider)
    throw new InvalidArgumentError("signer", "detached signer", "a signer connected to a provider");
  return (await signer.provider.getNetwork()).chainId;
}

/**
 * Signs `order` with an ethers signer under the Exchange at `exchange` (chain id from the signer's
 * provider); returns the signature and the order hash.
 * @example
 * const { signature, orderHash } = await signOrder(signer, { exchange: await exchange.getAddress(), order });
 * await exchange.connect(taker).fillOrder(order, signature, 5n);
 */
export async function signOrder(
  signer: Signer,
  params: { exchange: string; order: Order },
): Promise<{ order: Order; signature: Hex; orderHash: OrderHash }> {
  const domain = exchangeDomain(await chainIdOf(signer), params.exchange as Address);
  const signature = await signOrderEthers(signer, domain, params.order);
  return { order: params.order, signature, orderHash: hashOrder(domain, params.order) };
}

/**
 * Signs an oracle report with an ethers signer under the IndexOracle at `oracle`; returns it in the
 * compact form `IndexOracle.submit` takes.
 * @example
 * const signed = await signReport(reporter, { oracle: await oracle.getAddress(), report });
 * await oracle.submit(report.indexId, [signed, …]);
 */
export async function signReport(
  signer: Signer,
  params: { oracle: string; report: OracleReport },
): Promise<SignedOracleReport> {
  return signReportWithEthers(signer, oracleDomain(await chainIdOf(signer), params.oracle), params.report);
}
