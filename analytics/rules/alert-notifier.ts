import type { AlertState } from './alert-state.js';
import type { Rule } from './model.js';

/**
 * AlertNotifier is where the rule engine hands the alerts a rule owes after an evaluation (new firing
 * ones, firing ones due a resend, resolved ones). notify/ implements it, so that rules/ does not know how
 * an alert is rendered or posted and the pipeline's imports run one way: notify → rules.
 */
export interface AlertNotifier {
  /**
   * notify delivers the due alerts of one rule; true when the receiver accepted them (the engine then
   * marks them sent). `validForMs` is how long a firing alert holds without a resend.
   */
  notify(rule: Rule, due: AlertState[], at: { now: number; validForMs: number }): Promise<boolean>;
}
