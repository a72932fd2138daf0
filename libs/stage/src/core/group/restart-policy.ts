/**
 * When a task that has ended is started again.
 *
 * - `always`: after it completes and after it fails.
 * - `on-failure` (the default): only after it fails; a task that completes stays ended.
 * - `never`: never; the task's slot stays empty once it ends.
 *
 * A task that ends because it was asked to stop is never restarted, whatever the policy.
 */
export type RestartPolicy = 'always' | 'on-failure' | 'never';

export const RESTART_POLICIES: readonly RestartPolicy[] = ['always', 'on-failure', 'never'];
