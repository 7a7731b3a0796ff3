/**
 * The wallet button and RainbowKit's connect, account and chain modals: loaded beside the first paint,
 * not in the app's first chunk (see `wagmi.ts`). The modals render into `document.body`.
 */
import { ConnectButton, darkTheme, RainbowKitProvider } from "@rainbow-me/rainbowkit";

export default function WalletButton() {
  return (
    <RainbowKitProvider theme={darkTheme({ accentColor: "#3b82f6" })} modalSize="compact">
      <ConnectButton showBalance={false} chainStatus="icon" accountStatus="address" />
    </RainbowKitProvider>
  );
}
