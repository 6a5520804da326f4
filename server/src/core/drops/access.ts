// The access-phase rules in effect for a configuration. Each module merges its own directives:
// allow/deny form one list (a level with any replaces the inherited list), while auth_basic,
// auth_request and satisfy are inherited one by one.

import { inherited, inheritedAny, type Scope } from '../http/model';
import type { Directive } from '../syntax';

export interface AccessRules {
  /** Everything in effect, for listing. */
  all: Directive[];
  /** Rules that can reject a client: deny, auth_basic/auth_request/auth_jwt not `off`. */
  restricting: Directive[];
  /** Rules that admit some clients: allow, and the auth rules (an authenticated client is admitted). */
  admitting: Directive[];
}

export function accessRulesOf(scope: Scope): AccessRules {
  const list = inheritedAny(scope, ['allow', 'deny']);
  const auth = ['auth_basic', 'auth_request', 'auth_jwt'].flatMap((n) => inherited(scope, n).slice(-1)).filter((d) => d.args[0]?.value !== 'off');
  const satisfy = inherited(scope, 'satisfy').slice(-1);
  return {
    all: [...list, ...auth, ...satisfy],
    restricting: [...list.filter((d) => d.name === 'deny'), ...auth],
    admitting: [...list.filter((d) => d.name === 'allow'), ...auth],
  };
}
