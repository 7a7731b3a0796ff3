/**
 * `atf order`: the group for `order place`, `order list` and `order cancel` (one file each).
 */
import type { Command } from "commander";

import type { CliHelpers } from "../helpers.js";
import { registerOrderCancel } from "./order-cancel.js";
import { registerOrderList } from "./order-list.js";
import { registerOrderPlace } from "./order-place.js";

export function registerOrder(program: Command, h: CliHelpers): void {
  const order = program.command("order").description("Place, list and cancel signed orders.");
  registerOrderPlace(order, h);
  registerOrderList(order, h);
  registerOrderCancel(order, h);
}
