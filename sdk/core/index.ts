/**
 * The pure core of the SDK: ids, EIP-712 builders, the oracle and Clearinghouse math mirrors, the
 * immutable entities and typed errors. Nothing
 * here touches the network; the viem layer (`../viem`) fetches and sends on top of it.
 *
 * @module core
 */
export * from "./ids.js";
export * from "./errors/index.js";
export * from "./oracle/index.js";
export {
  EIP712_DOMAIN_TYPE,
  EXCHANGE_DOMAIN_NAME,
  EXCHANGE_DOMAIN_VERSION,
  ORDER_TYPES,
  OrderFlags,
  buildOrder,
  exchangeDomain,
  hashOrder,
  nonceSequence,
  randomSalt,
  signOrderEthers,
  signOrderViem,
  typedDataForOrder,
  type ExchangeDomain,
  type Order,
  type OrderTypedDataV4,
  type OrderInput,
  type ViemTypedDataSigner as ViemOrderSigner,
} from "./eip712/orders.js";
export {
  ORACLE_DOMAIN_NAME,
  ORACLE_DOMAIN_VERSION,
  REPORT_TYPES,
  oracleDomain,
  signReportWithEthers,
  signReportWithViem,
  toSignature,
  withSignature,
  type OracleDomain,
  type OracleReport,
  type SignedOracleReport,
  type ViemTypedDataSigner as ViemReportSigner,
} from "./eip712/reports.js";
export {
  SAFE_MESSAGE_TYPES,
  SAFE_ON_CHAIN_SIGNATURE,
  SAFE_TX_TYPES,
  SafeOperation,
  encodeSafeSignatures,
  safeAbi,
  safeMessageHash,
  safeMessageTypedData,
  safeOrderApprovalTransaction,
  safeTransactionArgs,
  safeTransactionHash,
  safeTransactionTypedData,
  signMessageLibAbi,
  type SafeOwnerSignature,
  type SafeTransaction,
} from "./eip712/safe.js";
export {
  PERMIT_TYPES,
  domainMatchesSeparator,
  permitTypedData,
  type PermitMessage,
} from "./eip712/permit.js";
export {
  mutableTypes,
  type EthersTypedDataSigner,
  type TypedDataFieldShape,
  type ViemSigner,
} from "./eip712/signers.js";
export {
  IGNITION_CONTRACT_IDS,
  loadAddressBook,
  marketSymbol,
  marketsOfAddressBook,
  type AddressBook,
  type AddressBookMarket,
  type AddressBookMarketEntry,
  type LoadAddressBookOptions,
} from "./addressBook.js";
export * from "./math/index.js";
export * from "./entities/index.js";
