/** ACTION_TYPES are the kinds of destination a rule's alerts can be sent to. */
export const ACTION_TYPES = ['email', 'slack', 'webhook'] as const;

/** AlertActionType is one of ACTION_TYPES. */
export type AlertActionType = (typeof ACTION_TYPES)[number];

/** AlertAction is one destination an analytics rule gives its alerts: an email address, or a Slack or webhook URL. */
export interface AlertAction {
  type: AlertActionType;
  /** An email address or a URL. */
  value: string;
}

/**
 * ACTION_NAMES maps every action name an alert or a seed-000 rule may use to its type: seed 000 wrote
 * `gmail` for email, and `mail` is read the same way.
 */
export const ACTION_NAMES = {
  email: 'email',
  gmail: 'email',
  mail: 'email',
  slack: 'slack',
  webhook: 'webhook',
} as const satisfies Record<string, AlertActionType>;

/** ActionName is a key of ACTION_NAMES. */
export type ActionName = keyof typeof ACTION_NAMES;

/** actionTypeOf reads an action name (exactly as written) as its type; undefined for a name Vigil does not know. */
export function actionTypeOf(name: string): AlertActionType | undefined {
  return Object.hasOwn(ACTION_NAMES, name) ? ACTION_NAMES[name as ActionName] : undefined;
}
