/**
 * How long, in seconds, an idle worker's blocking wait for a job lasts before it looks again
 * (BullMQ's `drainDelay`, default 5 s). Each look costs Redis about nine commands, so at the
 * default six idle workers sent ~11 commands/s between them; at 30 s they send about 2.
 *
 * A job added to the queue ends the wait at once whatever this is (BullMQ's marker): measured
 * here, the first job added to an idle queue was picked up in 2–6 ms with drainDelay 5, 30 and
 * 60 s, at any moment of the wait, and also right after a Redis restart under a blocked wait. What
 * a longer wait does lengthen is BullMQ's watchdog on a blocking command that never settles (a
 * reply lost to a connection reset): it gives up after drainDelay + 1 s. A queue holding delayed
 * jobs is looked at every 10 s at most anyway (BullMQ's cap on the wait).
 */
export const IDLE_WAIT_S = 30;
