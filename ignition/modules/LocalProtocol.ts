/**
 * The protocol on a freshly deployed mock collateral token (`MockCollateral`), for the in-process
 * chain, `hardhat node` and test networks. Same submodules and parameters as `Protocol.ts` except
 * the collateral section.
 */
import { MockCollateralModule } from "./Collateral.js";
import { buildProtocolModule } from "./Protocol.js";

export default buildProtocolModule("LocalProtocol", MockCollateralModule);
