/**
 * A real Safe 1.4.1 on the local stack and the connector a smart-wallet user's browser would have for
 * it: the singleton, proxy factory and `CompatibilityFallbackHandler` deployed from the npm
 * `@safe-global/safe-contracts` artifacts, a 1-of-1 Safe, and a `SmartWalletConnector` through which the
 * page's injected wallet is the Safe: `eth_signTypedData_v4` and `personal_sign` return the owner's
 * signature of the Safe's message hash of the digest (what the Safe's `isValidSignature` checks, built
 * with the SDK's `safeMessageTypedData` and `encodeSafeSignatures`), and `eth_sendTransaction` becomes a
 * Safe transaction the owner signs and sends (`executeSafeTransaction`), whose hash it returns.
 */
import {
  SignTypedDataVersion,
  TypedDataUtils,
  type MessageTypes,
  type TypedMessage,
} from "@metamask/eth-sig-util";
import {
  bytesToHex,
  createPublicClient,
  createWalletClient,
  getAddress,
  hashMessage,
  http,
  isHex,
  zeroAddress,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { hardhat } from "viem/chains";

import type { SmartWalletConnector } from "../../../app/test/browser.js";
import {
  SafeOperation,
  encodeSafeSignatures,
  safeAbi,
  safeMessageTypedData,
  safeTransactionTypedData,
  type SafeTransaction,
} from "../../../sdk/core/eip712/safe.js";
import { executeSafeTransaction } from "../../../sdk/viem/safe/executeSafeTransaction.js";
import { deploySafe } from "../helpers/safeDeploy.js";

export interface SafeWallet {
  /** The Safe proxy: the trader's address. */
  safe: Address;
  owner: Address;
  connector: SmartWalletConnector;
  /** Every Safe transaction the connector executed: the outer transaction's hash and its target. */
  executed: { hash: Hex; to: Address }[];
  /** Every message digest the connector signed as the Safe. */
  signed: Hex[];
}

/**
 * Deploys Safe 1.4.1 with `deployerKey` and a 1-of-1 Safe owned by `ownerKey` (whose account pays
 * the Safe transactions' gas), and returns its connector.
 */
export async function deploySafeWallet(params: {
  rpcUrl: string;
  chainId: number;
  deployerKey: Hex;
  ownerKey: Hex;
}): Promise<SafeWallet> {
  const transport = http(params.rpcUrl);
  const chain = { ...hardhat, id: params.chainId };
  const client = createPublicClient({ chain, transport }) as PublicClient;
  const deployer = createWalletClient({ account: privateKeyToAccount(params.deployerKey), chain, transport });
  const owner = privateKeyToAccount(params.ownerKey);
  const ownerWallet = createWalletClient({ account: owner, chain, transport });
  const { safe } = await deploySafe(client, deployer, { owners: [owner.address], threshold: 1n });
  const wallet: SafeWallet = {
    safe,
    owner: owner.address,
    executed: [],
    signed: [],
    connector: {
      methods: ["eth_signTypedData_v4", "personal_sign", "eth_sign", "eth_sendTransaction"],
      request: (method, args) => request(method, args),
    },
  };

  /** The Safe's signature of `digest`: the owner's signature of the Safe message hash of it. */
  const signAsSafe = async (digest: Hex, signer: PrivateKeyAccount = owner): Promise<Hex> => {
    wallet.signed.push(digest);
    const signature = await signer.signTypedData(safeMessageTypedData(safe, params.chainId, digest));
    return encodeSafeSignatures([{ owner: signer.address, signature }]);
  };

  // Safe transactions run one at a time: each one signs for the Safe's nonce of the moment.
  let queue: Promise<unknown> = Promise.resolve();
  const execute = async (tx: { to?: Address; data?: Hex; value?: Hex }): Promise<Hex> => {
    if (tx.to === undefined) throw new Error("the Safe connector does not deploy contracts");
    const nonce = (await client.readContract({
      address: safe,
      abi: safeAbi,
      functionName: "nonce",
    })) as bigint;
    const transaction: SafeTransaction = {
      to: getAddress(tx.to),
      value: tx.value === undefined ? 0n : BigInt(tx.value),
      data: tx.data ?? "0x",
      operation: SafeOperation.Call,
      safeTxGas: 0n,
      baseGas: 0n,
      gasPrice: 0n,
      gasToken: zeroAddress,
      refundReceiver: zeroAddress,
      nonce,
    };
    const signature = await owner.signTypedData(safeTransactionTypedData(safe, params.chainId, transaction));
    const { hash } = await executeSafeTransaction(ownerWallet, {
      safe,
      transaction,
      signatures: [{ owner: owner.address, signature }],
    });
    wallet.executed.push({ hash, to: transaction.to });
    return hash;
  };

  const sameAccount = (address: unknown) => {
    if (typeof address !== "string" || getAddress(address) !== safe)
      throw Object.assign(new Error(`the connected account is the Safe ${safe}`), { code: 4100 });
  };

  async function request(method: string, args: unknown[]): Promise<unknown> {
    switch (method) {
      case "eth_signTypedData_v4": {
        sameAccount(args[0]);
        const typed = (
          typeof args[1] === "string" ? JSON.parse(args[1]) : args[1]
        ) as TypedMessage<MessageTypes>;
        const digest = bytesToHex(TypedDataUtils.eip712Hash(typed, SignTypedDataVersion.V4));
        return signAsSafe(digest);
      }
      case "personal_sign": {
        sameAccount(args[1]);
        const message = args[0] as string;
        return signAsSafe(hashMessage(isHex(message) ? { raw: message } : message));
      }
      case "eth_sendTransaction": {
        const tx = args[0] as { from?: string; to?: Address; data?: Hex; value?: Hex };
        sameAccount(tx.from);
        const next = queue.then(() => execute(tx));
        queue = next.catch(() => undefined);
        return next;
      }
      default:
        throw Object.assign(new Error(`${method} is not supported by a Safe`), { code: 4200 });
    }
  }

  return wallet;
}
