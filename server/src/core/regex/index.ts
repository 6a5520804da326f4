// nginx regular expressions, evaluated with PCRE2's semantics and a bounded cost.
export {
  compileRegex,
  isCompileError,
  nginxCompileMessage,
  DEFAULT_STEP_BUDGET,
  REQ_CU_MAX,
  type CompiledRegex,
  type RegexCompileError,
  type RegexOptions,
  type ExecResult,
} from './compile';
export { textToBytes, bytesToText, isByteString, lowerAscii } from './bytes';
export { PCRE2_ERRORS } from './parse';
export { mayContain, type RequiredLiteral } from './literal';
