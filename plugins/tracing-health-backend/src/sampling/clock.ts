/** The time source of the control plane; tests inject one to make expiry deterministic. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
