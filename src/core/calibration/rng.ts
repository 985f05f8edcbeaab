/**
 * @module The seeded random source of every interval's draws: d3-random's `randomLcg`, so an interval is the same on
 * every machine and in the browser (Math.random cannot be seeded).
 */
import {randomLcg} from "d3-random";

export type Random = () => number;

export function seededRandom(seed: number): Random {
  return randomLcg(seed);
}
