/**
 * EOA signature recovery as the Exchange's `_checkSignature` does it (OpenZeppelin `ECDSA.tryRecover`):
 * 65 bytes `r ‖ s ‖ v`, `s` in the lower half of the curve order, `v` 27 or 28. Recovery runs on the
 * native `secp256k1` binding (about 0.1 ms, against about 4 ms for pure JavaScript).
 */
import secp256k1 from "secp256k1";
import { keccak256, type Address, type Hex } from "viem";

/** Half the secp256k1 group order: a larger `s` is malleable and refused. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export type RecoverResult =
  /** `signer` in lower case (no EIP-55 checksum: that costs one more keccak-256 per order). */
  | { ok: true; signer: Address }
  | { ok: false; error: "InvalidSignatureLength"; length: number }
  | { ok: false; error: "MalleableSignature"; s: Hex }
  | { ok: false; error: "InvalidSignature" };

/** The address that signed digest `hash`, or why ECDSA recovery fails. */
export function recoverSigner(hash: Hex, signature: Hex): RecoverResult {
  // the schema checked the hex: Buffer's native decoding instead of a JavaScript loop
  const bytes = Buffer.from(signature.slice(2), "hex");
  if (bytes.length !== 65) return { ok: false, error: "InvalidSignatureLength", length: bytes.length };
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  if (s > HALF_N) return { ok: false, error: "MalleableSignature", s: `0x${signature.slice(66, 130)}` };
  const v = bytes[64];
  if (v !== 27 && v !== 28) return { ok: false, error: "InvalidSignature" };
  try {
    const pub = secp256k1.ecdsaRecover(
      bytes.subarray(0, 64),
      v - 27,
      Buffer.from(hash.slice(2), "hex"),
      false,
    );
    return { ok: true, signer: `0x${keccak256(pub.subarray(1)).slice(26)}` as Address };
  } catch {
    return { ok: false, error: "InvalidSignature" };
  }
}
