export {
  AddressBookError,
  InvalidArgumentError,
  SdkError,
  TransactionRevertedError,
  type SdkErrorOptions,
} from "./SdkError.js";
export { ProtocolContractError, UnknownContractError, type ContractErrorData } from "./contract.js";
export { decodeContractError, decodeErrorData } from "./decode.js";
export * from "./generated.js";
export type * from "./reverts.js";
