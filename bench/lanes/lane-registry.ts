/** The replay lanes by the id the benchmark's processes are told on their command line. */
import { ccxtLane } from './ccxt-lane.js';
import { floorLane } from './floor-lane.js';
import { jsonParseLane } from './json-parse-lane.js';
import { obiLane } from './obi-lane.js';
import type { ReplayLane } from './replay-lane.js';
import { tardisLane } from './tardis-lane.js';

export const LANES = {
  json: jsonParseLane,
  floor: floorLane,
  obi: obiLane,
  ccxt: ccxtLane,
  tardis: tardisLane,
} as const;

export type LaneId = keyof typeof LANES;

export const LANE_IDS = Object.keys(LANES) as LaneId[];

/** Returns the lane with this id, or throws. */
export function laneById(id: string): ReplayLane {
  if (!(id in LANES)) throw new Error(`unknown lane "${id}" (one of ${LANE_IDS.join(', ')})`);
  return LANES[id as LaneId];
}
