/**
 * A Decision is what the dispatcher decided to tell about some alerts — journalled once the
 * notification is queued in the outbox, so that a restart replays the decision instead of making it
 * again (a second decision could group the alerts differently and send them twice).
 */
export interface Decision {
  /** firing/repeat: a message went out; silenced: held by a silence; resolved: the resolved message; flap-summary: the hold ended. */
  kind: 'firing' | 'repeat' | 'resolved' | 'silenced' | 'flap-summary';
  /** The alerts, as [fingerprint, startsAt]: a decision applies only to the same firing of an alert. */
  alerts: Array<[string, string]>;
  /** repeat: the alert's repeat count after this one (absolute, so replaying it twice is harmless). */
  repeats?: number;
  /** flap-summary: whether the summary announced a firing alert (a resolved message is then owed). */
  announced?: boolean;
}
