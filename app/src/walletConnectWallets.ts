/** The wallets offered over WalletConnect, in their own chunk: loaded only when a project id is set. */
import { metaMaskWallet, rainbowWallet, walletConnectWallet } from "@rainbow-me/rainbowkit/wallets";

export const walletConnectWallets = [metaMaskWallet, rainbowWallet, walletConnectWallet];
