export { lowerMedian, lowerMedianPosition } from "./median.js";
export {
  WAD,
  averageDown,
  cumulativeAt,
  exceedsDeviation,
  findRound,
  nextCheckpoint,
  range,
  supermajority,
  twap,
  valueAt,
  type Checkpoint,
  type WindowContext,
} from "./checkpoints.js";
